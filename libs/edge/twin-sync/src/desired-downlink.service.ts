import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import {
  Streams,
  Subjects,
  deadLetterOf,
  validateDesiredUpdate,
  type DesiredConflictsV1,
  type TwinChangedV1,
} from '@millwright/contracts';
import { JetStreamBatchConsumer, NATS_CONNECTION, ensureConsumer, ensureStream, publishJsonDurably, boundedFileStream } from '@millwright/messaging';
import { MetricsRegistry } from '@millwright/observability';
import { reconcileDesired } from '@millwright/sync-domain';
import { TwinChangeFeed, TwinSqliteStore } from '@millwright/twin-data-access';
import type { JsonObject } from '@millwright/twin-domain';
import { announceTwinChanges } from '@millwright/twin-ingest';
import { AckPolicy, DeliverPolicy, type JsMsg, type NatsConnection } from 'nats';
import { TWIN_SYNC_OPTIONS, type TwinSyncOptions } from './twin-sync.options';

const DURABLE = 'twin-desired';

/**
 * Takes central desired documents for this site's assets from DOWNLINK_IN (the site's part of the
 * hub's DOWNLINK stream, sourced across the leaf link whenever it is up, so a change made centrally
 * during an outage arrives after it). Each document is merged with what the edge changed meanwhile
 * (`reconcileDesired`), conflicts are written to the outbox first, then the merge is committed, then
 * acked: a crash anywhere redelivers the document, which merges again from the same base.
 */
@Injectable()
export class DesiredDownlinkService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger(DesiredDownlinkService.name);
  private consumer?: JetStreamBatchConsumer;
  private readonly m;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(TWIN_SYNC_OPTIONS) private readonly o: TwinSyncOptions,
    private readonly store: TwinSqliteStore,
    private readonly feed: TwinChangeFeed,
    metrics: MetricsRegistry,
  ) {
    this.m = {
      applied: metrics.counter('millwright_desired_downlink_total', 'Central desired documents taken', ['outcome']),
      conflicts: metrics.counter('millwright_desired_conflicts_total', 'Desired fields changed on both sides during an outage (central kept)'),
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    const jsm = await this.nc.jetstreamManager();
    await ensureStream(
      jsm,
      boundedFileStream(
        Streams.downlinkIn.name,
        [],
        { maxMsgsPerSubject: 1 },
        {
          sources: [
            {
              name: 'DOWNLINK',
              filter_subject: Subjects.downlinkOfSite(this.o.site),
              external: { api: `$JS.${this.o.hubDomain}.API`, deliver: `deliver.downlink.${this.o.site}` },
            },
          ],
        },
      ),
    );
    await ensureConsumer(jsm, Streams.downlinkIn.name, {
      durable_name: DURABLE,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      filter_subject: Subjects.downlinkDesired(this.o.site, '*'),
      max_ack_pending: 256,
    });
    this.consumer = new JetStreamBatchConsumer(this.nc.jetstream(), { stream: Streams.downlinkIn.name, durable: DURABLE, maxAckPending: 256, retryDelayMs: 1000 }, (buf) => this.handle(buf));
    await this.consumer.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.consumer?.stop();
  }

  private async handle(buf: readonly JsMsg[]): Promise<{ taken: number }> {
    for (const m of buf) await this.take(m);
    return { taken: buf.length };
  }

  private async take(m: JsMsg): Promise<void> {
    const now = Date.now();
    let body: unknown;
    try {
      body = m.json();
    } catch {
      body = undefined;
    }
    const v = validateDesiredUpdate(body, this.o.site);
    if (!v.ok) {
      await publishJsonDurably(this.nc.jetstream(), Subjects.deadLetter('sync', this.o.site), deadLetterOf('sync', m, v.code, v.detail, now), `downlink.${m.seq}`);
      this.m.applied.inc({ outcome: 'rejected' });
      return;
    }
    const u = v.value;
    const twin = this.store.get(u.site, u.asset);
    const { base, baseVersion } = this.store.desiredBase(u.site, u.asset);
    const r = reconcileDesired({ desired: twin?.desired ?? {}, base, baseVersion }, { version: u.version, desired: u.desired });
    if (r.kind === 'stale') {
      this.m.applied.inc({ outcome: 'stale' });
      return;
    }
    if (r.conflicts.length > 0) {
      const report: DesiredConflictsV1 = {
        site: u.site,
        conflicts: r.conflicts.map((c) => ({ ...c, site: u.site, asset: u.asset, centralVersion: u.version, at: now })),
      };
      await publishJsonDurably(this.nc.jetstream(), Subjects.syncConflicts(u.site), report, `conflicts.${u.asset}.${u.version}`);
      this.m.conflicts.inc(r.conflicts.length);
      this.log.warn(`desired ${u.site}/${u.asset}: ${r.conflicts.map((c) => c.field).join(', ')} changed on both sides, central value kept`);
    }
    // A new twin version also when only the base moved but the edge keeps changes: its next delta then
    // carries the document on the new base, for the central side to accept.
    const write = r.desiredChanged || r.edgeKeepsChanges;
    const before = twin?.version ?? 0;
    const after = this.store.commitCentralDesired(u.site, u.asset, r.state.base as JsonObject, r.state.baseVersion, write ? (r.state.desired as JsonObject) : undefined, now);
    if (after) {
      const event: TwinChangedV1 = { site: u.site, asset: u.asset, version: after.version, fromVersion: before, cause: 'desired', at: now, changes: { desired: r.state.desired as JsonObject }, lastSeq: after.lastSeq };
      announceTwinChanges(this.nc, this.feed, [event]);
    }
    this.m.applied.inc({ outcome: 'merged' });
  }
}
