// Runs one benchmark: `npm run bench -- NAME [flags]` builds the workspace (npm run build), then runs
// dist/bench/**/NAME.bench.js with the flags. Without a NAME, or with an unknown one, it lists the
// benchmarks (the bench/**/*.bench.ts files). Results go to bench-results/NAME.json (gitignored).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function findBenches(dir) {
  const found = new Map();
  const walk = (d) => {
    let entries = [];
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(d, e.name);
      if (e.isDirectory() && e.name !== 'node_modules') walk(p);
      else if (e.name.endsWith('.bench.ts')) found.set(e.name.slice(0, -'.bench.ts'.length), relative(root, p));
    }
  };
  walk(dir);
  return found;
}

const [name, ...args] = process.argv.slice(2);
const benches = findBenches(join(root, 'bench'));
if (!name || !benches.has(name)) {
  if (name) console.error(`unknown benchmark '${name}'`);
  console.log('usage: npm run bench -- NAME [flags]   (NAME --help for its flags)\n\nbenchmarks:');
  for (const [n, src] of [...benches].sort()) console.log(`  ${n.padEnd(16)} ${src}`);
  process.exit(name ? 2 : 0);
}

// A stale dist/ would measure old code, so every run builds first (about as long as a phase takes).
const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

const script = join(root, 'dist', benches.get(name).replace(/\.ts$/, '.js'));
if (!existsSync(script)) {
  console.error(`build did not produce ${relative(root, script)}`);
  process.exit(1);
}
const child = spawn(process.execPath, [script, ...args], { cwd: root, stdio: 'inherit' });
// Ctrl-C reaches the bench through the terminal; a plain SIGTERM to npm is passed on so it can clean up.
for (const sig of ['SIGTERM', 'SIGHUP']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
