import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { JetStreamBatchConsumer, NATS_CONNECTION, ensureConsumer, ensureStream, publishJsonDurably, type BatchOutcome } from '@millwright/messaging';
import { HealthRegistry, MetricsRegistry } from '@millwright/observability';
import { Streams } from '@millwright/contracts';
import { TwinChangeFeed, TwinSqliteStore } from '@millwright/twin-data-access';
import type { JetStreamClient, JetStreamManager, JsMsg, NatsConnection } from 'nats';
import { IngestBatchProcessor } from './ingest-batch.processor';
import { frameLimit } from './twin-change.framer';
import { INGEST_DURABLE, INGEST_RETRY_DELAY_MS, TELEMETRY_INGEST_OPTIONS, type TelemetryIngestOptions } from './telemetry-ingest.options';
import { announceTwinChangeFrames } from './twin-changed.publisher';
import { deadLetterStreamConfig, ingestConsumerConfig, telemetryStreamConfig } from './telemetry-stream.config';

/**
 * Telemetry from JetStream into the twins: each batch is validated, applied and committed in one
 * transaction; then events go out and dead letters are stored; only then are the messages acked.
 * A crash at any point means redelivery, which the twin model makes harmless.
 */
@Injectable()
export class TelemetryIngestService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger(TelemetryIngestService.name);
  private readonly processor: IngestBatchProcessor;
  private js!: JetStreamClient;
  private consumer?: JetStreamBatchConsumer;
  private pendingTimer?: NodeJS.Timeout;
  private readonly m;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(TELEMETRY_INGEST_OPTIONS) private readonly o: TelemetryIngestOptions,
    private readonly store: TwinSqliteStore,
    private readonly feed: TwinChangeFeed,
    metrics: MetricsRegistry,
    health: HealthRegistry,
  ) {
    this.processor = new IngestBatchProcessor(store, Date.now, frameLimit(nc));
    this.m = {
      ingested: metrics.counter('millwright_readings_ingested_total', 'Readings accepted and committed to twins'),
      rejected: metrics.counter('millwright_readings_rejected_total', 'Messages or readings refused and dead-lettered', ['reason']),
      batches: metrics.counter('millwright_ingest_batches_total', 'Committed ingest batches'),
      commitFailures: metrics.counter('millwright_ingest_commit_failures_total', 'Batches whose commit failed (redelivered later)'),
      batchSeconds: metrics.histogram('millwright_ingest_batch_seconds', 'Time to validate, apply and commit one batch', [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1]),
      events: metrics.counter('millwright_twin_changed_events_total', 'Twin-changed events published'),
      pending: metrics.gauge('millwright_ingest_consumer_pending', 'Telemetry messages waiting in the stream for the twin service'),
    };
    const consumer = () => this.consumer;
    metrics.gauge('millwright_ingest_max_ack_pending', 'Telemetry messages the server may have in flight to the service (fewer than configured when messages are large)', [], function () {
      const n = consumer()?.inFlightLimit;
      if (n !== undefined) this.set(n);
    });
    metrics.gauge('millwright_twins', 'Twins in the store', [], function () {
      this.set(store.count());
    });
    metrics.gauge('millwright_twins_dirty', 'Twins changed by readings whose rows are not written yet (the reading log holds the change)', [], function () {
      this.set(store.dirtyCount());
    });
    health.register('nats', () => (this.nc.isClosed() ? 'NATS connection closed' : null));
    health.register('telemetry-consumer', () => (this.consumer?.running ? null : 'telemetry consumer not running'));
  }

  async onApplicationBootstrap(): Promise<void> {
    const jsm = await this.nc.jetstreamManager();
    await ensureStream(jsm, telemetryStreamConfig(this.o));
    await ensureStream(jsm, deadLetterStreamConfig(this.o));
    await ensureConsumer(jsm, Streams.telemetry.name, ingestConsumerConfig(this.o));
    this.js = this.nc.jetstream();
    this.consumer = new JetStreamBatchConsumer(
      this.js,
      { stream: Streams.telemetry.name, durable: INGEST_DURABLE, maxAckPending: this.o.maxAckPending, maxBytesInFlight: this.o.maxBytesInFlight, retryDelayMs: INGEST_RETRY_DELAY_MS },
      (buffer) => this.handle(buffer),
    );
    await this.consumer.start();
    this.pendingTimer = setInterval(() => void this.refreshPending(jsm), 5000);
    this.pendingTimer.unref();
    this.log.log(`consuming ${Streams.telemetry.subjects.join(', ')} as '${INGEST_DURABLE}'`);
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.pendingTimer);
    await this.consumer?.stop();
    // Only telemetry leaves twins dirty (see TwinSqliteStore): with the consumer stopped, nothing will
    // after this, and the next start has no log to replay. Runs before the data source closes: this
    // module is not global, and global ones (TypeORM's) shut down last.
    try {
      const n = this.store.flush();
      if (n > 0) this.log.log(`wrote ${n} dirty twins after the last batch`);
    } catch (e) {
      this.log.error(`dirty twins not written at shutdown (the reading log replays them on start): ${(e as Error).message}`);
    }
  }

  private async handle(buffer: readonly JsMsg[]): Promise<BatchOutcome> {
    const started = process.hrtime.bigint();
    let batch;
    try {
      batch = this.processor.commit(buffer, this.o.maxBatchReadings);
    } catch (e) {
      this.m.commitFailures.inc();
      throw e;
    }
    this.m.batchSeconds.observe(Number(process.hrtime.bigint() - started) / 1e9);
    this.m.batches.inc();
    this.m.ingested.inc(batch.accepted);
    if (batch.frameError) this.log.error(batch.frameError);
    announceTwinChangeFrames(this.nc, this.feed, batch.frames);
    for (const f of batch.frames) this.m.events.inc(f.events);

    const retry = new Set<number>();
    await Promise.all(
      batch.deadLetters.map(async (d) => {
        try {
          await publishJsonDurably(this.js, d.subject, d.letter, d.msgId);
          this.m.rejected.inc({ reason: d.letter.reason });
        } catch (e) {
          retry.add(d.from);
          this.log.error(`dead letter for stream seq ${d.letter.streamSeq} not stored, will retry: ${(e as Error).message}`);
        }
      }),
    );
    return { taken: batch.taken, retry };
  }

  private async refreshPending(jsm: JetStreamManager): Promise<void> {
    try {
      const info = await jsm.consumers.info(Streams.telemetry.name, INGEST_DURABLE);
      this.m.pending.set(info.num_pending + info.num_ack_pending);
    } catch {
      // Broker unreachable: the gauge keeps its last value and readiness reports the connection.
    }
  }
}
