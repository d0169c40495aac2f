/**
 * What the edge sends the central platform about one twin: everything that changed from
 * `fromVersion` to `toVersion`, compacted (only the newest value of each field). Deltas of one asset
 * chain by version, so the receiver applies each exactly once and notices a gap.
 */
export interface TwinDeltaV1 {
  site: string;
  asset: string;
  fromVersion: number;
  toVersion: number;
  lastSeq: number;
  /** Sensor to [value, measurement time, gateway seq]: the newest reading of each sensor that changed. */
  reported?: Record<string, [number, number, number]>;
  /** JSON merge patch of desired state made at the edge (null deletes). */
  desired?: Record<string, unknown>;
  /** Derived fields that changed (prediction, health), newest value each. */
  derived?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
}
