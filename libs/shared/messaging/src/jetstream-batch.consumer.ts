import { Logger } from '@nestjs/common';
import type { ConsumerMessages, JetStreamClient, JetStreamManager, JsMsg } from 'nats';
import { InFlightBudget } from './in-flight.budget';

/** What a batch handler did with the front of the buffer. */
export interface BatchOutcome {
  /** Messages taken from the front of the buffer. */
  taken: number;
  /** Indexes (within the taken ones) to redeliver later instead of acking. */
  retry?: ReadonlySet<number>;
}

/** Takes messages from the front of `buffer`, commits their effect, and says how many it took. */
export type BatchHandler = (buffer: readonly JsMsg[]) => Promise<BatchOutcome>;

export interface JetStreamBatchConsumerOptions {
  stream: string;
  durable: string;
  /** Messages the server may have in flight to us; bounds the buffer. */
  maxAckPending: number;
  /** Redelivery delay for messages whose handling failed (ms). */
  retryDelayMs: number;
  /**
   * Bytes the messages in flight may add up to: with it, the durable's `max_ack_pending` follows the
   * average message size (InFlightBudget), never above `maxAckPending`. For streams whose messages
   * can be large enough for `maxAckPending` of them to pass nats-server's per-client limit.
   */
  maxBytesInFlight?: number;
}

/**
 * Pull consumer that hands messages to a handler in batches. Messages that arrive in one socket read
 * are handled together (setImmediate), so batches grow with load and stay small when idle. A message
 * is acked only after the handler resolved for it; a handler that throws gets the whole buffer
 * redelivered after `retryDelayMs`, so a crash or a failure anywhere means redelivery, never loss.
 */
export class JetStreamBatchConsumer {
  private readonly log: Logger;
  private messages?: ConsumerMessages;
  private buffer: JsMsg[] = [];
  private draining = false;
  private scheduled = false;
  private stopped = false;
  private consuming = false;
  private readonly budget?: InFlightBudget;
  private jsm?: JetStreamManager;
  /** The durable's max_ack_pending as last set (with a byte budget); undefined while an update is on its way. */
  private limit?: number;

  constructor(
    private readonly js: JetStreamClient,
    private readonly o: JetStreamBatchConsumerOptions,
    private readonly handler: BatchHandler,
  ) {
    this.log = new Logger(`JetStreamBatchConsumer:${o.durable}`);
    if (o.maxBytesInFlight !== undefined) this.budget = new InFlightBudget(o.maxBytesInFlight, o.maxAckPending);
  }

  get running(): boolean {
    return this.consuming;
  }

  /** The durable's max_ack_pending while it follows a byte budget. */
  get inFlightLimit(): number | undefined {
    return this.limit;
  }

  async start(): Promise<void> {
    const consumer = await this.js.consumers.get(this.o.stream, this.o.durable);
    if (this.budget) {
      // A backlog is the dangerous case (all of it in flight at once), and its size is known up front.
      // Without the account-info round trip a new manager makes: the consumer lookup above has
      // already shown that JetStream answers.
      this.jsm = await this.js.jetstreamManager(false);
      const { state } = await this.jsm.streams.info(this.o.stream);
      this.budget.observe(state.bytes, state.messages);
      this.limit = (await consumer.info(true)).config.max_ack_pending ?? this.o.maxAckPending;
      if (this.budget.shouldChange(this.limit)) await this.changeLimit();
    }
    this.messages = await consumer.consume({ max_messages: this.o.maxAckPending, callback: (m) => this.onMessage(m) });
    this.consuming = true;
    void this.messages.closed().then(() => (this.consuming = false));
  }

  /** Stops pulling, lets the batch in hand finish and ack; the rest of the buffer is redelivered later. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.messages?.close().catch(() => undefined);
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
      while (this.buffer.length > 0 && !this.stopped) {
        let outcome: BatchOutcome;
        try {
          outcome = await this.handler(this.buffer);
        } catch (e) {
          this.log.error(`batch of ${this.buffer.length} failed, redelivering in ${this.o.retryDelayMs} ms: ${(e as Error).message}`);
          for (const m of this.buffer) m.nak(this.o.retryDelayMs);
          this.buffer = [];
          break;
        }
        const taken = Math.max(1, Math.min(outcome.taken, this.buffer.length));
        for (let i = 0; i < taken; i++) {
          if (outcome.retry?.has(i)) this.buffer[i].nak(this.o.retryDelayMs);
          else this.buffer[i].ack();
        }
        if (this.budget) this.followMessageSize(this.budget, taken);
        this.buffer = taken === this.buffer.length ? [] : this.buffer.slice(taken);
      }
    } finally {
      this.draining = false;
    }
  }

  /** After the first `taken` messages of the buffer were handled. */
  private followMessageSize(budget: InFlightBudget, taken: number): void {
    let bytes = 0;
    for (let i = 0; i < taken; i++) bytes += this.buffer[i].data.length;
    budget.observe(bytes, taken);
    if (this.limit !== undefined && budget.shouldChange(this.limit)) void this.changeLimit();
  }

  private async changeLimit(): Promise<void> {
    const current = this.limit;
    const next = this.budget!.limit();
    this.limit = undefined;
    try {
      await this.jsm!.consumers.update(this.o.stream, this.o.durable, { max_ack_pending: next });
      this.limit = next;
      const kb = Math.round((this.budget!.averageMessageBytes ?? 0) / 1024);
      this.log.log(`messages in flight: ${current} -> ${next} (${kb} KB each on average, ${Math.round(this.o.maxBytesInFlight! / 1024 ** 2)} MB budget)`);
    } catch (e) {
      this.limit = current;
      this.log.warn(`messages in flight not changed to ${next}, will try again: ${(e as Error).message}`);
    }
  }
}
