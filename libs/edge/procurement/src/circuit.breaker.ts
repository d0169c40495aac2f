export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  /** Consecutive failed calls that open the circuit. */
  failureThreshold: number;
  /** Time the circuit stays open before one trial call may go through. */
  coolDownMs: number;
  now?: () => number;
  onStateChange?: (to: CircuitState, from: CircuitState) => void;
}

/**
 * Stops calling a supplier that keeps failing, so orders fail fast (and are retried later) instead
 * of each burning its full retry budget against a dead ERP, and the ERP gets room to recover.
 *
 * closed --N consecutive failures--> open --cool-down--> half-open --trial succeeds--> closed
 *                                      ^----------------trial fails-----------'
 *
 * Pure state: callers report outcomes with the permit they were granted; the breaker never does I/O.
 */
/** Leave to make one call; its outcome is reported with it. */
export interface CircuitPermit {
  /** The one call a half-open circuit lets through. */
  readonly trial: boolean;
  /** Which opening of the circuit it was granted after; outcomes of older permits are stale. */
  readonly generation: number;
}

export class CircuitBreaker {
  private current: CircuitState = 'closed';
  private failures = 0;
  private openedAt = 0;
  private generation = 0;
  private trialInFlight = false;
  private readonly now: () => number;

  constructor(private readonly options: CircuitBreakerOptions) {
    if (!Number.isInteger(options.failureThreshold) || options.failureThreshold < 1) throw new Error('failureThreshold must be a whole number of at least 1');
    if (!(options.coolDownMs >= 0)) throw new Error('coolDownMs must be at least 0');
    this.now = options.now ?? Date.now;
  }

  /** Open turns half-open as soon as the cool-down has passed, whether or not anyone called since. */
  get state(): CircuitState {
    if (this.current === 'open' && this.now() - this.openedAt >= this.options.coolDownMs) this.moveTo('half-open');
    return this.current;
  }

  /** Time until an open circuit lets a trial through; 0 when it is not open. */
  get retryInMs(): number {
    return this.state === 'open' ? Math.max(0, this.openedAt + this.options.coolDownMs - this.now()) : 0;
  }

  /** A permit to call, or undefined when the call must not be made. Half-open grants one at a time: the trial. */
  tryAcquire(): CircuitPermit | undefined {
    switch (this.state) {
      case 'closed':
        return { trial: false, generation: this.generation };
      case 'open':
        return undefined;
      case 'half-open':
        if (this.trialInFlight) return undefined;
        this.trialInFlight = true;
        return { trial: true, generation: this.generation };
    }
  }

  /** The supplier answered as a healthy service does (a refusal of a bad order counts too). */
  recordSuccess(permit: CircuitPermit): void {
    if (this.isStale(permit)) return;
    this.failures = 0;
    if (permit.trial) {
      this.trialInFlight = false;
      this.moveTo('closed');
    }
  }

  recordFailure(permit: CircuitPermit): void {
    if (this.isStale(permit)) return;
    if (permit.trial) {
      this.trialInFlight = false;
      this.open();
    } else if (++this.failures >= this.options.failureThreshold) {
      this.open();
    }
  }

  /**
   * A call granted before the circuit last opened, finishing late (a slow timeout): the circuit has
   * already acted on newer evidence, and letting it count would end a trial that is still running.
   */
  private isStale(permit: CircuitPermit): boolean {
    return permit.generation !== this.generation || (permit.trial && !this.trialInFlight);
  }

  private open(): void {
    this.failures = 0;
    this.generation++;
    this.openedAt = this.now();
    this.moveTo('open');
  }

  private moveTo(to: CircuitState): void {
    const from = this.current;
    if (from === to) return;
    this.current = to;
    this.options.onStateChange?.(to, from);
  }
}
