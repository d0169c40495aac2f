import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { NATS_CONNECTION, ensureConsumer, ensureStream, publishJson, publishJsonDurably } from '@millwright/messaging';
import { HealthRegistry, MetricsRegistry } from '@millwright/observability';
import { Streams, type ParsedTelemetry } from '@millwright/contracts';
import { TwinSqliteStore } from '@millwright/twin-data-access';
import type { ConsumerMessages, JetStreamClient, JsMsg, NatsConnection } from 'nats';
import { IngestBatchProcessor, type InboundMessage } from './ingest-batch.processor';
import { INGEST_DURABLE, TELEMETRY_INGEST_OPTIONS, type TelemetryIngestOptions } from './telemetry-ingest.options';
import { deadLetterStreamConfig, ingestConsumerConfig, telemetryStreamConfig } from './telemetry-stream.config';

/** Delay before a batch whose commit failed is redelivered: long enough for a full disk to be noticed. */
const RETRY_DELAY_MS = 2000;

/**
 * Pulls telemetry from JetStream and commits it to the twins in batches. Messages that arrive in one
 * socket read are processed together (setImmediate), so batches grow with load and latency stays
 * low when idle. A message is acked only after its readings are committed and its dead letters are
 * stored: a crash at any point means redelivery, which the twin model makes harmless.
 */
@Injectable()
export class TelemetryIngestService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger(TelemetryIngestService.name);
  private readonly processor: IngestBatchProcessor;
  private js!: JetStreamClient;
  private messages?: ConsumerMessages;
  private buffer: JsMsg[] = [];
  private draining = false;
  private scheduled = false;
  private stopped = false;
  private consuming = false;
  private pending = 0;
  private pendingTimer?: NodeJS.Timeout;

  private readonly m;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(TELEMETRY_INGEST_OPTIONS) private readonly o: TelemetryIngestOptions,
    store: TwinSqliteStore,
    metrics: MetricsRegistry,
    health: HealthRegistry,
  ) {
    this.processor = new IngestBatchProcessor(store);
    this.m = {
      ingested: metrics.counter('millwright_readings_ingested_total', 'Readings accepted and committed to twins'),
      rejected: metrics.counter('millwright_readings_rejected_total', 'Messages or readings refused and dead-lettered', ['reason']),
      batches: metrics.counter('millwright_ingest_batches_total', 'Committed ingest batches'),
      commitFailures: metrics.counter('millwright_ingest_commit_failures_total', 'Batches whose commit failed (redelivered later)'),
      batchSeconds: metrics.histogram('millwright_ingest_batch_seconds', 'Time to validate, apply and commit one batch', [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1]),
      events: metrics.counter('millwright_twin_changed_events_total', 'Twin-changed events published'),
      pending: metrics.gauge('millwright_ingest_consumer_pending', 'Telemetry messages waiting in the stream for the twin service'),
    };
    metrics.gauge('millwright_twins', 'Twins in the store', [], function () {
      this.set(store.count());
    });
    health.register('nats', () => (this.nc.isClosed() ? 'NATS connection closed' : null));
    health.register('telemetry-consumer', () => (this.consuming ? null : 'telemetry consumer not running'));
  }

  async onApplicationBootstrap(): Promise<void> {
    const jsm = await this.nc.jetstreamManager();
    await ensureStream(jsm, telemetryStreamConfig(this.o));
    await ensureStream(jsm, deadLetterStreamConfig(this.o));
    await ensureConsumer(jsm, Streams.telemetry.name, ingestConsumerConfig(this.o));
    this.js = this.nc.jetstream();
    const consumer = await this.js.consumers.get(Streams.telemetry.name, INGEST_DURABLE);
    this.messages = await consumer.consume({
      max_messages: this.o.maxAckPending,
      callback: (m) => this.onMessage(m),
    });
    this.consuming = true;
    void this.messages.closed().then(() => (this.consuming = false));
    this.pendingTimer = setInterval(() => void this.refreshPending(jsm), 5000);
    this.pendingTimer.unref();
    this.log.log(`consuming ${Streams.telemetry.subjects.join(', ')} as '${INGEST_DURABLE}'`);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.pendingTimer);
    await this.messages?.close().catch(() => undefined);
    // Let the batch in progress finish and ack; whatever is still buffered is redelivered later.
    while (this.draining) await new Promise((r) => setTimeout(r, 10));
  }

  private onMessage(m: JsMsg): void {
    this.buffer.push(m);
    if (!this.scheduled && !this.draining) {
      this.scheduled = true;
      setImmediate(() => void this.drain());
    }
  }

  private async drain(): Promise<void> {
    this.scheduled = false;
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.buffer.length > 0 && !this.stopped) await this.processNext();
    } finally {
      this.draining = false;
    }
  }

  private async processNext(): Promise<void> {
    const msgs: JsMsg[] = [];
    const inbound: InboundMessage[] = [];
    const parsed: ParsedTelemetry[] = [];
    let readings = 0;
    let taken = 0;
    const started = process.hrtime.bigint();
    while (taken < this.buffer.length && readings < this.o.maxBatchReadings) {
      const m = this.buffer[taken++];
      const msg = { subject: m.subject, data: m.data, streamSeq: m.seq };
      const p = this.processor.parse(msg);
      msgs.push(m);
      inbound.push(msg);
      parsed.push(p);
      readings += p.readings.length;
    }
    this.buffer = taken === this.buffer.length ? [] : this.buffer.slice(taken);

    let batch;
    try {
      batch = this.processor.commit(inbound, parsed);
    } catch (e) {
      this.m.commitFailures.inc();
      this.log.error(`commit of ${msgs.length} messages failed, will retry: ${(e as Error).message}`);
      for (const m of msgs) m.nak(RETRY_DELAY_MS);
      return;
    }
    this.m.batchSeconds.observe(Number(process.hrtime.bigint() - started) / 1e9);
    this.m.batches.inc();
    this.m.ingested.inc(batch.accepted);
    for (const e of batch.events) publishJson(this.nc, e.subject, e.event);
    this.m.events.inc(batch.events.length);

    const failed = new Set<number>();
    if (batch.deadLetters.length > 0) {
      await Promise.all(
        batch.deadLetters.map(async (d) => {
          try {
            await publishJsonDurably(this.js, d.subject, d.letter, d.msgId);
            this.m.rejected.inc({ reason: d.letter.reason });
          } catch (e) {
            failed.add(d.from);
            this.log.error(`dead letter for stream seq ${d.letter.streamSeq} not stored, will retry: ${(e as Error).message}`);
          }
        }),
      );
    }
    for (let i = 0; i < msgs.length; i++) {
      if (failed.has(i)) msgs[i].nak(RETRY_DELAY_MS);
      else msgs[i].ack();
    }
  }

  private async refreshPending(jsm: { consumers: { info(s: string, c: string): Promise<{ num_pending: number; num_ack_pending: number }> } }): Promise<void> {
    try {
      const info = await jsm.consumers.info(Streams.telemetry.name, INGEST_DURABLE);
      this.pending = info.num_pending + info.num_ack_pending;
      this.m.pending.set(this.pending);
    } catch {
      // Broker unreachable: the gauge keeps its last value and readiness reports the connection.
    }
  }
}
