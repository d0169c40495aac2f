import { existsSync } from 'node:fs';
import { loadFleetProfile, generateSyntheticFleet, readCmapssFile, type CmapssEngine, type CmapssRow, type FleetProfile } from '@millwright/cmapss';
import { engineAssetId } from './reading.mapper';

/** One asset to replay: its id and its rows in cycle order. */
export interface SimEngine {
  assetId: string;
  rows: CmapssRow[];
}

export interface CmapssFileSourceOptions {
  path: string;
  /** Replay only these unit numbers (in file order). */
  units?: number[];
  /** Keep at most this many engines (after the unit filter). */
  maxEngines?: number;
  /** Dataset tag for asset ids, e.g. `fd001` gives `fd001-engine-001`. */
  assetPrefix?: string;
}

export function cmapssFileEngines(opts: CmapssFileSourceOptions): SimEngine[] {
  if (!existsSync(opts.path)) throw new Error(`C-MAPSS file not found: ${opts.path}`);
  let engines = readCmapssFile(opts.path);
  if (opts.units?.length) {
    const wanted = new Set(opts.units);
    engines = engines.filter((e) => wanted.has(e.unit));
  }
  if (opts.maxEngines) engines = engines.slice(0, opts.maxEngines);
  if (engines.length === 0) throw new Error(`no engines to replay in ${opts.path} (unit filter ${opts.units?.join(',') ?? 'none'})`);
  return toSimEngines(engines, opts.assetPrefix);
}

export interface SyntheticSourceOptions {
  count: number;
  seed: number;
  /** Defaults to the committed FD001 profile. */
  profile?: FleetProfile;
  assetPrefix?: string;
}

/** A fleet generated from a fitted profile: the demo's data when the data set is not on the machine. */
export function syntheticEngines(opts: SyntheticSourceOptions): SimEngine[] {
  if (!Number.isInteger(opts.count) || opts.count < 1) throw new Error(`synthetic engine count must be a positive integer, got ${opts.count}`);
  return toSimEngines(generateSyntheticFleet(opts.profile ?? loadFleetProfile(), opts.count, opts.seed), opts.assetPrefix);
}

export function toSimEngines(engines: CmapssEngine[], assetPrefix?: string): SimEngine[] {
  return engines.map((e) => ({ assetId: engineAssetId(e.unit, assetPrefix), rows: e.rows }));
}
