/**
 * How many messages the server may have in flight to a consumer (its `max_ack_pending`), from how
 * large they are. nats-server cuts a client off as a slow consumer once more than its `max_pending`
 * (64 MB by default) waits to be sent to it, and `max_ack_pending` counts messages: with large
 * messages a fixed count puts more than that in flight. In the ingest bench 4,000 telemetry batches
 * of 21 KB did, and the backlog drain fell to a tenth, every cut costing an ack wait before the
 * messages in flight came again. So the count follows the average message size, to keep count x
 * size within a byte budget, and never goes above the configured count.
 */
export class InFlightBudget {
  private avgBytes: number | undefined;

  constructor(
    private readonly budgetBytes: number,
    private readonly maxMessages: number,
    private readonly minMessages = 16,
  ) {}

  /** Feeds the average message size: a batch's bytes and message count (or the stream's, at start). */
  observe(bytes: number, messages: number): void {
    if (messages <= 0) return;
    const size = bytes / messages;
    // Weighed by message count: one odd message moves little, and a gateway that switches to large
    // batches is followed within a few dozen commits (a second at backlog pace).
    const weight = Math.min(0.5, messages / 100);
    this.avgBytes = this.avgBytes === undefined ? size : this.avgBytes + weight * (size - this.avgBytes);
  }

  get averageMessageBytes(): number | undefined {
    return this.avgBytes;
  }

  /** The in-flight message count for the sizes seen so far (the configured count before any). */
  limit(): number {
    if (this.avgBytes === undefined || this.avgBytes <= 0) return this.maxMessages;
    const fits = Math.floor(this.budgetBytes / this.avgBytes);
    return Math.max(Math.min(this.minMessages, this.maxMessages), Math.min(this.maxMessages, fits));
  }

  /** Whether the consumer, now at `current`, is worth updating: the limit moved by a quarter, or back to the configured count. */
  shouldChange(current: number): boolean {
    const want = this.limit();
    if (want === current) return false;
    return want === this.maxMessages || want < current * 0.75 || want > current * 1.25;
  }
}
