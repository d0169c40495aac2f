import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Streams, Subjects, type SnapshotRequestV1, type TwinChangedV1, type TwinDeltaBatchV1, type TwinDeltaV1 } from '@millwright/contracts';
import { NATS_CONNECTION, ensureStream, boundedFileStream } from '@millwright/messaging';
import { MetricsRegistry } from '@millwright/observability';
import { DeltaCompactor, type CompactedDelta } from '@millwright/sync-domain';
import { TwinChangeFeed, TwinSqliteStore } from '@millwright/twin-data-access';
import { headers, type JetStreamClient, type JetStreamManager, type MsgHdrs, type NatsConnection, type PubAck, type Subscription } from 'nats';
import { snapshotDelta } from './twin-snapshot';
import { SYNC_NATS_CONNECTION, TWIN_SYNC_OPTIONS, type TwinSyncOptions } from './twin-sync.options';

const gzipAsync = promisify(gzip);
/** Closed windows are sent as soon as this many wait, so a fast replay never piles up in memory. */
const CLOSED_HIGH_WATER = 2000;
const PUBLISH_ATTEMPTS = 3;
/**
 * Closed windows beyond this while the outbox cannot keep up (a slow or refusing server) are given
 * up for snapshots of their twins: memory stays bounded and the central copy still ends exact.
 */
const CLOSED_HARD_CAP = 40_000;

/**
 * Feeds the site's upstream outbox (the SYNC_OUT stream, which the hub sources whenever the link is
 * up) with compacted twin deltas, many assets a message, gzipped. Twin-changed events are
 * at-most-once, so anything uncertain (a missed event, a failed publish, a restart, a gap the central
 * side reports) is repaired with a snapshot of the twin; deltas carry versions, so the central side
 * applies each exactly once whatever is repeated.
 */
