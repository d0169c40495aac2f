import type { Reading } from '@millwright/contracts';
import type { AssetTwin } from './asset-twin';

/** What `applyReading` did to a twin: bits, 0 when nothing moved. */
export const enum ReadingEffect {
  None = 0,
  /** At least one sensor moved. */
  Moved = 1,
  /** The reading named an asset class the twin did not have. */
  Reclassified = 2,
}

/**
 * Applies one reading to a twin in place. Each sensor moves only to a value from a higher sequence
 * number than the one it holds, so duplicates, redeliveries after a crash and late readings can
 * never move a twin backwards, whatever order they arrive in. A reading that moved a sensor or set a
 * new asset class counts one version.
 */
export function applyReading(twin: AssetTwin, r: Reading, now: number): ReadingEffect {
  let moved = false;
  const values = r.values;
  const reported = twin.reported;
  for (const name in values) {
    const cur = reported[name];
    if (cur === undefined) {
      reported[name] = { v: values[name], ts: r.ts, seq: r.seq };
    } else if (cur.seq < r.seq) {
      // In place: a twin's reported values belong to the twin alone, and at thousands of readings a
      // second a fresh object per sensor per reading kept the garbage collector busy.
      cur.v = values[name];
      cur.ts = r.ts;
      cur.seq = r.seq;
    } else {
      continue;
    }
    moved = true;
  }
  const assetClass = r.assetClass;
  const reclassified = assetClass !== undefined && assetClass !== twin.assetClass;
  if (!moved && !reclassified) return ReadingEffect.None;
  if (reclassified) twin.assetClass = assetClass;
  twin.version += 1;
  twin.updatedAt = now;
  if (!moved) return ReadingEffect.Reclassified;
  if (r.seq > twin.lastSeq) twin.lastSeq = r.seq;
  if (twin.lastSeenAt === null || r.ts > twin.lastSeenAt) twin.lastSeenAt = r.ts;
  return reclassified ? ReadingEffect.Moved | ReadingEffect.Reclassified : ReadingEffect.Moved;
}
