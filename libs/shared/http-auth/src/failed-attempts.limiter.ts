/**
 * Counts failed sign-ins (or bad tokens) per client address in a sliding window; a client over the
 * limit is locked out until its oldest counted failure leaves the window. Successes do not reset the
 * count: otherwise one valid account would let a client keep guessing another. Memory is bounded:
 * at most `maxClients` addresses are tracked, the least recently failing dropped first.
 */
export class FailedAttemptsLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(private readonly o: { maxFailures: number; windowMs: number; maxClients?: number }) {}

  /** Milliseconds the client must wait, or 0 when it may try. */
  retryAfterMs(client: string, now = Date.now()): number {
    const times = this.prune(client, now);
    if (times.length < this.o.maxFailures) return 0;
    return Math.max(1, times[times.length - this.o.maxFailures] + this.o.windowMs - now);
  }

  recordFailure(client: string, now = Date.now()): void {
    const times = this.prune(client, now);
    times.push(now);
    this.failures.delete(client);
    this.failures.set(client, times);
    const max = this.o.maxClients ?? 10_000;
    while (this.failures.size > max) this.failures.delete(this.failures.keys().next().value as string);
  }

  private prune(client: string, now: number): number[] {
    const times = (this.failures.get(client) ?? []).filter((t) => t > now - this.o.windowMs);
    if (times.length) this.failures.set(client, times);
    else this.failures.delete(client);
    return times;
  }
}
