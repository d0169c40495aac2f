import { performance } from 'node:perf_hooks';

export interface PacerClock {
  /** Monotonic milliseconds. */
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const realClock: PacerClock = {
  now: () => performance.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const done = () => {
        clearTimeout(t);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const t = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
    }),
};

export interface RatePacerOptions {
  clock?: PacerClock;
  /**
   * How far behind schedule the pacer may catch up, in ms of tokens. A stall shorter than this is
   * made up by sending faster afterwards, so the average rate holds; a longer one is forgiven
   * rather than answered by a flood.
   */
  maxCatchUpMs?: number;
  /** Debts smaller than this are carried instead of slept off: timers cannot sleep 0.1 ms. */
  minSleepMs?: number;
}

/**
 * A token bucket that lets `ratePerSec` units through on average. Tokens are computed from the
 * monotonic clock on every call rather than added per timer tick, so late timers and slow sends do not
 * accumulate into drift. A send may overdraw the bucket (a whole batch goes at once); the debt is
 * slept off before the next one.
 */
export class RatePacer {
  private readonly clock: PacerClock;
  private readonly capacity: number;
  private readonly minSleepMs: number;
  private tokens = 0;
  private last: number;

  constructor(
    readonly ratePerSec: number,
    opts: RatePacerOptions = {},
  ) {
    if (!(ratePerSec > 0) || !Number.isFinite(ratePerSec)) throw new Error(`rate must be a positive number, got ${ratePerSec}`);
    this.clock = opts.clock ?? realClock;
    this.capacity = ((opts.maxCatchUpMs ?? 1000) * ratePerSec) / 1000;
    this.minSleepMs = opts.minSleepMs ?? 2;
    this.last = this.clock.now();
  }

  /** Waits until `units` may be sent (the first call never waits), then takes them. */
  async take(units: number, signal?: AbortSignal): Promise<void> {
    this.refill();
    if (this.tokens < 0) {
      const waitMs = (-this.tokens / this.ratePerSec) * 1000;
      if (waitMs >= this.minSleepMs) {
        await this.clock.sleep(waitMs, signal);
        this.refill();
      }
    }
    this.tokens -= units;
  }

  private refill(): void {
    const now = this.clock.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) * this.ratePerSec) / 1000);
    this.last = now;
  }
}
