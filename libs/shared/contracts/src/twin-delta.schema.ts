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
  /**
   * The newest reading of each sensor that changed, grouped by the reading that set it: compacted
   * readings of one asset usually leave a single group holding every sensor of its last reading.
   * A sensor appears in one group only.
   */
  reported?: DeltaReadingV1[];
  /**
   * The edge's whole desired document, when it changed (desired state is small, and a whole document
   * lets the central side accept it without replaying patches), with the central desired version the
   * edge had merged when it made it.
   */
  desired?: { doc: Record<string, unknown>; baseVersion: number };
  /** Derived fields that changed (prediction, health), newest value each. */
  derived?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
}

export interface DeltaReadingV1 {
  seq: number;
  ts: number;
  values: Record<string, number>;
}