@Injectable()
export class TwinOutboxService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger(TwinOutboxService.name);
  private readonly compactor: DeltaCompactor;
  /** Assets whose next message must be a snapshot. */
  private readonly needSnapshot = new Set<string>();
  /** Message ids are unique per process start; a retried publish reuses its id and is dropped by the stream. */
  private readonly bootId = randomUUID().slice(0, 8);
  private messageNo = 0;
  private js!: JetStreamClient;
  private subs: Subscription[] = [];
  private unsubscribeFeed?: () => void;
  private timers: NodeJS.Timeout[] = [];
  private flushing?: Promise<void>;
  private readonly m;
  /** Highest outbox sequence this process wrote (or found at start). */
  lastOutboxSeq = 0;
  /** Model version of the newest prediction seen, for the site health summary. */
  modelVersion: string | null = null;
  /** Outbox messages refused since start, for the site health summary. */
  publishFailures = 0;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(SYNC_NATS_CONNECTION) private readonly outboxNc: NatsConnection,
    @Inject(TWIN_SYNC_OPTIONS) private readonly o: TwinSyncOptions,
    private readonly store: TwinSqliteStore,
    private readonly feed: TwinChangeFeed,
    metrics: MetricsRegistry,
  ) {
    this.compactor = new DeltaCompactor(o.windowMs);
    this.m = {
      deltas: metrics.counter('millwright_sync_deltas_total', 'Twin deltas written to the upstream outbox', ['kind']),
      bytes: metrics.counter('millwright_sync_bytes_total', 'Bytes of outbox messages written (gzipped payloads)'),
      failures: metrics.counter('millwright_sync_publish_failures_total', 'Outbox messages refused (their assets are resent as snapshots)'),
      events: metrics.counter('millwright_sync_events_total', 'Twin-changed events seen by the outbox, by what became of them', ['outcome']),
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    const jsm = await this.nc.jetstreamManager();
    await ensureStream(
      jsm,
      boundedFileStream(Streams.syncOut.name, Streams.syncOut.subjects, { maxBytes: this.o.streamMaxBytes, maxAgeMs: this.o.streamMaxAgeMs, duplicateWindowMs: 10 * 60_000 }),
    );
    this.lastOutboxSeq = (await jsm.streams.info(Streams.syncOut.name)).state.last_seq;
    this.js = this.outboxNc.jetstream();
    this.unsubscribeFeed = this.feed.subscribe((e) => this.onChange(e));
    this.subs.push(
      this.nc.subscribe(Subjects.syncSnapshotRequest(this.o.site), { callback: (err, msg) => !err && this.onSnapshotRequest(msg.json<SnapshotRequestV1>()) }),
    );
    for (const k of this.store.keysChangedSince(await this.unsentSince(jsm))) this.needSnapshot.add(`${k.site}/${k.asset}`);
    this.timers.push(
      setInterval(() => void this.flush(), this.o.windowMs),
      setInterval(() => this.compactor.closedCount > 0 && void this.flush(true), Math.min(250, this.o.windowMs)),
    );
    for (const t of this.timers) t.unref();
  }

  /**
   * From when changes may not have reached the outbox before the last stop, so that only those twins
   * are sent whole. A flush takes every change committed before it, and flushes follow each other
   * within a window; so a change older than the last stored delta message minus two windows (and the
   * publish retries' minute) was stored, or its failure made a snapshot that was. The health summaries
   * go to the same stream, so the last message on the twins subject is what counts.
   */
  private async unsentSince(jsm: JetStreamManager): Promise<number> {
    const last = await jsm.streams.getMessage(Streams.syncOut.name, { last_by_subj: Subjects.syncTwins(this.o.site) }).catch(() => null);
    return last ? last.time.getTime() - 2 * this.o.windowMs - 60_000 : 0;
  }

  async onApplicationShutdown(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.unsubscribeFeed?.();
    for (const s of this.subs) s.unsubscribe();
    await this.flush();
    if (!this.outboxNc.isClosed()) await this.outboxNc.drain().catch(() => undefined);
  }

  private onChange(e: TwinChangedV1): void {
    if (e.site !== this.o.site) return;
    const model = (e.changes.derived?.prediction as { modelVersion?: string } | undefined)?.modelVersion;
    if (model) this.modelVersion = model;
    const key = `${e.site}/${e.asset}`;
    if (this.needSnapshot.has(key)) {
      this.m.events.inc({ outcome: 'awaiting-snapshot' });
      return;
    }
    const outcome = this.compactor.add(e);
    this.m.events.inc({ outcome });
    if (outcome === 'gap') this.needSnapshot.add(key);
    if (this.compactor.closedCount >= CLOSED_HARD_CAP) {
      for (const c of this.compactor.takeClosed()) this.needSnapshot.add(`${c.delta.site}/${c.delta.asset}`);
      this.log.warn(`outbox falling behind: ${CLOSED_HARD_CAP} windows replaced by snapshots of their twins`);
    }
    if (this.compactor.closedCount >= CLOSED_HIGH_WATER) void this.flush(true);
  }

  private onSnapshotRequest(r: SnapshotRequestV1): void {
    if (r.site !== this.o.site || !Array.isArray(r.assets)) return;
    for (const asset of r.assets) if (typeof asset === 'string') this.needSnapshot.add(`${this.o.site}/${asset}`);
    this.log.warn(`central side asked for ${r.assets.length} snapshot(s)`);
  }

  /** Sends what was compacted (only closed windows when `closedOnly`), and the snapshots owed. One flush at a time. */
  flush(closedOnly = false): Promise<void> {
    this.flushing ??= this.send(closedOnly).finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  private async send(closedOnly: boolean): Promise<void> {
    const taken: CompactedDelta[] = closedOnly ? this.compactor.takeClosed() : this.compactor.take();
    const out: Array<{ d: TwinDeltaV1; kind: 'delta' | 'snapshot' }> = taken.map((c) => ({ d: this.withDesired(c), kind: 'delta' as const }));
    for (const key of [...this.needSnapshot]) {
      this.needSnapshot.delete(key);
      const [site, asset] = key.split('/');
      const twin = this.store.get(site, asset);
      if (!twin) continue;
      this.compactor.restart(site, asset, twin.version);
      out.push({ d: snapshotDelta(twin, this.store.desiredBase(site, asset).baseVersion), kind: 'snapshot' });
    }
    const chunks: Array<typeof out> = [];
    for (let i = 0; i < out.length; i += this.o.maxDeltasPerMessage) chunks.push(out.slice(i, i + this.o.maxDeltasPerMessage));
    if (chunks.length === 0) return;
    const bodies = await Promise.all(chunks.map((chunk) => gzipAsync(JSON.stringify({ site: this.o.site, deltas: chunk.map((c) => c.d) } satisfies TwinDeltaBatchV1))));
    const h = headers();
    h.set('Content-Encoding', 'gzip');
    // All published at once on one connection: the server stores them in call order (the deltas of an
    // asset chain in that order) and one round trip covers the flush, which keeps the outbox ahead of a
    // fast backlog replay. Anything that goes wrong is repaired by snapshots, which need no order.
    const results = await Promise.allSettled(bodies.map((body) => this.publishWithRetry(body, `${this.o.site}.${this.bootId}.${++this.messageNo}`, h)));
    const firstFailed = results.findIndex((r) => r.status === 'rejected');
    results.forEach((r, i) => {
      if (r.status !== 'fulfilled') return;
      this.lastOutboxSeq = Math.max(this.lastOutboxSeq, r.value.seq);
      this.m.bytes.inc(bodies[i].byteLength);
      for (const c of chunks[i]) this.m.deltas.inc({ kind: c.kind });
    });
    if (firstFailed >= 0) {
      this.publishFailures += 1;
      this.m.failures.inc();
      // Every later delta of these assets would leave a gap; a snapshot replaces them all.
      const lost = chunks.slice(firstFailed).flat();
      for (const c of lost) this.needSnapshot.add(`${c.d.site}/${c.d.asset}`);
      this.log.warn(`outbox refused deltas from message ${firstFailed + 1} of ${chunks.length} on, their assets follow as snapshots: ${((results[firstFailed] as PromiseRejectedResult).reason as Error).message}`);
    }
  }

  /**
   * A busy site server (a backlog being ingested) can miss a publish timeout; the same message id
   * makes a retry harmless, and a retry is far cheaper than resending every twin of the chunk whole.
   */
  private async publishWithRetry(body: Uint8Array, msgID: string, h: MsgHdrs): Promise<PubAck> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.js.publish(Subjects.syncTwins(this.o.site), body, { msgID, headers: h, timeout: 10_000 });
      } catch (e) {
        if (attempt >= PUBLISH_ATTEMPTS) throw e;
        this.log.warn(`outbox publish attempt ${attempt} failed, retrying: ${(e as Error).message}`);
      }
    }
  }

  /** The whole desired document rides along when it changed: the central side accepts documents, not patches. */
  private withDesired(c: CompactedDelta): TwinDeltaV1 {
    if (!c.desiredChanged) return c.delta;
    const twin = this.store.get(c.delta.site, c.delta.asset);
    return twin ? { ...c.delta, desired: { doc: twin.desired, baseVersion: this.store.desiredBase(c.delta.site, c.delta.asset).baseVersion } } : c.delta;
  }
}
