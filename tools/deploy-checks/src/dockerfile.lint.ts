/**
 * A static linter for Millwright's Dockerfiles: it parses the file (no Docker needed) and checks the
 * rules of issue 7. Purely static, so it checks an app's Dockerfile before the app exists too.
 */
export interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

export interface Stage {
  image: string;
  name?: string;
  instructions: Instruction[];
}

export interface DockerfileExpectations {
  /** The app folder: the image must run dist/apps/<app>/src/main.js or its bundle, dist/apps/<app>/bundle/main.js. */
  app: string;
  /** Ports the image should expose (none for a tool without a server). */
  ports: number[];
}

/** Instructions with continuation lines joined and comments dropped. */
export function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let l = lines[i].trim();
    if (!l || l.startsWith('#')) continue;
    while (l.endsWith('\\') && i + 1 < lines.length) {
      l = l.slice(0, -1).trimEnd();
      let next = lines[++i].trim();
      while (next.startsWith('#') && i + 1 < lines.length) next = lines[++i].trim();
      l += ` ${next}`;
    }
    const m = /^(\S+)\s*(.*)$/.exec(l)!;
    out.push({ keyword: m[1].toUpperCase(), args: m[2], line: start + 1 });
  }
  return out;
}

/** Build stages; ARG defaults declared before the first FROM are substituted into FROM lines. */
export function stages(instructions: Instruction[]): Stage[] {
  const globalArgs: Record<string, string> = {};
  const out: Stage[] = [];
  for (const ins of instructions) {
    if (ins.keyword === 'ARG' && !out.length) {
      const [k, v] = ins.args.split('=');
      if (v !== undefined) globalArgs[k.trim()] = v.trim();
    } else if (ins.keyword === 'FROM') {
      const parts = ins.args.replace(/--platform=\S+\s*/, '').split(/\s+/);
      const image = parts[0].replace(/\$\{(\w+)\}|\$(\w+)/g, (_m, a, b) => globalArgs[a ?? b] ?? '');
      out.push({ image, name: /^as$/i.test(parts[1] ?? '') ? parts[2] : undefined, instructions: [] });
    } else if (out.length) {
      out[out.length - 1].instructions.push(ins);
    }
  }
  return out;
}

const SECRET_NAME = /(SECRET|PASSW(OR)?D|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL|AUTH)/i;
const SECRET_FILE = /(^|\/)(\.env(\..*)?|.*\.pem|.*\.key|.*\.creds|.*\.nk|id_rsa.*|\.npmrc|\.netrc)$/;
// Small bases: Debian slim, Alpine, distroless.
const SMALL_BASE = /(-slim|-alpine|alpine:|distroless)/;

function copyFrom(args: string): { from?: string; sources: string[]; dest: string } {
  const words = args.split(/\s+/);
  const flags = words.filter((w) => w.startsWith('--'));
  const rest = words.filter((w) => !w.startsWith('--'));
  const from = flags.find((f) => f.startsWith('--from='))?.slice('--from='.length);
  return { from, sources: rest.slice(0, -1), dest: rest[rest.length - 1] };
}

