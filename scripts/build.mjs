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
