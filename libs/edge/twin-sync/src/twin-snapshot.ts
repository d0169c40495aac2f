import type { TwinDeltaV1 } from '@millwright/contracts';
import type { AssetTwin } from '@millwright/twin-domain';

/**
 * The whole twin as a delta from version 0: sent at start and after a gap. The receiver applies it
 * like any delta (reported values only move forward by sequence number, versions gate repeats), so
 * sending a snapshot too often costs bytes, never correctness.
 */
export function snapshotDelta(t: AssetTwin): TwinDeltaV1 {
  const reported: Record<string, [number, number, number]> = {};
  for (const [name, r] of Object.entries(t.reported)) reported[name] = [r.v, r.ts, r.seq];
  return {
    site: t.site,
    asset: t.asset,
    fromVersion: 0,
    toVersion: t.version,
    lastSeq: t.lastSeq,
    reported,
    desired: t.desired,
    derived: t.derived,
    metadata: { assetClass: t.assetClass },
  };
}
