import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { HubStreams, Streams, Subjects, encodeDeadLetterPayload, type DeadLetterV1, type SnapshotRequestV1, type SyncAppliedV1 } from '@millwright/contracts';
import { JetStreamBatchConsumer, NATS_CONNECTION, ensureConsumer, ensureStream, publishJson, publishJsonDurably, boundedFileStream } from '@millwright/messaging';
import { MetricsRegistry } from '@millwright/observability';
import { PlatformStore } from '@millwright/platform-data-access';
import { AckPolicy, DeliverPolicy, nanos, type JetStreamManager, type JsMsg, type NatsConnection } from 'nats';
import { DesiredDownlinkPublisher } from './desired-downlink.publisher';
import { ModelRolloutPublisher } from './model-rollout.publisher';
import { PLATFORM_DURABLE, PLATFORM_SYNC_OPTIONS, type PlatformSyncOptions } from './platform-sync.options';
import { SiteInboxApplier, type InboxEntry } from './site-inbox.applier';
import { decodeSyncMessage, sourceOf } from './sync-message.decoder';

/** The same asset is asked for a snapshot at most this often while its gap persists. */
const SNAPSHOT_REQUEST_EVERY_MS = 10_000;

interface SiteRuntime {
  id: string;
  consumer: JetStreamBatchConsumer;
  appliedOutboxSeq: number;
  announcedAt: number;
}

/**
 * Pulls every registered site's hub inbox (SYNC_IN_<site>: the site's SYNC_OUT and ORDERS streams,
 * sourced across JetStream domains whenever its leaf link is up) and applies it to the central copy.
 * One message in flight per site: deltas of an asset chain by version, and a redelivery overtaking
 * newer messages after a crash would otherwise look like a gap.
 */
