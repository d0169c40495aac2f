/**
 * The one template every apps/<app>/Dockerfile is rendered from, and the table of what differs per
 * app. The images used to be eight hand-kept copies that drifted apart in small ways (which stage
 * copied the models, the comment on the ONNX step); now a change is made here once and
 * `npm run dockerfiles` writes every file. The files stay committed, one per app, so that
 * `docker build -f apps/<app>/Dockerfile .` needs nothing but Docker; dockerfile.template.spec.ts
 * fails when a committed file is not what this renders, byte for byte.
 *
 * No imports on purpose: scripts/dockerfiles.mjs compiles this one file on its own (no build, no
 * path mapping), and the lint tags keep tools (scope:shared) from importing the apps' settings, so the
 * ports below are the apps' HTTP_PORT defaults typed once; the spec reads them back from each
 * apps/<app>/src/<app>.config.ts so that the two cannot disagree.
 */
export interface DockerfileSpec {
  /** The folder under apps/: the image runs dist/apps/<app>/src/main.js, or its bundle (below). */
  app: string;
  /**
   * Runs dist/apps/<app>/bundle/main.js, the app's one-file esbuild bundle (scripts/build.mjs
   * BUNDLED_APPS), with BUNDLE_ENV: ~13 MB less RSS per process and a faster start than ~1,000
   * module files (`npm run bench -- footprint`).
   */
  bundled?: boolean;
  /** What the image is, for the header comment. */
  title: string;
  /** The HTTP_PORT default of the app's settings; none for a process that serves no port. */
  port?: number;
  /** Other apps the process hosts in-process: their dist folders are copied and their ports exposed. */
  hosts?: string[];
  /** Runtime ENV lines (KEY=value), never secrets: they are baked into the image. */
  env?: string[];
  /** Files from the repository the app reads at run time, copied from the build context. */
  assets?: { path: string; why?: string }[];
  /**
   * ONNX Runtime's npm package is ~290 MB with binaries for every OS. drop: the app never loads it;
   * linux-only: it does (the predictor, the all-in-one process), so only the darwin and win32 binaries go.
   */
  onnx: 'drop' | 'linux-only';
}

export const DOCKERFILE_SPECS: readonly DockerfileSpec[] = [
  { app: 'twin-service', title: 'The twin service.', port: 8080, bundled: true, env: ['TWIN_DB_PATH=/data/twins.db'], onnx: 'drop' },
  { app: 'predictor', title: 'The predictor (ONNX Runtime).', port: 8081, bundled: true, assets: [{ path: 'models/fd001' }], onnx: 'linux-only' },
  { app: 'maintenance', title: 'The maintenance service.', port: 8082, bundled: true, env: ['MAINTENANCE_DB_PATH=/data/maintenance.db'], assets: [{ path: 'config/policies' }], onnx: 'drop' },
  {
    app: 'edge-allinone',
    title: 'The three edge services in one process (apps/edge-allinone) for the smallest boxes.',
    hosts: ['twin-service', 'predictor', 'maintenance'],
    env: ['TWIN_DB_PATH=/data/twins.db', 'MAINTENANCE_DB_PATH=/data/maintenance.db'],
    assets: [{ path: 'models/fd001' }, { path: 'config/policies' }],
    onnx: 'linux-only',
  },
  { app: 'asset-platform', title: 'The central asset platform.', port: 8083, onnx: 'drop' },
  {
    app: 'console',
    title: 'The staff console (UI and its API).',
    port: 8084,
    env: ['CONSOLE_AUDIT_PATH=/data/console-audit.jsonl'],
    assets: [{ path: 'models', why: 'The model page shows the validation plot of the model folder it is given (MODEL_DIR).' }],
    onnx: 'drop',
  },
  { app: 'supplier-simulator', title: "A supplier's ordering API with fault injection (demo and test tool).", port: 8090, onnx: 'drop' },
  { app: 'sensor-simulator', title: 'The gateway simulator (demo and test tool; publishes readings, serves no port).', onnx: 'drop' },
];

/**
 * Run-time settings of every bundled app. Compiling one 3 MB script makes V8 allocate large parser
 * and compiler zones; once glibc's malloc has freed one large block it raises its mmap threshold (up
 * to 32 MB), and the zones then come from the main heap, which it keeps: ~16 MB per process stayed
 * resident after start-up. A fixed 128 KB threshold keeps large blocks mapped on their own and
 * returned when freed (no measurable CPU cost under the footprint bench's load).
 */
export const BUNDLE_ENV = ['GLIBC_TUNABLES=glibc.malloc.mmap_threshold=131072'];

const byApp = (app: string): DockerfileSpec => {
  const s = DOCKERFILE_SPECS.find((x) => x.app === app);
  if (!s) throw new Error(`no Dockerfile spec for ${app}`);
  return s;
};

