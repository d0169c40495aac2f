import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Streams, Subjects, type SiteHealthV1, type SyncAppliedV1, type SyncBacklog } from '@millwright/contracts';
import { NATS_CONNECTION, publishJsonDurably } from '@millwright/messaging';
import { MetricsRegistry } from '@millwright/observability';
import { TwinSqliteStore } from '@millwright/twin-data-access';
import type { Counter, Gauge } from 'prom-client';
import type { JetStreamManager, NatsConnection, Subscription } from 'nats';
import { TwinOutboxService } from './twin-outbox.service';
import { TWIN_SYNC_OPTIONS, type TwinSyncOptions } from './twin-sync.options';

export interface SyncStatus {
  site: string;
  link: 'up' | 'down';
  /** Highest outbox sequence written, and the highest the central platform confirmed applied. */
  outboxSeq: number;
  appliedSeq: number | null;
  backlog: SyncBacklog;
  lastHealth: SiteHealthV1 | null;
}

/**
 * The site's vital signs, summed up at the edge and sent upstream every few seconds through the
 * outbox (so a summary written during an outage still arrives, in order, after it). Also tracks the
 * backlog: the central platform announces how far it has applied the outbox, and everything beyond
 * that is not yet safe centrally, whether it is still at the edge or in flight.
 */
@Injectable()
export class SiteHealthReporter implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger(SiteHealthReporter.name);
  private jsm!: JetStreamManager;
  private sub?: Subscription;
  private timer?: NodeJS.Timeout;
  private appliedSeq: number | null = null;
  private lastHealth: SiteHealthV1 | null = null;
  private lastIngested: { count: number; at: number } | null = null;
  private link: 'up' | 'down' = 'down';
  private oldest?: { seq: number; time: number };
  private backlog: SyncBacklog = { messages: null, oldestAgeMs: null };
  private readonly metrics: MetricsRegistry;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(TWIN_SYNC_OPTIONS) private readonly o: TwinSyncOptions,
    private readonly outbox: TwinOutboxService,
    private readonly store: TwinSqliteStore,
    metrics: MetricsRegistry,
  ) {
    this.metrics = metrics;
    // Gauges read the state the last summary measured; collecting them never calls the network.
    const read = () => ({ backlog: this.backlog, link: this.link });
    metrics.gauge('millwright_sync_backlog_messages', 'Outbox messages the central platform has not confirmed (-1: unknown yet)', [], function () {
      this.set(read().backlog.messages ?? -1);
    });
    metrics.gauge('millwright_sync_backlog_oldest_seconds', 'Age of the oldest unconfirmed outbox message', [], function () {
      this.set((read().backlog.oldestAgeMs ?? 0) / 1000);
    });
    metrics.gauge('millwright_sync_link_up', 'Whether the hub answered the last probe (1) or not (0)', [], function () {
      this.set(read().link === 'up' ? 1 : 0);
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    this.jsm = await this.nc.jetstreamManager();
    this.sub = this.nc.subscribe(Subjects.syncApplied(this.o.site), {
      callback: (err, msg) => {
        if (err) return;
        const a = msg.json<SyncAppliedV1>();
        if (a.site === this.o.site && Number.isSafeInteger(a.outboxSeq)) this.appliedSeq = Math.max(this.appliedSeq ?? 0, a.outboxSeq);
      },
    });
    this.timer = setInterval(() => void this.report().catch((e) => this.log.warn(`health summary failed: ${(e as Error).message}`)), this.o.healthIntervalMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    this.sub?.unsubscribe();
  }

  status(): SyncStatus {
    return { site: this.o.site, link: this.link, outboxSeq: this.outbox.lastOutboxSeq, appliedSeq: this.appliedSeq, backlog: this.backlog, lastHealth: this.lastHealth };
  }

  /** Builds and sends one summary. */
  async report(now = Date.now()): Promise<SiteHealthV1> {
    this.link = (await this.probeHub()) ? 'up' : 'down';
    this.backlog = await this.measureBacklog(now);
    const ingested = await this.metricTotal('millwright_readings_ingested_total');
    const rate = this.lastIngested && now > this.lastIngested.at ? ((ingested - this.lastIngested.count) * 1000) / (now - this.lastIngested.at) : 0;
    this.lastIngested = { count: ingested, at: now };
    // The ingest already polls its consumer for this gauge: read it rather than ask the server again.
    const lag = this.metrics.registry.getSingleMetric('millwright_ingest_consumer_pending') ? await this.metricTotal('millwright_ingest_consumer_pending') : null;
    const health: SiteHealthV1 = {
      site: this.o.site,
      at: now,
      readingsPerSec: Math.round(rate * 10) / 10,
      consumerLag: lag,
      backlog: this.backlog,
      twins: this.store.count(),
      modelVersion: this.outbox.modelVersion,
      errors: {
        readingsRejected: await this.metricTotal('millwright_readings_rejected_total'),
        ingestCommitFailures: await this.metricTotal('millwright_ingest_commit_failures_total'),
        outboxPublishFailures: this.outbox.publishFailures,
      },
      link: this.link,
    };
    await publishJsonDurably(this.nc.jetstream(), Subjects.syncHealth(this.o.site), health, `health.${this.o.site}.${now}`);
    this.lastHealth = health;
    return health;
  }

  /** The hub's JetStream answers across the leaf link only while the link is up. */
  private async probeHub(): Promise<boolean> {
    try {
      await this.nc.request(`$JS.${this.o.hubDomain}.API.INFO`, undefined, { timeout: 1000 });
      return true;
    } catch {
      return false;
    }
  }

  private async measureBacklog(now: number): Promise<SyncBacklog> {
    if (this.appliedSeq === null) return { messages: null, oldestAgeMs: null };
    const messages = Math.max(0, this.outbox.lastOutboxSeq - this.appliedSeq);
    if (messages === 0) return { messages, oldestAgeMs: 0 };
    // The oldest unconfirmed message stays the same through an outage: read its time once.
    const seq = this.appliedSeq + 1;
    if (this.oldest?.seq !== seq) {
      const m = await this.jsm.streams.getMessage(Streams.syncOut.name, { seq }).catch(() => null);
      this.oldest = m ? { seq, time: m.time.getTime() } : undefined;
    }
    return { messages, oldestAgeMs: this.oldest ? Math.max(0, now - this.oldest.time) : null };
  }

  private async metricTotal(name: string): Promise<number> {
    const c = this.metrics.registry.getSingleMetric(name) as Counter | Gauge | undefined;
    if (!c) return 0;
    return (await c.get()).values.reduce((n, v) => n + v.value, 0);
  }
}