export function lintDockerfile(text: string, expect: DockerfileExpectations): string[] {
  const problems: string[] = [];
  const ins = parseDockerfile(text);
  const st = stages(ins);
  if (st.length < 2) return ['not multi-stage: build in one stage, run in a smaller one'];
  const final = st[st.length - 1];
  const at = (i: Instruction) => `line ${i.line}`;

  // Small, pinned base.
  if (!SMALL_BASE.test(final.image)) problems.push(`runtime base ${final.image} is not a small image (slim, alpine or distroless)`);
  for (const s of st) if ((!/:[^:/]+$/.test(s.image) || /:latest$/.test(s.image)) && !st.some((o) => o.name === s.image)) problems.push(`base ${s.image} has no pinned tag`);

  // Non-root, by number (Kubernetes can only check runAsNonRoot against a numeric user).
  const users = final.instructions.filter((i) => i.keyword === 'USER');
  const user = users[users.length - 1]?.args.split(':')[0];
  if (!user) problems.push('the runtime stage sets no USER: it would run as root');
  else if (!/^\d+$/.test(user)) problems.push(`USER ${user} is not numeric`);
  else if (Number(user) === 0) problems.push('USER 0 is root');
  const afterUser = users.length ? final.instructions.slice(final.instructions.indexOf(users[users.length - 1]) + 1) : [];
  if (afterUser.some((i) => i.keyword === 'USER')) problems.push('USER changes again');

  // Production dependencies only: node_modules comes from a stage that installed without dev dependencies.
  const finalInstalls = final.instructions.filter((i) => i.keyword === 'RUN' && /\bnpm (ci|install|i)\b/.test(i.args));
  for (const i of finalInstalls) if (!/--omit=dev|--production/.test(i.args)) problems.push(`${at(i)}: installs dev dependencies in the runtime stage`);
  const moduleCopies = final.instructions.filter((i) => i.keyword === 'COPY' && copyFrom(i.args).sources.some((s) => /node_modules/.test(s)));
  if (!moduleCopies.length && !finalInstalls.length) problems.push('the runtime stage gets no node_modules');
  for (const c of moduleCopies) {
    const from = st.find((s) => s.name === copyFrom(c.args).from);
    if (!from) {
      problems.push(`${at(c)}: node_modules copied from outside the build stages`);
      continue;
    }
    const prod = from.instructions.some((i) => i.keyword === 'RUN' && /\bnpm (ci|prune)\b[^&]*(--omit=dev|--production)/.test(i.args));
    if (!prod) problems.push(`${at(c)}: node_modules from stage ${from.name}, which does not install with --omit=dev`);
  }
  if (final.instructions.some((i) => i.keyword === 'COPY' && !copyFrom(i.args).from && copyFrom(i.args).sources.some((s) => s === '.' || s === './'))) problems.push('the runtime stage copies the whole build context');

  // No secrets baked in.
  for (const i of ins) {
    if (i.keyword === 'ENV' || i.keyword === 'ARG') {
      const names = i.args.split(/\s+/).map((w) => w.split('=')[0]);
      for (const n of names) if (SECRET_NAME.test(n)) problems.push(`${at(i)}: ${i.keyword} ${n} looks like a secret (pass secrets at run time)`);
    }
    if (i.keyword === 'ADD' && /https?:\/\//.test(i.args)) problems.push(`${at(i)}: ADD from a URL (unpinned download)`);
    if (i.keyword === 'COPY' || i.keyword === 'ADD') for (const s of copyFrom(i.args).sources) if (SECRET_FILE.test(s)) problems.push(`${at(i)}: copies ${s}, which may hold secrets`);
  }

  // Runs the app directly, in exec form, so SIGTERM reaches node (graceful shutdown).
  const cmds = final.instructions.filter((i) => i.keyword === 'CMD' || i.keyword === 'ENTRYPOINT');
  const cmd = cmds[cmds.length - 1];
  let argv: unknown;
  try {
    argv = cmd ? JSON.parse(cmd.args) : undefined;
  } catch {
    argv = undefined;
  }
  const mains = [`dist/apps/${expect.app}/src/main.js`, `dist/apps/${expect.app}/bundle/main.js`];
  if (!cmd) problems.push('no CMD');
  else if (!Array.isArray(argv)) problems.push(`${at(cmd)}: ${cmd.keyword} in shell form (node would not get SIGTERM)`);
  else if (argv[0] !== 'node' || !mains.includes(argv[argv.length - 1] as string)) problems.push(`${at(cmd)}: does not run node ${mains.join(' or ')}`);
  if (!final.instructions.some((i) => i.keyword === 'COPY' && copyFrom(i.args).sources.some((s) => s.endsWith(`dist/apps/${expect.app}`)))) problems.push(`the runtime stage does not copy dist/apps/${expect.app}`);

  if (!final.instructions.some((i) => i.keyword === 'ENV' && /\bNODE_ENV=production\b/.test(i.args))) problems.push('NODE_ENV is not production');
  const exposed = final.instructions.filter((i) => i.keyword === 'EXPOSE').flatMap((i) => i.args.split(/\s+/).map((p) => Number(p.split('/')[0])));
  if ([...exposed].sort().join() !== [...expect.ports].sort().join()) problems.push(`exposes ${exposed.join(', ') || 'nothing'}, expected ${expect.ports.join(', ') || 'nothing'}`);
  return problems;
}

/** The build context must leave out local state, build output and secrets. */
export function lintDockerignore(text: string): string[] {
  const entries = new Set(text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#')));
  const needed = ['**/node_modules', 'dist', 'data', 'bench-results', '.git', '**/.env', '**/*.pem', '**/*.key', '**/*.creds', '.npmrc', '**/*.db'];
  return needed.filter((n) => !entries.has(n)).map((n) => `.dockerignore does not exclude ${n}`);
}