/** The ports an app's image exposes: its own HTTP_PORT, then those of the apps it hosts. */
export function exposedPorts(spec: DockerfileSpec): number[] {
  return [...(spec.port === undefined ? [] : [spec.port]), ...(spec.hosts ?? []).flatMap((a) => exposedPorts(byApp(a)))];
}

/** Every app's ports, for the Dockerfile lint and the k8s checks. */
export const APP_PORTS: Readonly<Record<string, number[]>> = Object.fromEntries(DOCKERFILE_SPECS.map((s) => [s.app, exposedPorts(s)]));

const ONNX_STRIP: Record<DockerfileSpec['onnx'], string[]> = {
  drop: ['# This app never loads ONNX Runtime (only the predictor does): drop its ~290 MB.', 'rm -rf node_modules/onnxruntime-node'],
  'linux-only': [
    "# ONNX Runtime ships binaries for every OS; only Linux's (x64 and arm64) can run here.",
    'rm -rf node_modules/onnxruntime-node/bin/napi-v*/darwin node_modules/onnxruntime-node/bin/napi-v*/win32',
  ],
};

/** The script an app's image starts, relative to /app. */
export function entryPoint(spec: DockerfileSpec): string {
  return spec.bundled ? `dist/apps/${spec.app}/bundle/main.js` : `dist/apps/${spec.app}/src/main.js`;
}

/** The Dockerfile of one app, exactly as committed in apps/<app>/Dockerfile. */
export function renderDockerfile(spec: DockerfileSpec): string {
  const [onnxWhy, onnxRm] = ONNX_STRIP[spec.onnx];
  const ports = exposedPorts(spec);
  const dist = [spec.app, ...(spec.hosts ?? [])];
  return [
    '# syntax=docker/dockerfile:1',
    `# ${spec.title}`,
    `# Build from the repository root: docker build -f apps/${spec.app}/Dockerfile -t millwright/${spec.app} .`,
    '# Generated from tools/deploy-checks/src/dockerfile.template.ts by `npm run dockerfiles`: edit the',
    '# template, not this file (a unit test compares the two).',
    '# build: every dependency, compiled with swc; deps: production dependencies only; runtime: slim',
    "# Debian (glibc, which ONNX Runtime's and better-sqlite3's binaries need), code owned by root and",
    '# read-only, run as an unprivileged user. Settings come from the environment at run time: no secrets here.',
    'ARG NODE_VERSION=20.19.5',
    '',
    // The same stage, instruction for instruction, in every image: BuildKit builds it once for all
    // of them (and one `npm run build` compiles every app anyway). Nothing app-specific goes here;
    // assets are copied into the runtime stage straight from the context, so that a changed model or
    // policy file does not recompile the code either.
    '# Identical in every image (generated), so that BuildKit builds it once for all of them.',
    'FROM node:${NODE_VERSION}-bookworm AS build',
    'WORKDIR /src',
    'ENV ONNXRUNTIME_NODE_INSTALL=skip',
    'COPY package.json package-lock.json ./',
    'RUN npm ci --no-audit --no-fund',
    'COPY tsconfig.base.json ./',
    'COPY scripts/build.mjs scripts/',
    'COPY libs libs',
    'COPY apps apps',
    'RUN node scripts/build.mjs',
    '',
    // Also one of two variants only (per onnx mode), so images of the same mode share it too.
    'FROM node:${NODE_VERSION}-bookworm AS deps',
    'WORKDIR /src',
    'ENV ONNXRUNTIME_NODE_INSTALL=skip',
    'COPY package.json package-lock.json ./',
    onnxWhy,
    'RUN npm ci --omit=dev --no-audit --no-fund \\',
    `  && ${onnxRm} \\`,
    '  && npm cache clean --force',
    '',
    'FROM node:${NODE_VERSION}-bookworm-slim AS runtime',
    'ENV NODE_ENV=production',
    ...[...(spec.env ?? []), ...(spec.bundled ? BUNDLE_ENV : [])].map((e) => `ENV ${e}`),
    'WORKDIR /app',
    'COPY --from=deps /src/node_modules node_modules',
    // A bundle holds the libs' code; only the apps that load per-file output need dist/libs.
    ...(spec.bundled ? [] : ['COPY --from=build /src/dist/libs dist/libs']),
    ...dist.map((a) => `COPY --from=build /src/dist/apps/${a} dist/apps/${a}`),
    ...(spec.assets ?? []).flatMap((a) => [...(a.why ? [`# ${a.why}`] : []), `COPY ${a.path} ${a.path}`]),
    '# The node image\'s unprivileged user, by number so that Kubernetes can check runAsNonRoot.',
    'USER 1000:1000',
    ...(ports.length ? [`EXPOSE ${ports.join(' ')}`] : []),
    `CMD ["node", "${entryPoint(spec)}"]`,
    '',
  ].join('\n');
}
