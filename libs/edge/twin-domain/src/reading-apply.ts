import type { Reading } from '@millwright/contracts';
import type { AssetTwin } from './asset-twin';

/** What applying readings did to one twin. */
export interface TwinChange {
  twin: AssetTwin;
  fromVersion: number;
  /** Set when the asset class first appears or changes. */
  assetClass?: string;
  /** The readings that moved the twin, in the order applied (what a model's window is built from). */
  applied: Reading[];
}

/**
 * Applies one reading to a twin in place. Each sensor moves only to a value from a higher sequence
 * number than the one it holds, so duplicates, redeliveries after a crash and late readings can
 * never move a twin backwards, whatever order they arrive in. Returns whether any sensor moved.
 */
function applyReading(twin: AssetTwin, r: Reading, now: number): boolean {
  let moved = false;
  for (const name in r.values) {
    const cur = twin.reported[name];
    if (cur === undefined) {
      twin.reported[name] = { v: r.values[name], ts: r.ts, seq: r.seq };
    } else if (cur.seq < r.seq) {
      // In place: a twin's reported values belong to the twin alone, and at thousands of readings a
      // second a fresh object per sensor per reading kept the garbage collector busy.
      cur.v = r.values[name];
      cur.ts = r.ts;
      cur.seq = r.seq;
    } else {
      continue;
    }
    moved = true;
  }
  if (!moved) return false;
  twin.version += 1;
  if (r.seq > twin.lastSeq) twin.lastSeq = r.seq;
  if (twin.lastSeenAt === null || r.ts > twin.lastSeenAt) twin.lastSeenAt = r.ts;
  twin.updatedAt = now;
  return true;
}

/**
 * Applies readings, in arrival order, to the twins `lookup` returns (creating them as needed), and
 * returns one change per twin that moved. Readings that moved nothing (duplicates, stale values)
 * are left out of the changes but stay in `readings` for the history, which deduplicates by seq.
 */
export function applyReadings(readings: readonly Reading[], lookup: (site: string, asset: string) => AssetTwin, now: number): TwinChange[] {
  const changes = new Map<AssetTwin, TwinChange>();
  for (const r of readings) {
    const twin = lookup(r.site, r.asset);
    const fromVersion = twin.version;
    const moved = applyReading(twin, r, now);
    const assetClass = r.assetClass;
    const reclassified = assetClass !== undefined && assetClass !== twin.assetClass;
    if (!moved && !reclassified) continue;
    if (reclassified) {
      twin.assetClass = assetClass;
      if (!moved) {
        twin.version += 1;
        twin.updatedAt = now;
      }
    }
    let change = changes.get(twin);
    // Usually one reading per twin per batch: an array of exactly one, not an empty one grown by push
    // (which reserves room for 17), and one object shape whether or not the class changed.
    if (!change) changes.set(twin, (change = { twin, fromVersion, assetClass: reclassified ? assetClass : undefined, applied: moved ? [r] : [] }));
    else {
      if (reclassified) change.assetClass = assetClass;
      if (moved) change.applied.push(r);
    }
  }
  return [...changes.values()];
}
