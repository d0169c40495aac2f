import type { DeltaReadingV1, ReportedValue, TwinChangedV1, TwinDeltaV1 } from '@millwright/contracts';

export type CompactOutcome = 'added' | 'stale' | 'gap';

/** A compacted delta; the sender fills `desired` with the whole document when `desiredChanged`. */
export interface CompactedDelta {
  delta: TwinDeltaV1;
  desiredChanged: boolean;
}

interface Pending {
  delta: TwinDeltaV1;
  /** Sensor to its newest value by seq. */
  reported: Map<string, ReportedValue>;
  desiredChanged: boolean;
  /** Measurement time of the first reading folded in; closes the window in data time. */
  firstTs: number | undefined;
}

/**
 * Folds twin-changed events into one delta per asset and window: a twin that changes every second
 * sends one delta per window, holding only the newest value of each field. A window closes on the
 * sender's clock (`take()` every window) or once the readings folded in span a window of measurement
 * time, so a backlog replayed fast compacts exactly as it would have live. Events of one asset must
 * chain by version; a missing one is a gap the caller repairs with a full snapshot.
 */
export class DeltaCompactor {
  private readonly pending = new Map<string, Pending>();
  /** Windows closed by measurement time, in the order they closed (chain order per asset). */
  private readonly closed: CompactedDelta[] = [];
  private readonly versions = new Map<string, number>();

  constructor(private readonly windowMs: number) {}

  add(e: TwinChangedV1): CompactOutcome {
    const key = `${e.site}/${e.asset}`;
    const last = this.versions.get(key);
    if (last !== undefined && e.version <= last) return 'stale';
    // An event that starts before `last` and ends after it (a snapshot was taken while it was in
    // flight) still continues the chain: what it repeats is older by seq and folds away.
    if (last !== undefined && e.fromVersion > last) return 'gap';
    this.versions.set(key, e.version);
    let p = this.pending.get(key);
    const readings = e.changes.readings ?? [];
    if (p && p.firstTs !== undefined && readings.length > 0 && readings[readings.length - 1].ts - p.firstTs >= this.windowMs) {
      this.closed.push(finish(p));
      p = undefined;
    }
    if (!p) {
      p = { delta: { site: e.site, asset: e.asset, fromVersion: last ?? e.fromVersion, toVersion: e.version, lastSeq: e.lastSeq }, reported: new Map(), desiredChanged: false, firstTs: undefined };
      this.pending.set(key, p);
    }
    const d = p.delta;
    d.toVersion = e.version;
    d.lastSeq = Math.max(d.lastSeq, e.lastSeq);
    for (const r of readings) {
      p.firstTs ??= r.ts;
      for (const name in r.values) {
        const cur = p.reported.get(name);
        if (!cur || cur.seq < r.seq) p.reported.set(name, { v: r.values[name], ts: r.ts, seq: r.seq });
      }
    }
    if (e.changes.desired) p.desiredChanged = true;
    if (e.changes.derived) d.derived = { ...d.derived, ...e.changes.derived };
    if (e.changes.metadata) d.metadata = { ...d.metadata, ...e.changes.metadata };
    return 'added';
  }

  /**
   * Restarts an asset's chain at `version` (after a snapshot was sent): what was pending for it is
   * covered by the snapshot and dropped.
   */
  restart(site: string, asset: string, version: number): void {
    const key = `${site}/${asset}`;
    this.pending.delete(key);
    for (let i = this.closed.length - 1; i >= 0; i--) {
      const c = this.closed[i].delta;
      if (c.site === site && c.asset === asset) this.closed.splice(i, 1);
    }
    this.versions.set(key, version);
  }

  /** Deltas whose window closed by measurement time; open windows stay. */
  takeClosed(): CompactedDelta[] {
    return this.closed.splice(0, this.closed.length);
  }

  /** Every delta gathered since the last call, closed windows first; the compactor starts afresh. */
  take(): CompactedDelta[] {
    const out = this.takeClosed();
    for (const p of this.pending.values()) out.push(finish(p));
    this.pending.clear();
    return out;
  }

  get closedCount(): number {
    return this.closed.length;
  }
}

/**
 * Groups the newest value of each sensor by the reading that set it, oldest reading first: the shape
 * of a delta's `reported`, which the receiver folds by seq like live readings.
 */
export function groupReportedBySeq(reported: Iterable<[string, ReportedValue]>): DeltaReadingV1[] {
  const bySeq = new Map<number, DeltaReadingV1>();
  for (const [name, r] of reported) {
    let g = bySeq.get(r.seq);
    if (!g) bySeq.set(r.seq, (g = { seq: r.seq, ts: r.ts, values: {} }));
    g.values[name] = r.v;
  }
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

function finish(p: Pending): CompactedDelta {
  if (p.reported.size > 0) p.delta.reported = groupReportedBySeq(p.reported);
  return { delta: p.delta, desiredChanged: p.desiredChanged };
}
