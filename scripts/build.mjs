// Compiles every TypeScript file of the workspace to dist/ with swc, one file at a time, keeping
// the folder layout. swc rewrites the @millwright/* aliases (read from tsconfig.base.json) into
// relative requires, so `node dist/apps/<app>/src/main.js` runs without a path-mapping hook.
// Type checking is separate (`npm run typecheck`): swc only strips types.
import { transformFile } from '@swc/core';
import { build as esbuild } from 'esbuild';
import { gzipSync } from 'node:zlib';
import { mkdir, readFile, readdir, writeFile, rm } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist');
const roots = ['apps', 'libs', 'bench', 'tools'];
// Browser code is bundled by esbuild below, not compiled file by file for Node.
const uiLib = join(root, 'libs', 'shared', 'console-ui');
const uiOut = join(out, 'apps', 'console', 'public');

const tsconfig = JSON.parse(await readFile(join(root, 'tsconfig.base.json'), 'utf8'));
export const swcOptions = {
  sourceMaps: true,
  module: { type: 'commonjs' },
  jsc: {
    target: 'es2022',
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
    keepClassNames: true,
    baseUrl: root,
    paths: tsconfig.compilerOptions.paths,
  },
};

/** Files below `dir` (node_modules skipped) whose name `wanted` accepts. */
async function* walk(dir, wanted) {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== 'node_modules' && p !== uiLib) yield* walk(p, wanted);
    } else if (wanted(e.name)) {
      yield p;
    }
  }
}
const isSource = (name) => name.endsWith('.ts') && !name.endsWith('.spec.ts') && !name.endsWith('.d.ts');
// Non-TS files the code reads at run time (model files, profiles, static UI).
const isAsset = (name) => /\.(json|onnx|conf|html|css|svg|png)$/.test(name) && !/(project|tsconfig.*)\.json$/.test(name);

await rm(out, { recursive: true, force: true });
const jobs = [];
for (const r of roots) {
  for await (const file of walk(join(root, r), isSource)) {
    jobs.push(
      (async () => {
        const target = join(out, relative(root, file)).replace(/\.ts$/, '.js');
        const { code, map } = await transformFile(file, { ...swcOptions, filename: file });
        await mkdir(dirname(target), { recursive: true });
        await writeFile(target, code + `\n//# sourceMappingURL=${target.split('/').pop()}.map\n`);
        if (map) await writeFile(target + '.map', map);
      })(),
    );
  }
}
await Promise.all(jobs);
for (const r of roots) {
  for await (const f of walk(join(root, r), isAsset)) {
    const target = join(out, relative(root, f));
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, await readFile(f));
  }
}

