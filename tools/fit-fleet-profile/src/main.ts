// Fits the synthetic-fleet profile from a C-MAPSS training file and writes the committed artifact:
//   npm run build && node dist/tools/fit-fleet-profile/src/main.js [--file train_FD001.txt] [--out <path>]
// The default output is the source tree's copy (not dist/), because that is the file that gets committed.
import { existsSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fitFleetProfile, readCmapssFile, requireCmapssFile } from '@millwright/cmapss';

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function main(): void {
  const file = flag('file') ?? 'train_FD001.txt';
  const path = existsSync(file) ? resolve(file) : requireCmapssFile(file);
  const dataset = /FD00\d/i.exec(basename(path))?.[0].toUpperCase() ?? basename(path);
  const out = resolve(flag('out') ?? join(process.cwd(), 'libs/shared/cmapss/src', `${dataset.toLowerCase()}-fleet-profile.json`));

  const profile = fitFleetProfile(readCmapssFile(path), { dataset, source: basename(path) });
  const json = JSON.stringify(profile, null, 1) + '\n';
  writeFileSync(out, json);
  const { min, max, mean } = profile.lifetime;
  console.log(`fitted ${profile.engines} engines of ${basename(path)} (life ${min}-${max}, mean ${mean} cycles) -> ${out} (${json.length} bytes)`);
}

try {
  main();
} catch (e) {
  console.error((e as Error).message);
  process.exit(1);
}
