// Writes every apps/<app>/Dockerfile from tools/deploy-checks/src/dockerfile.template.ts (the one
// template and the table of what differs per app). `--check` writes nothing and fails when a
// committed file differs, as the unit test does. The template has no imports, so it is compiled here
// on its own with swc (already a dev dependency): no build step, no path mapping.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { transformFileSync } from '@swc/core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const template = join(root, 'tools', 'deploy-checks', 'src', 'dockerfile.template.ts');
const { code } = transformFileSync(template, { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } });
const mod = { exports: {} };
new Function('module', 'exports', 'require', code)(mod, mod.exports, createRequire(template));
const { DOCKERFILE_SPECS, renderDockerfile } = mod.exports;

const check = process.argv.includes('--check');
let stale = 0;
for (const spec of DOCKERFILE_SPECS) {
  const file = join(root, 'apps', spec.app, 'Dockerfile');
  const text = renderDockerfile(spec);
  let old = '';
  try {
    old = readFileSync(file, 'utf8');
  } catch {
    // a new app: written below
  }
  if (old === text) continue;
  stale++;
  if (check) console.error(`apps/${spec.app}/Dockerfile is not what the template renders (npm run dockerfiles)`);
  else {
    writeFileSync(file, text);
    console.log(`wrote apps/${spec.app}/Dockerfile`);
  }
}
if (check && stale) process.exit(1);