// The edge services that run as separate processes (twin-service, predictor, maintenance) each run
// from one esbuild bundle of their swc output, dist/apps/<app>/bundle/main.js: that is what their
// images start and what `npm run bench -- footprint` measures. One script instead of ~2,000
// CommonJS and ES module files (Nest 12 is ES modules) holds ~9 MB less V8 heap per process (module
// records and wrappers, sources kept as two-byte strings, the unused parts of the ES packages) and
// starts faster; with the images' malloc setting (BUNDLE_ENV in the Dockerfile template) each process
// is ~13 MB smaller idle. Whitespace and syntax are minified (V8 keeps every source: unminified, the
// bundle cost 13 MB more), identifiers are not, so that stack traces stay readable. The all-in-one
// process keeps loading each service's src/main.js: one copy of the modules for all it hosts.
const BUNDLED_APPS = ['twin-service', 'predictor', 'maintenance'];
// Native addons stay in node_modules. Nest and Swagger load some packages only for features these
// apps do not use, and they are not installed: left external, they fail at run time exactly as
// without the bundle (never, as nothing asks).
const bundleExternal = ['better-sqlite3', 'onnxruntime-node', 'class-validator', 'class-transformer', '@fastify/static', '@nestjs/websockets'];
// Nest preloads @nestjs/microservices whenever it is installed (it is, for a benchmark's naive
// consumer); no service uses it, so the bundle answers its optional import with an empty module.
const notLoaded = {
  name: 'not-loaded',
  setup(b) {
    b.onResolve({ filter: /^@nestjs\/microservices(\/|$)/ }, (a) => ({ path: a.path, namespace: 'not-loaded' }));
    b.onLoad({ filter: /.*/, namespace: 'not-loaded' }, () => ({ contents: 'module.exports = {};', loader: 'js' }));
  },
};
// @nestjs/common creates two Intl.DateTimeFormat objects when it loads (ConsoleLogger's and Logger's
// timestamp formatters), which touches ~6 MB of the node binary's ICU data (locale and time zone
// tables) that then stays in each service's RSS. The services log through ServiceLogger
// (libs/shared/observability), which formats its timestamps without Intl; in the bundles Nest's
// formatters are created on their first use instead, so that nothing asks ICU unless something
// really formats with them. A Nest upgrade that changes these lines fails the build here.
const lazyNestTimestamps = {
  name: 'lazy-nest-timestamps',
  setup(b) {
    b.onLoad({ filter: /[\\/]@nestjs[\\/]common[\\/]services[\\/](console-logger|logger)\.service\.js$/ }, async (a) => {
      const source = await readFile(a.path, 'utf8');
      const eager = /const dateTimeFormatter = (new Intl\.DateTimeFormat\([^;]*\));/;
      if (!eager.test(source)) throw new Error(`${a.path}: Nest's eager Intl.DateTimeFormat is not where scripts/build.mjs expects it`);
      return { contents: source.replace(eager, 'let dateTimeFormat;\nconst dateTimeFormatter = { format: (t) => (dateTimeFormat ??= $1).format(t) };'), loader: 'js' };
    });
  },
};
// TypeORM (the twin service and maintenance) is bundled too. Loaded from node_modules it was ~140
// unminified files, 3.3 MB of sources that V8 keeps, most of them drivers for other databases:
// TypeORM's DriverFactory requires every driver (and each its query runner) to pick one by name.
// In the bundle those requires get a stand-in that throws if ever constructed, so only the
// better-sqlite3 driver is there. @nestjs/typeorm reads two TypeORM 0.3 exports through
// createRequire, which a bundle cannot see (it would load a second TypeORM from node_modules); both
// are gone in TypeORM 1, so the shim gets them from the bundled copy, where they are undefined too.
const BUNDLED_TYPEORM_DRIVERS = ['better-sqlite3'];
const typeormInBundle = {
  name: 'typeorm-in-bundle',
  setup(b) {
    b.onLoad({ filter: /[\\/]@nestjs[\\/]typeorm[\\/]dist[\\/]common[\\/]typeorm-compat\.js$/ }, async (a) => {
      const source = await readFile(a.path, 'utf8');
      if (!source.includes("resolveTypeormExport('Connection')") || !source.includes("resolveTypeormExport('AbstractRepository')")) {
        throw new Error(`${a.path}: @nestjs/typeorm's TypeORM shim is not what scripts/build.mjs expects`);
      }
      return { contents: "import * as typeorm from 'typeorm';\nexport const Connection = typeorm['Connection'];\nexport const AbstractRepository = typeorm['AbstractRepository'];\n", loader: 'js' };
    });
    b.onResolve({ filter: /^\.\/[\w-]+\/\w+Driver$/ }, (a) => {
      if (!/[\\/]typeorm[\\/]driver[\\/]DriverFactory\.js$/.test(a.importer) || BUNDLED_TYPEORM_DRIVERS.includes(a.path.split('/')[1])) return undefined;
      return { path: a.path, namespace: 'typeorm-driver-left-out' };
    });
    b.onLoad({ filter: /.*/, namespace: 'typeorm-driver-left-out' }, (a) => {
      const name = a.path.split('/').pop();
      return { contents: `exports.${name} = class ${name} { constructor() { throw new Error("TypeORM's ${name} is not in this bundle (scripts/build.mjs)"); } };`, loader: 'js' };
    });
  },
};
await Promise.all(
  BUNDLED_APPS.map((app) =>
    esbuild({
      entryPoints: [join(out, 'apps', app, 'src', 'main.js')],
      outfile: join(out, 'apps', app, 'bundle', 'main.js'),
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      external: bundleExternal,
      plugins: [notLoaded, lazyNestTimestamps, typeormInBundle],
      minifyWhitespace: true,
      minifySyntax: true,
      // Nest names providers and Swagger names schemas after their classes.
      keepNames: true,
      // ES packages bundled into CommonJS: their import.meta.url becomes the bundle's own URL.
      define: { 'import.meta.url': '__bundleUrl' },
      banner: { js: 'const __bundleUrl = require("node:url").pathToFileURL(__filename).href;' },
      legalComments: 'linked',
      logLevel: 'warning',
    }),
  ),
);

// The staff console's UI: one minified ES module and one stylesheet, content-hashed (cached for
// good by the console), everything inlined, so the edge serves it without any internet.
const ui = await esbuild({
  entryPoints: [join(uiLib, 'src', 'main.tsx')],
  bundle: true,
  minify: true,
  format: 'esm',
  target: 'es2020',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  tsconfig: join(uiLib, 'tsconfig.json'),
  entryNames: 'app-[hash]',
  outdir: uiOut,
  metafile: true,
  legalComments: 'linked',
  logLevel: 'warning',
});
const outputs = Object.keys(ui.metafile.outputs).map((f) => relative(uiOut, join(root, f)));
const html = (await readFile(join(uiLib, 'src', 'index.html'), 'utf8'))
  .replace('{{js}}', outputs.find((f) => f.endsWith('.js')))
  .replace('{{css}}', outputs.find((f) => f.endsWith('.css')));
await writeFile(join(uiOut, 'index.html'), html);
let gz = 0;
for (const f of [...outputs.filter((f) => /\.(js|css)$/.test(f)), 'index.html']) gz += gzipSync(await readFile(join(uiOut, f))).length;
console.log(`built ${jobs.length} files into dist/, console UI ${(gz / 1024).toFixed(1)} KB gzip`);
