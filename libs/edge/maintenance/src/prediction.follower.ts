import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Streams, parsePredictionBatch } from '@millwright/contracts';
import { MaintenanceSqliteStore } from '@millwright/maintenance-data-access';
import { JetStreamBatchConsumer, NATS_CONNECTION, ensureConsumer, type BatchOutcome } from '@millwright/messaging';
import { bearerHeaders } from '@millwright/http-auth';
import { httpCall } from '@millwright/http-client';
import { HealthRegistry, MetricsRegistry } from '@millwright/observability';
import { AckPolicy, DeliverPolicy, nanos, type JsMsg, type NatsConnection } from 'nats';
import { OrderPlanner } from './order.planner';
import { OutboxRelay } from './outbox.relay';

export interface PredictionFollowerOptions {
  twinServiceUrl: string;
  /** Bearer token for the twin service's API (empty: none). */
  twinServiceToken?: string;
  maxAckPending: number;
}
export const PREDICTION_FOLLOWER_OPTIONS = Symbol('PREDICTION_FOLLOWER_OPTIONS');
export const MAINTENANCE_DURABLE = 'maintenance';

/**
 * Reads predictions from the PREDICTIONS stream with its own durable consumer (so it sees every one,
 * even those made while it was down) and lets the planner decide on orders.
 */
const UNCLASSIFIED_RECHECK_MS = 60_000;

@Injectable()
export class PredictionFollower implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger(PredictionFollower.name);
  private consumer?: JetStreamBatchConsumer;
  private readonly planner: OrderPlanner;
  /** Asset classes, from the twin service; they do not change often enough to ask every time. */
  private readonly classes = new Map<string, string>();
  /** Assets whose twin had no class, and when to ask again (a class may be set later). */
  private readonly unclassifiedUntil = new Map<string, number>();
  private readonly decisions;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(PREDICTION_FOLLOWER_OPTIONS) private readonly o: PredictionFollowerOptions,
    store: MaintenanceSqliteStore,
    private readonly relay: OutboxRelay,
    metrics: MetricsRegistry,
    health: HealthRegistry,
  ) {
    this.planner = new OrderPlanner(store);
    this.decisions = metrics.counter('millwright_order_decisions_total', 'What predictions led to', ['outcome']);
    health.register('nats', () => (this.nc.isClosed() ? 'NATS connection closed' : null));
    health.register('prediction-follower', () => (this.consumer?.running ? null : 'not following predictions'));
  }

  async onApplicationBootstrap(): Promise<void> {
    const jsm = await this.nc.jetstreamManager();
    await this.waitForStream(jsm);
    await ensureConsumer(jsm, Streams.predictions.name, { durable_name: MAINTENANCE_DURABLE, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All, ack_wait: nanos(30_000), max_ack_pending: this.o.maxAckPending });
    this.consumer = new JetStreamBatchConsumer(
      this.nc.jetstream(),
      { stream: Streams.predictions.name, durable: MAINTENANCE_DURABLE, maxAckPending: this.o.maxAckPending, retryDelayMs: 2000 },
      (buffer) => this.handle(buffer),
    );
    await this.consumer.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.consumer?.stop();
  }

  private async handle(buffer: readonly JsMsg[]): Promise<BatchOutcome> {
    const taken = Math.min(buffer.length, 100);
    let ordered = false;
    for (let i = 0; i < taken; i++) {
      const m = buffer[i];
      const batch = parsePredictionBatch(m.subject.split('.')[2] ?? '', m.data);
      if ('reason' in batch) continue; // the twin service dead-letters these
      for (const p of batch.predictions) {
        if (p.status !== 'ok') continue;
        const assetClass = await this.assetClass(p.site, p.asset);
        if (!assetClass) continue;
        const outcome = this.planner.onPrediction(p, assetClass);
        this.decisions.inc({ outcome });
        if (outcome === 'ordered' || outcome === 'awaiting_approval') {
          ordered = true;
          this.log.log(`${p.site}/${p.asset}: ${outcome} (RUL ${p.rul}, risk ${p.failureRisk}, model ${p.modelVersion})`);
        }
      }
    }
    if (ordered) this.relay.kick();
    return { taken };
  }

  private async assetClass(site: string, asset: string): Promise<string | undefined> {
    const key = `${site}/${asset}`;
    const known = this.classes.get(key);
    if (known) return known;
    if ((this.unclassifiedUntil.get(key) ?? 0) > Date.now()) return undefined;
    const res = await httpCall(`${this.o.twinServiceUrl}/api/v1/twins/${site}/${asset}`, { timeoutMs: 5000, headers: bearerHeaders(this.o.twinServiceToken ?? '') });
    if (!res.ok) throw new Error(`twin ${key}: ${res.status}`);
    const cls = (JSON.parse(res.text) as { assetClass: string | null }).assetClass ?? undefined;
    if (cls) this.classes.set(key, cls);
    // An asset without a class gets no order; asking its twin on every prediction would only load the twin service.
    else this.unclassifiedUntil.set(key, Date.now() + UNCLASSIFIED_RECHECK_MS);
    return cls;
  }

  /** The twin service creates the PREDICTIONS stream; at first start it may not be there yet. */
  private async waitForStream(jsm: { streams: { info(name: string): Promise<unknown> } }): Promise<void> {
    for (let i = 0; ; i++) {
      try {
        await jsm.streams.info(Streams.predictions.name);
        return;
      } catch (e) {
        if (i >= 100) throw e;
        if (i === 0) this.log.warn('waiting for the PREDICTIONS stream (the twin service creates it)');
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }
}
