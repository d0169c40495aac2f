import type { NatsConnection, Subscription } from 'nats';
import { Subjects, readTwinChangeHeads, type TwinChangeHead } from '@millwright/contracts';

interface PendingReading {
  seq: number;
  publishedAt: number;
}

/**
 * Follows `twin.v1.changed.<site>` to learn when readings are committed: the services publish a
 * frame of events after each commit, each carrying its twin's `lastSeq` (only the event heads are
 * read: the bench shares two cores with the service it measures). A reading counts as committed once its
 * asset's `lastSeq` reaches the reading's seq, which also covers readings that one event coalesces.
 */
export class CommitTracker {
  events = 0;
  unreadableEvents = 0;
  firstEventAt = 0;
  lastEventAt = 0;
  private readonly seen = new Map<string, number>();
  private readonly pending = new Map<string, PendingReading[]>();
  private readonly samples: number[] = [];
  private target?: { finals: Map<string, number>; remaining: number; minEvents: number; resolve: (at: number) => void };
  private readonly sub: Subscription;
  private sampleAfter = 0;

  constructor(
    private readonly nc: NatsConnection,
    site: string,
  ) {
    this.sub = nc.subscribe(Subjects.twinChanges(site), { callback: (_err, msg) => this.onFrame(msg.data) });
  }

  /** Makes sure the server has the subscription before anything is published. */
  ready(): Promise<void> {
    return this.nc.flush();
  }

  /** Records a published reading for latency; only readings published at or after `sampleAfter` are sampled. */
  published(asset: string, seq: number, publishedAt: number): void {
    let q = this.pending.get(asset);
    if (!q) this.pending.set(asset, (q = []));
    q.push({ seq, publishedAt });
  }

  /** Readings published before this time are warm-up and give no latency sample. */
  sampleFrom(at: number): void {
    this.sampleAfter = at;
  }

  latencies(): readonly number[] {
    return this.samples;
  }

  /** Readings published for latency that no event has covered yet. */
  uncommitted(): number {
    let n = 0;
    for (const q of this.pending.values()) n += q.length;
    return n;
  }

  /** Assets whose twin reached its final seq; with `committedReadings` it tells how far a stalled run got. */
  reached(finals: Map<string, number>): { assets: number; readings: number } {
    let assets = 0;
    let readings = 0;
    for (const [asset, final] of finals) {
      const s = this.seen.get(asset) ?? 0;
      if (s >= final) assets++;
      readings += Math.min(s, final);
    }
    return { assets, readings };
  }

  /**
   * Resolves with the receive time of the event that completed the run: every asset at its final seq
   * and, for services that publish one event per reading, at least `minEvents` events.
   */
  whenCommitted(finals: Map<string, number>, minEvents = 0): Promise<number> {
    let remaining = 0;
    for (const [asset, final] of finals) if ((this.seen.get(asset) ?? 0) < final) remaining++;
    return new Promise((resolve) => {
      this.target = { finals, remaining, minEvents, resolve };
      this.checkDone(Date.now());
    });
  }

  close(): void {
    this.sub.unsubscribe();
  }

  private onFrame(data: Uint8Array): void {
    const now = Date.now();
    let heads: TwinChangeHead[];
    try {
      heads = readTwinChangeHeads(data).heads;
    } catch {
      this.unreadableEvents++;
      return;
    }
    if (this.firstEventAt === 0) this.firstEventAt = now;
    this.lastEventAt = now;
    for (const h of heads) this.onEvent(h.asset, h.lastSeq, now);
  }

  private onEvent(asset: string, lastSeq: number, now: number): void {
    this.events++;
    const before = this.seen.get(asset) ?? 0;
    if (lastSeq <= before) return this.checkDone(now);
    this.seen.set(asset, lastSeq);

    const q = this.pending.get(asset);
    if (q) {
      let n = 0;
      while (n < q.length && q[n].seq <= lastSeq) {
        if (q[n].publishedAt >= this.sampleAfter) this.samples.push(now - q[n].publishedAt);
        n++;
      }
      if (n > 0) q.splice(0, n);
    }
    const t = this.target;
    if (t) {
      const final = t.finals.get(asset);
      if (final !== undefined && before < final && lastSeq >= final) t.remaining--;
    }
    this.checkDone(now);
  }

  private checkDone(now: number): void {
    const t = this.target;
    if (t && t.remaining <= 0 && this.events >= t.minEvents) {
      this.target = undefined;
      t.resolve(now);
    }
  }
}
