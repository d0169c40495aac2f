import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Streams, Subjects, type TwinChangedV1, type TwinDeltaV1 } from '@millwright/contracts';
import { NATS_CONNECTION, ensureStream } from '@millwright/messaging';
import { MetricsRegistry } from '@millwright/observability';
import { DeltaCompactor } from '@millwright/sync-domain';
import { TwinSqliteStore } from '@millwright/twin-data-access';
import { DiscardPolicy, RetentionPolicy, StorageType, nanos, type JetStreamClient, type NatsConnection, type Subscription } from 'nats';
import { snapshotDelta } from './twin-snapshot';

export interface TwinSyncOptions {
  /** How long changes are compacted before they are sent. */
  intervalMs: number;
  /** The upstream outbox: what the site can hold while its uplink is down. */
  streamMaxBytes: number;
  streamMaxAgeMs: number;
}
export const TWIN_SYNC_OPTIONS = Symbol('TWIN_SYNC_OPTIONS');

const enc = new TextEncoder();
const PAGE = 500;

/**
 * Feeds the site's upstream outbox (the SYNC_OUT stream, which the hub sources whenever the link is
 * up) with compacted twin deltas. Twin-changed events are at-most-once, so anything uncertain (a
 * missed event, a failed publish, a restart) is repaired with a snapshot of the twin; the message id
 * (asset and version) lets the stream drop what it already has.
 */
@Injectable()
export class TwinSyncService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger(TwinSyncService.name);
  private readonly compactor = new DeltaCompactor();
  /** Assets whose next message must be a snapshot. */
  private readonly needSnapshot = new Set<string>();
  private js!: JetStreamClient;
  private sub?: Subscription;
  private timer?: NodeJS.Timeout;
  private flushing?: Promise<void>;
  private readonly m;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(TWIN_SYNC_OPTIONS) private readonly o: TwinSyncOptions,
    private readonly store: TwinSqliteStore,
    metrics: MetricsRegistry,
  ) {
    this.m = {
      deltas: metrics.counter('millwright_sync_deltas_total', 'Twin deltas written to the upstream outbox', ['kind']),
      failures: metrics.counter('millwright_sync_publish_failures_total', 'Deltas the outbox refused (resent as snapshots)'),
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    await ensureStream(await this.nc.jetstreamManager(), {
      name: Streams.syncOut.name,
      subjects: [...Streams.syncOut.subjects],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      discard: DiscardPolicy.Old,
      max_bytes: this.o.streamMaxBytes,
      max_age: nanos(this.o.streamMaxAgeMs),
      duplicate_window: nanos(10 * 60_000),
    });
    this.js = this.nc.jetstream();
    this.sub = this.nc.subscribe(Subjects.allTwinChanges, { callback: (err, msg) => !err && this.onChange(msg.json<TwinChangedV1>()) });
    // After a start nothing is known about what reached the outbox: every twin goes as a snapshot.
    for (let after: string | undefined, page; (page = this.store.list({ after, limit: PAGE })).length > 0; after = `${page[page.length - 1].site}/${page[page.length - 1].asset}`) {
      for (const t of page) this.needSnapshot.add(`${t.site}/${t.asset}`);
    }
    this.timer = setInterval(() => void this.flush(), this.o.intervalMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    this.sub?.unsubscribe();
    await this.flush();
  }

  private onChange(e: TwinChangedV1): void {
    const key = `${e.site}/${e.asset}`;
    if (this.needSnapshot.has(key)) return;
    if (this.compactor.add(e) === 'gap') this.needSnapshot.add(key);
  }

  /** Sends what was compacted since the last flush, and the snapshots owed. One flush at a time. */
  flush(): Promise<void> {
    this.flushing ??= this.send().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  private async send(): Promise<void> {
    const out: Array<{ d: TwinDeltaV1; kind: 'delta' | 'snapshot' }> = this.compactor.take().map((d) => ({ d, kind: 'delta' as const }));
    for (const key of [...this.needSnapshot]) {
      this.needSnapshot.delete(key);
      const [site, asset] = key.split('/');
      const twin = this.store.get(site, asset);
      if (!twin) continue;
      this.compactor.restart(site, asset, twin.version);
      out.push({ d: snapshotDelta(twin), kind: 'snapshot' });
    }
    await Promise.all(
      out.map(async ({ d, kind }) => {
        try {
          await this.js.publish(Subjects.twinDelta(d.site, d.asset), enc.encode(JSON.stringify(d)), { msgID: `${d.site}.${d.asset}.${d.fromVersion}-${d.toVersion}` });
          this.m.deltas.inc({ kind });
        } catch (e) {
          this.m.failures.inc();
          this.needSnapshot.add(`${d.site}/${d.asset}`);
          this.log.warn(`delta for ${d.site}/${d.asset} not stored, a snapshot follows: ${(e as Error).message}`);
        }
      }),
    );
  }
}
