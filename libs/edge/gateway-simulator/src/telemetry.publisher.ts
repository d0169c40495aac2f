/**
 * What the replay needs from a transport. Subjects are NATS subjects; an MQTT publisher maps them to
 * topics. `publish` may return before the broker has the message (it pipelines); `flush` returns
 * once everything published so far is confirmed, and rethrows the first failure.
 */
export interface TelemetryPublisher {
  /** For progress lines and summaries, e.g. `nats`, `nats+jetstream`, `mqtt`. */
  readonly describe: string;
  publish(subject: string, data: Uint8Array): Promise<void>;
  flush(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Bounds how many confirmations (JetStream acks, MQTT PUBACKs) are outstanding: waiting for each one
 * in turn would cap throughput at one message per round trip, and not waiting at all would let an
 * unreachable stream go unnoticed until the end.
 */
export class InFlightWindow {
  private pending: Promise<unknown>[] = [];
  private failure: unknown;

  constructor(private readonly max: number) {}

  async add(confirmation: Promise<unknown>): Promise<void> {
    // Catch at once: a rejection left unobserved until the next drain would crash Node first.
    this.pending.push(confirmation.catch((e: unknown) => (this.failure ??= e)));
    if (this.pending.length >= this.max) await this.drain();
    else this.rethrow();
  }

  async drain(): Promise<void> {
    while (this.pending.length > 0) await Promise.all(this.pending.splice(0));
    this.rethrow();
  }

  private rethrow(): void {
    if (this.failure !== undefined) throw this.failure;
  }
}
