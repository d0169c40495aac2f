import type { TwinDeltaV1 } from '@millwright/contracts';
import { groupReportedBySeq } from '@millwright/sync-domain';
import type { AssetTwin } from '@millwright/twin-domain';

/**
 * The whole twin as a delta from version 0: sent at start, after a gap, and when the central side
 * asks. The receiver applies it like any delta (reported values only move forward by sequence
 * number, versions gate repeats), so sending a snapshot too often costs bytes, never correctness.
 */
export function snapshotDelta(t: AssetTwin, desiredBaseVersion: number): TwinDeltaV1 {
  return {
    site: t.site,
    asset: t.asset,
    fromVersion: 0,
    toVersion: t.version,
    lastSeq: t.lastSeq,
    reported: groupReportedBySeq(Object.entries(t.reported)),
    desired: { doc: t.desired, baseVersion: desiredBaseVersion },
    derived: t.derived,
    metadata: { assetClass: t.assetClass },
  };
}
