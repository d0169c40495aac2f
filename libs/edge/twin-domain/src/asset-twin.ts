import type { ReportedValue } from '@millwright/contracts';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [k: string]: JsonValue };
export type JsonObject = { [k: string]: JsonValue };

/**
 * The digital twin of one asset. Reported state belongs to the asset (it only moves forward, sensor
 * by sensor, by gateway sequence number); desired state belongs to people and the central platform;
 * derived state (predictions, health) belongs to the edge's analytics.
 */
export interface AssetTwin {
  site: string;
  asset: string;
  assetClass: string | null;
  reported: Record<string, ReportedValue>;
  /** Replaced, never mutated, when it changes (the store reuses the JSON of an unchanged section). */
  desired: JsonObject;
  /** Replaced, never mutated, when it changes. */
  derived: JsonObject;
  /** Grows by one for every change applied (each reading that changed reported state, each desired patch). */
  version: number;
  /** Highest gateway sequence number seen for this asset; -1 before the first reading. */
  lastSeq: number;
  /** Measurement time of the newest reading, epoch ms. */
  lastSeenAt: number | null;
  createdAt: number;
  updatedAt: number;
}

export function newTwin(site: string, asset: string, now: number): AssetTwin {
  return { site, asset, assetClass: null, reported: {}, desired: {}, derived: {}, version: 0, lastSeq: -1, lastSeenAt: null, createdAt: now, updatedAt: now };
}

/** Key of a twin in maps and caches; ids cannot contain '/'. */
export function twinKey(site: string, asset: string): string {
  return `${site}/${asset}`;
}
