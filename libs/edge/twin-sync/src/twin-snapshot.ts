import type { DeltaReadingV1, TwinDeltaV1 } from '@millwright/contracts';
import type { AssetTwin } from '@millwright/twin-domain';

/**
 * The whole twin as a delta from version 0: sent at start, after a gap, and when the central side
 * asks. The receiver applies it like any delta (reported values only move forward by sequence
 * number, versions gate repeats), so sending a snapshot too often costs bytes, never correctness.
 */
export function snapshotDelta(t: AssetTwin, desiredBaseVersion: number): TwinDeltaV1 {
  const bySeq = new Map<number, DeltaReadingV1>();
  for (const [name, r] of Object.entries(t.reported)) {
    let g = bySeq.get(r.seq);
    if (!g) bySeq.set(r.seq, (g = { seq: r.seq, ts: r.ts, values: {} }));
    g.values[name] = r.v;
  }
  return {
    site: t.site,
    asset: t.asset,
    fromVersion: 0,
    toVersion: t.version,
    lastSeq: t.lastSeq,
    reported: [...bySeq.values()].sort((a, b) => a.seq - b.seq),
    desired: { doc: t.desired, baseVersion: desiredBaseVersion },
    derived: t.derived,
    metadata: { assetClass: t.assetClass },
  };
}
