import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { JetStreamBatchConsumer, NATS_CONNECTION, ensureConsumer, ensureStream, publishJsonDurably, type BatchOutcome, boundedFileStream } from '@millwright/messaging';
import { HealthRegistry, MetricsRegistry } from '@millwright/observability';
import { Streams, Subjects, deadLetterOf, parsePredictionBatch, type DeadLetterV1, type TwinChangedV1 } from '@millwright/contracts';
import { TwinChangeFeed, TwinSqliteStore } from '@millwright/twin-data-access';
import { applyPrediction, type AssetTwin, type JsonObject } from '@millwright/twin-domain';
import { AckPolicy, nanos, type JetStreamClient, type JsMsg, type NatsConnection } from 'nats';
import { INGEST_RETRY_DELAY_MS, TELEMETRY_INGEST_OPTIONS, type TelemetryIngestOptions } from './telemetry-ingest.options';
import { announceTwinChanges } from './twin-changed.publisher';

export const DERIVED_DURABLE = 'twin-derived';

/**
 * Predictions from the PREDICTIONS stream into the twins' derived state, in batches, with the same
 * commit-then-ack discipline as telemetry. The stream is kept (limits retention) because the central
 * sync forwards predictions too.
 */
@Injectable()
export class PredictionIngestService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger(PredictionIngestService.name);
  private js!: JetStreamClient;
  private consumer?: JetStreamBatchConsumer;
  private readonly applied;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(TELEMETRY_INGEST_OPTIONS) private readonly o: TelemetryIngestOptions,
    private readonly store: TwinSqliteStore,
    private readonly feed: TwinChangeFeed,
    metrics: MetricsRegistry,
    health: HealthRegistry,
  ) {
    this.applied = metrics.counter('millwright_predictions_applied_total', 'Predictions written into twins');
    health.register('prediction-consumer', () => (this.consumer?.running ? null : 'prediction consumer not running'));
  }

  async onApplicationBootstrap(): Promise<void> {
    const jsm = await this.nc.jetstreamManager();
    await ensureStream(
      jsm,
      boundedFileStream(Streams.predictions.name, Streams.predictions.subjects, {
        maxBytes: this.o.predictionsMaxBytes,
        maxAgeMs: this.o.predictionsMaxAgeMs,
        replicas: this.o.replicas,
        duplicateWindowMs: 120_000,
      }),
    );
    await ensureConsumer(jsm, Streams.predictions.name, { durable_name: DERIVED_DURABLE, ack_policy: AckPolicy.Explicit, ack_wait: nanos(this.o.ackWaitMs), max_ack_pending: this.o.maxAckPending });
    this.js = this.nc.jetstream();
    this.consumer = new JetStreamBatchConsumer(
      this.js,
      { stream: Streams.predictions.name, durable: DERIVED_DURABLE, maxAckPending: this.o.maxAckPending, retryDelayMs: INGEST_RETRY_DELAY_MS },
      (buffer) => this.handle(buffer),
    );
    await this.consumer.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.consumer?.stop();
  }

  private async handle(buffer: readonly JsMsg[]): Promise<BatchOutcome> {
    const now = Date.now();
    // Every applied prediction is its own twin change (a version and an event), also when one batch
    // holds several for a twin: each is stored, none is merged away.
    const applied: Array<{ twin: AssetTwin; version: number; derived: JsonObject; event: TwinChangedV1 }> = [];
    const deadLetters: Array<{ subject: string; letter: DeadLetterV1; msgId: string; from: number }> = [];
    // Messages from the front until the batch holds about as many predictions as a telemetry batch
    // holds readings: that bounds how long one commit holds the event loop after a backlog, and keeps
    // its lists small (a list of tens of thousands goes to V8's large-object space, which only a
    // mark-compact clears: taking 200 messages of 256 at a time halved the write-back's rate).
    let taken = 0;
    let predictions = 0;
    while (taken < buffer.length && predictions < this.o.maxBatchReadings) {
      const i = taken++;
      const m = buffer[i];
      const site = m.subject.split('.')[2] ?? '';
      const batch = parsePredictionBatch(site, m.data);
      if ('reason' in batch) {
        deadLetters.push({
          subject: Subjects.deadLetter('prediction', site || undefined),
          msgId: `prediction-${m.seq}`,
          from: i,
          letter: deadLetterOf('prediction', m, batch.reason, batch.detail, now),
        });
        continue;
      }
      predictions += batch.predictions.length;
      for (const p of batch.predictions) {
        const twin = this.store.get(p.site, p.asset);
        if (!twin) continue; // a prediction for an asset this site never heard of has nothing to attach to
        const fromVersion = twin.version;
        const changes = applyPrediction(twin, p, now);
        if (!changes) continue;
        applied.push({
          twin,
          version: twin.version,
          // The fields it set: logged, and sent in the event, as one JSON text.
          derived: changes,
          event: { site: twin.site, asset: twin.asset, version: twin.version, fromVersion, cause: 'derived', at: now, changes: { derived: changes }, lastSeq: twin.lastSeq },
        });
      }
    }
    this.store.commitDerived(applied);
    this.applied.inc(applied.length);
    announceTwinChanges(
      this.nc,
      this.feed,
      applied.map((a) => a.event),
    );
    const retry = new Set<number>();
    await Promise.all(
      deadLetters.map((d) =>
        publishJsonDurably(this.js, d.subject, d.letter, d.msgId).catch((e: Error) => {
          retry.add(d.from);
          this.log.error(`dead letter not stored, will retry: ${e.message}`);
        }),
      ),
    );
    return { taken, retry };
  }
}
