// Compiles every TypeScript file of the workspace to dist/ with swc, one file at a time, keeping
// the folder layout. swc rewrites the @millwright/* aliases (read from tsconfig.base.json) into
// relative requires, so `node dist/apps/<app>/src/main.js` runs without a path-mapping hook.
// Type checking is separate (`npm run typecheck`): swc only strips types.
import { transformFile } from '@swc/core';
import { mkdir, readFile, readdir, writeFile, rm } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist');
const roots = ['apps', 'libs', 'bench', 'tools'];

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

async function* walk(dir) {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== 'node_modules') yield* walk(p);
    } else if (e.name.endsWith('.ts') && !e.name.endsWith('.spec.ts') && !e.name.endsWith('.d.ts')) {
      yield p;
    }
  }
}

await rm(out, { recursive: true, force: true });
const jobs = [];
for (const r of roots) {
  for await (const file of walk(join(root, r))) {
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
// Non-TS assets that the code reads at run time (model files, profiles, static UI).
for (const r of roots) {
  for await (const f of walkAssets(join(root, r))) {
    const target = join(out, relative(root, f));
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, await readFile(f));
  }
}
async function* walkAssets(dir) {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== 'node_modules') yield* walkAssets(p);
    } else if (/\.(json|onnx|conf|html|css|svg|png)$/.test(e.name) && !/(project|tsconfig.*)\.json$/.test(e.name)) {
      yield p;
    }
  }
}
console.log(`built ${jobs.length} files into dist/`);
