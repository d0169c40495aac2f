/** Which side of the twin a change touched. */
export type TwinSection = 'reported' | 'desired' | 'derived' | 'metadata';

/** A reported sensor value with the reading it came from. */
export interface ReportedValue {
  v: number;
  /** Measurement time, epoch ms. */
  ts: number;
  /** Gateway sequence number of the reading that set it. */
  seq: number;
}

/**
 * One committed change of a twin. Every change of a commit goes out together on
 * `twin.v1.changed.<site>` (encodeTwinChangeFrame), and in commit order to listeners in the same
 * process (the twin service's TwinChangeFeed). `changes`
 * carries only what changed (the readings applied; for `desired`, a JSON merge patch where null
 * means deleted; for `derived`, the new fields), so a consumer can keep a copy current without
 * fetching the twin.
 */
export interface TwinChangedV1 {
  site: string;
  asset: string;
  /** Twin version after the change; versions only grow, so consumers can drop stale events. */
  version: number;
  /** Version before the change; `version - fromVersion` changes are covered by this event. */
  fromVersion: number;
  /** What made the change; a consumer that writes derived state ignores `derived` to avoid loops. */
  cause: 'telemetry' | 'desired' | 'derived';
  at: number;
  changes: {
    /**
     * For telemetry: every reading this change applied, in order. Folding them per sensor by `seq`
     * (newest wins) gives the reported values that changed; consumers that keep a window of recent
     * readings (the predictor) extend it from here instead of reading history.
     */
    readings?: Array<{ seq: number; ts: number; values: Record<string, number> }>;
    desired?: Record<string, unknown>;
    derived?: Record<string, unknown>;
    metadata?: Record<string, unknown>;
  };
  /** Highest reading sequence applied, after the change. */
  lastSeq: number;
}