@Injectable()
export class SiteSyncService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger(SiteSyncService.name);
  private readonly sites = new Map<string, SiteRuntime>();
  private readonly applier: SiteInboxApplier;
  private readonly snapshotAsked = new Map<string, number>();
  private jsm!: JetStreamManager;
  private timer?: NodeJS.Timeout;
  private readonly m;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(PLATFORM_SYNC_OPTIONS) private readonly o: PlatformSyncOptions,
    private readonly store: PlatformStore,
    private readonly downlink: DesiredDownlinkPublisher,
    private readonly rollout: ModelRolloutPublisher,
    metrics: MetricsRegistry,
  ) {
    this.applier = new SiteInboxApplier(store);
    this.m = {
      deltas: metrics.counter('millwright_platform_deltas_total', 'Twin deltas from sites', ['site', 'outcome']),
      rejected: metrics.counter('millwright_platform_rejected_total', 'Inbox messages refused and dead-lettered', ['site', 'code']),
      failures: metrics.counter('millwright_platform_apply_failures_total', 'Inbox batches whose commit failed (redelivered)', ['site']),
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    this.jsm = await this.nc.jetstreamManager();
    // Every downlink message is a whole document: the newest per subject is all a site needs.
    await ensureStream(
      this.jsm,
      boundedFileStream(HubStreams.downlink.name, HubStreams.downlink.subjects, { maxMsgsPerSubject: 1, maxAgeMs: this.o.downlinkMaxAgeMs, duplicateWindowMs: 10 * 60_000 }),
    );
    await ensureStream(this.jsm, boundedFileStream(Streams.deadLetters.name, [Subjects.allDeadLetters], { maxBytes: this.o.deadLetterMaxBytes }));
    for (const s of this.o.sites) await this.addSite(s.id, s.domain);
    this.timer = setInterval(() => void this.tick(), this.o.announceIntervalMs);
    this.timer.unref();
    void this.downlink.publishOwed();
    void this.rollout.run().catch(() => undefined);
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    for (const s of this.sites.values()) await s.consumer.stop();
  }

  /** Registers a site (idempotent): its hub inbox sources the site's outbox and order events. */
  async addSite(id: string, domain: string): Promise<void> {
    const site = await this.store.registerSite(id, domain, Date.now());
    if (this.sites.has(id)) return;
    const stream = HubStreams.syncIn(id);
    const external = { api: `$JS.${domain}.API`, deliver: `deliver.sync.${id}` };
    await ensureStream(
      this.jsm,
      boundedFileStream(
        stream,
        [],
        { maxBytes: this.o.inboxMaxBytes },
        {
          sources: [
            { name: Streams.syncOut.name, external },
            { name: Streams.orders.name, external },
          ],
        },
      ),
    );
    await ensureConsumer(this.jsm, stream, { durable_name: PLATFORM_DURABLE, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All, ack_wait: nanos(this.o.ackWaitMs), max_ack_pending: 1 });
    const rt: SiteRuntime = {
      id,
      appliedOutboxSeq: site.appliedOutboxSeq,
      announcedAt: 0,
      consumer: new JetStreamBatchConsumer(this.nc.jetstream(), { stream, durable: PLATFORM_DURABLE, maxAckPending: 1, retryDelayMs: 1000 }, (buf) => this.handle(rt, buf)),
    };
    this.sites.set(id, rt);
    await rt.consumer.start();
    this.log.log(`site ${id}: consuming ${stream} (domain ${domain})`);
  }

  private async handle(rt: SiteRuntime, buf: readonly JsMsg[]): Promise<{ taken: number }> {
    // One message at a time (max_ack_pending 1, see the class comment): one transaction per message.
    const entries: InboxEntry[] = [];
    for (const m of buf.slice(0, 1)) {
      const src = sourceOf(m.headers);
      const item = decodeSyncMessage(rt.id, m.subject, m.data, m.headers);
      entries.push({ item, outboxSeq: src?.stream === Streams.syncOut.name ? src.seq : null });
      if (item.kind === 'rejected') {
        const letter: DeadLetterV1 = { source: 'sync', reason: item.code, detail: item.detail, subject: m.subject, rejectedAt: Date.now(), ...encodeDeadLetterPayload(m.data), streamSeq: m.seq };
        await publishJsonDurably(this.nc.jetstream(), Subjects.deadLetter('sync', rt.id), letter, `${HubStreams.syncIn(rt.id)}.${m.seq}`);
        this.m.rejected.inc({ site: rt.id, code: item.code });
        this.log.warn(`site ${rt.id}: refused ${m.subject}: ${item.code} ${item.detail}`);
      }
    }
    let s;
    try {
      s = await this.applier.apply(rt.id, entries, rt.appliedOutboxSeq, Date.now());
    } catch (e) {
      this.m.failures.inc({ site: rt.id });
      throw e;
    }
    rt.appliedOutboxSeq = s.appliedOutboxSeq;
    this.m.deltas.inc({ site: rt.id, outcome: 'applied' }, s.applied);
    this.m.deltas.inc({ site: rt.id, outcome: 'duplicate' }, s.duplicates);
    this.m.deltas.inc({ site: rt.id, outcome: 'gap' }, s.gaps.length);
    // During a drain the site learns its position at most a few times per announce interval, not per message.
    if (Date.now() - rt.announcedAt >= this.o.announceIntervalMs / 4) this.announce(rt);
    if (s.gaps.length > 0) this.requestSnapshots(rt.id, s.gaps);
    if (s.desiredAccepted.length > 0) void this.downlink.publishOwed();
    if (s.modelStatuses > 0) void this.rollout.run().catch((e: Error) => this.log.warn(`model rollout: ${e.message}`));
    return { taken: 1 };
  }

  private announce(rt: SiteRuntime): void {
    const a: SyncAppliedV1 = { site: rt.id, outboxSeq: rt.appliedOutboxSeq, at: Date.now() };
    rt.announcedAt = a.at;
    publishJson(this.nc, Subjects.syncApplied(rt.id), a);
  }

  private requestSnapshots(site: string, assets: string[]): void {
    const now = Date.now();
    const due = assets.filter((a) => (this.snapshotAsked.get(`${site}/${a}`) ?? 0) + SNAPSHOT_REQUEST_EVERY_MS <= now);
    if (due.length === 0) return;
    for (const a of due) this.snapshotAsked.set(`${site}/${a}`, now);
    const r: SnapshotRequestV1 = { site, assets: due };
    publishJson(this.nc, Subjects.syncSnapshotRequest(site), r);
    this.log.warn(`site ${site}: ${due.length} asset(s) have a gap, snapshots requested`);
  }

  private async tick(): Promise<void> {
    for (const rt of this.sites.values()) this.announce(rt);
    await this.downlink.publishOwed().catch(() => undefined);
    await this.rollout.run().catch((e: Error) => this.log.warn(`model rollout: ${e.message}`));
  }
}
