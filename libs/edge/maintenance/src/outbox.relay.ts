import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Streams, Subjects, type OrderEventV1 } from '@millwright/contracts';
import { MaintenanceSqliteStore, type OutboxRow } from '@millwright/maintenance-data-access';
import { transition } from '@millwright/maintenance-domain';
import { NATS_CONNECTION, ensureStream, boundedFileStream } from '@millwright/messaging';
import { MetricsRegistry } from '@millwright/observability';
import { type NatsConnection } from 'nats';
import { orderEvents } from './order-events.factory';
import { SupplierClient, backoffDelayMs } from '@millwright/procurement';

export interface OutboxRelayOptions {
  intervalMs: number;
  /** How long a claimed row stays ours; a crashed relay's rows come back after it. */
  leaseMs: number;
  retryBaseMs: number;
  retryMaxMs: number;
}
export const OUTBOX_RELAY_OPTIONS = Symbol('OUTBOX_RELAY_OPTIONS');

const enc = new TextEncoder();

/**
 * Does the work the order transactions wrote down: places orders at the supplier (idempotency key =
 * order id, so a retry after a lost answer cannot order twice) and publishes order events (message
 * id = order id and step, so a re-publish is dropped by the stream). A row is deleted only after its
 * effect is recorded, in the same transaction as the order's next state.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger(OutboxRelay.name);
  private timer?: NodeJS.Timeout;
  private running = false;
  private stopped = false;
  private readonly m;

  constructor(
    private readonly store: MaintenanceSqliteStore,
    private readonly supplier: SupplierClient,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(OUTBOX_RELAY_OPTIONS) private readonly o: OutboxRelayOptions,
    metrics: MetricsRegistry,
  ) {
    this.m = {
      placed: metrics.counter('millwright_orders_placed_total', 'Orders accepted by the supplier'),
      failures: metrics.counter('millwright_supplier_failures_total', 'Supplier calls that failed', ['code']),
      backlog: metrics.gauge('millwright_outbox_backlog', 'Outbox rows not yet done', [], () => undefined),
    };
    const backlog = this.m.backlog;
    metrics.gauge('millwright_outbox_oldest_due_seconds', 'Age of the oldest outbox row that is due', [], function () {
      const b = store.outboxBacklog();
      backlog.set(b.count);
      this.set(b.oldestDueAt === null ? 0 : Math.max(0, (Date.now() - b.oldestDueAt) / 1000));
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    // Order events are kept (the central sync forwards them); the message id window drops re-publishes.
    await ensureStream(
      await this.nc.jetstreamManager(),
      boundedFileStream(Streams.orders.name, Streams.orders.subjects, { maxAgeMs: 90 * 86_400_000, maxBytes: 256 * 1024 ** 2, duplicateWindowMs: 10 * 60_000 }),
    );
    this.timer = setInterval(() => this.kick(), this.o.intervalMs);
    this.timer.unref();
    this.kick();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    while (this.running) await new Promise((r) => setTimeout(r, 10));
  }

  /** Runs the relay now (after a commit that wrote outbox rows) unless it is already running. */
  kick(): void {
    if (this.running || this.stopped) return;
    this.running = true;
    void this.drain()
      .catch((e: Error) => this.log.error(`outbox relay: ${e.message}`))
      .finally(() => (this.running = false));
  }

  private async drain(): Promise<void> {
    for (;;) {
      const rows = this.store.claimDue(Date.now(), 32, this.o.leaseMs);
      if (rows.length === 0 || this.stopped) return;
      await Promise.all(rows.map((r) => this.handle(r).catch((e: Error) => this.retry(r, e.message))));
    }
  }

  private async handle(row: OutboxRow): Promise<void> {
    if (row.kind === 'publish_event') {
      const e = row.payload as OrderEventV1;
      await this.nc.jetstream().publish(Subjects.orderEvents(e.site, e.asset), enc.encode(JSON.stringify(e)), { msgID: `${e.orderId}:${e.step}` });
      this.store.completeOutbox(row.id);
      return;
    }
    const order = this.store.order(row.orderId);
    if (!order || order.state !== 'placed') {
      // Cancelled (or already confirmed by another relay) before this attempt: nothing left to do.
      this.store.completeOutbox(row.id);
      return;
    }
    const res = await this.supplier.placeOrder(
      {
        orderId: order.id,
        site: order.site,
        asset: order.asset,
        partNumber: order.partNumber,
        quantity: order.quantity,
        unitCost: order.unitCost,
        currency: order.currency,
        neededBy: new Date(order.neededBy).toISOString(),
        note: `episode ${order.episode}`,
      },
      order.id,
    );
    const now = Date.now();
    if (res.ok) {
      const c = res.confirmation;
      let next = transition(order, 'confirm', { kind: 'supplier', id: order.supplier }, `accepted as ${c.supplierOrderId}${res.replayed ? ' (an earlier answer was lost)' : ''}`, now, {
        supplierOrderId: c.supplierOrderId,
        expectedShipAt: c.expectedShipAt,
      });
      next = { ...next, supplierOrderId: c.supplierOrderId };
      this.store.saveTransition(next, 'placed', orderEvents(next, order.audit.length + 1), now, { completeOutbox: row.id });
      this.m.placed.inc();
      // The confirmation's event rows are picked up by the drain loop this runs in.
      return;
    }
    this.m.failures.inc({ code: res.code });
    if (res.retryable) return this.retry(row, `${res.code}: ${res.detail}`, res.retryAfterMs);
    const failed = transition(order, 'fail', { kind: 'supplier', id: order.supplier }, `${res.code}: ${res.detail}`, now);
    this.store.saveTransition(failed, 'placed', orderEvents(failed, order.audit.length + 1), now, { completeOutbox: row.id });
  }

  private retry(row: OutboxRow, error: string, notBeforeMs = 0): void {
    // The supplier client's own full-jitter schedule: many orders failing together must not retry in lockstep.
    const delay = backoffDelayMs(row.attempts + 1, { baseMs: this.o.retryBaseMs, maxMs: this.o.retryMaxMs }, Math.random);
    this.store.retryOutbox(row.id, Date.now() + Math.max(notBeforeMs, delay), error);
    this.log.warn(`outbox ${row.kind} for order ${row.orderId} failed (attempt ${row.attempts + 1}), will retry: ${error}`);
  }
}
