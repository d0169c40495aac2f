import { CMAPSS_SENSORS, CMAPSS_SETTINGS, CMAPSS_UNITS, type CmapssRow } from '@millwright/cmapss';
import type { ReadingV1 } from '@millwright/contracts';

export const TURBOFAN_ASSET_CLASS = 'turbofan';

/**
 * The simulator's clock: cycle `n` of an asset is stamped `startMs + n * cycleMs`. A C-MAPSS cycle is a
 * flight, not a wall-clock interval, so the mapping is a choice; making it explicit keeps replays
 * reproducible (the same file gives the same timestamps).
 */
export interface SimClock {
  startMs: number;
  cycleMs: number;
}

/** `engine-007`, or `fd001-engine-007` with a dataset tag, so that two subsets can share one site. */
export function engineAssetId(unit: number, prefix?: string): string {
  const id = `engine-${String(unit).padStart(3, '0')}`;
  return prefix ? `${prefix.toLowerCase()}-${id}` : id;
}

// The units never change: one shared object spares an allocation per reading.
const UNITS: Readonly<Record<string, string>> = Object.freeze({ ...CMAPSS_UNITS });

export interface RowMapping {
  site: string;
  asset: string;
  clock: SimClock;
  /** Defaults to the row's cycle; a looping replay passes a sequence that keeps growing across episodes. */
  seq?: number;
  /** Units cost about a third of a reading's bytes; a throughput run may leave them out. */
  includeUnits?: boolean;
}

/** One C-MAPSS row as a v1 reading: the 3 settings and 21 sensors under their paper names. */
export function cmapssRowToReading(row: CmapssRow, m: RowMapping): ReadingV1 {
  const values: Record<string, number> = {};
  CMAPSS_SETTINGS.forEach((name, i) => (values[name] = row.settings[i]));
  CMAPSS_SENSORS.forEach((name, i) => (values[name] = row.sensors[i]));
  const seq = m.seq ?? row.cycle;
  const reading: ReadingV1 = { site: m.site, asset: m.asset, seq, ts: m.clock.startMs + seq * m.clock.cycleMs, values, assetClass: TURBOFAN_ASSET_CLASS };
  if (m.includeUnits !== false) reading.units = UNITS as Record<string, string>;
  return reading;
}
