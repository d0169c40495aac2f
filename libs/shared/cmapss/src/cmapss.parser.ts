import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { DEFAULT_CMAPSS_DIR, type CmapssEngine, type CmapssRow } from './cmapss.schema';

/** Parses C-MAPSS text (26 whitespace-separated numbers a row, no header) into rows. */
export function parseCmapss(text: string, source = 'input'): CmapssRow[] {
  const rows: CmapssRow[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    const f = line.split(/\s+/).map(Number);
    if (f.length !== 26 || f.some((x) => !Number.isFinite(x))) {
      throw new Error(`${source}:${i + 1}: expected 26 numbers, got ${f.length}`);
    }
    rows.push({ unit: f[0], cycle: f[1], settings: [f[2], f[3], f[4]], sensors: f.slice(5) });
  }
  return rows;
}

/** Groups rows by engine, each engine's rows in cycle order. */
export function groupEngines(rows: CmapssRow[]): CmapssEngine[] {
  const byUnit = new Map<number, CmapssRow[]>();
  for (const r of rows) {
    let list = byUnit.get(r.unit);
    if (!list) byUnit.set(r.unit, (list = []));
    list.push(r);
  }
  return [...byUnit.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([unit, list]) => ({ unit, rows: list.sort((a, b) => a.cycle - b.cycle) }));
}

export function readCmapssFile(path: string): CmapssEngine[] {
  return groupEngines(parseCmapss(readFileSync(path, 'utf8'), path));
}

/**
 * Where the data set is: MILLWRIGHT_CMAPSS_DIR, else ../shared/data/cmapss from the working
 * directory. Throws a message that says what to do when it is absent.
 */
export function cmapssDir(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
  const dir = env.MILLWRIGHT_CMAPSS_DIR ?? DEFAULT_CMAPSS_DIR;
  return isAbsolute(dir) ? dir : resolve(cwd, dir);
}

export function requireCmapssFile(name: string, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
  const path = join(cmapssDir(env, cwd), name);
  if (!existsSync(path)) {
    throw new Error(
      `C-MAPSS file ${name} not found at ${path}. Set MILLWRIGHT_CMAPSS_DIR to the folder holding NASA's C-MAPSS ` +
        `text files (train_FD001.txt ...); the project never copies the data into the repository.`,
    );
  }
  return path;
}
