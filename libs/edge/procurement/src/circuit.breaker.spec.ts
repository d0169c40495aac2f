import { CircuitBreaker, type CircuitPermit, type CircuitState } from './circuit.breaker';

function breaker(threshold = 3, coolDownMs = 1000) {
  const clock = { t: 0 };
  const changes: string[] = [];
  const b = new CircuitBreaker({ failureThreshold: threshold, coolDownMs, now: () => clock.t, onStateChange: (to: CircuitState, from: CircuitState) => changes.push(`${from}->${to}`) });
  return { b, clock, changes };
}
const fail = (b: CircuitBreaker, n = 1) => {
  for (let i = 0; i < n; i++) b.recordFailure(b.tryAcquire()!);
};

describe('CircuitBreaker', () => {
  it('opens after the threshold of consecutive failures, and a success in between resets the count', () => {
    const { b, changes } = breaker(3);
    fail(b, 2);
    b.recordSuccess(b.tryAcquire()!);
    fail(b, 2);
    expect(b.state).toBe('closed');
    fail(b);
    expect(b.state).toBe('open');
    expect(b.tryAcquire()).toBeUndefined();
    expect(changes).toEqual(['closed->open']);
  });

  it('lets exactly one trial through after the cool-down, and closes when it succeeds', () => {
    const { b, clock, changes } = breaker(1, 1000);
    fail(b);
    clock.t = 999;
    expect(b.state).toBe('open');
    expect(b.retryInMs).toBe(1);
    clock.t = 1000;
    expect(b.state).toBe('half-open');
    const trial = b.tryAcquire();
    expect(trial).toEqual({ trial: true, generation: 1 });
    expect(b.tryAcquire()).toBeUndefined();
    b.recordSuccess(trial!);
    expect(b.state).toBe('closed');
    expect(changes).toEqual(['closed->open', 'open->half-open', 'half-open->closed']);
  });

  it('opens again for a full cool-down when the trial fails', () => {
    const { b, clock } = breaker(1, 1000);
    fail(b);
    clock.t = 1500;
    b.recordFailure(b.tryAcquire()!);
    expect(b.state).toBe('open');
    clock.t = 2499;
    expect(b.state).toBe('open');
    clock.t = 2500;
    expect(b.state).toBe('half-open');
  });

  it('ignores a late outcome of a call granted before the circuit opened', () => {
    const { b, clock } = breaker(2, 1000);
    const slow: CircuitPermit = b.tryAcquire()!;
    fail(b, 2);
    clock.t = 1000;
    const trial = b.tryAcquire()!;
    // The slow call times out while the trial is still running: the trial decides, not it.
    b.recordFailure(slow);
    expect(b.state).toBe('half-open');
    b.recordSuccess(trial);
    expect(b.state).toBe('closed');
    b.recordFailure(slow);
    b.recordFailure(b.tryAcquire()!);
    expect(b.state).toBe('closed');
  });

  it('refuses a threshold below one', () => {
    expect(() => new CircuitBreaker({ failureThreshold: 0, coolDownMs: 10 })).toThrow(/failureThreshold/);
  });
});
