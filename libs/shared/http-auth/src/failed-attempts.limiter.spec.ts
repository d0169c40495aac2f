import { FailedAttemptsLimiter } from './failed-attempts.limiter';

describe('failed attempts per client', () => {
  it('locks a client out at the limit until its oldest failure leaves the window, others unaffected', () => {
    const l = new FailedAttemptsLimiter({ maxFailures: 3, windowMs: 10_000 });
    for (const t of [0, 1000, 2000]) l.recordFailure('a', t);
    expect(l.retryAfterMs('a', 2500)).toBe(7500);
    expect(l.retryAfterMs('b', 2500)).toBe(0);
    expect(l.retryAfterMs('a', 10_001)).toBe(0);
  });

  it('bounds the clients it remembers', () => {
    const l = new FailedAttemptsLimiter({ maxFailures: 1, windowMs: 10_000, maxClients: 2 });
    for (const c of ['a', 'b', 'c']) l.recordFailure(c, 0);
    expect(l.retryAfterMs('a', 1)).toBe(0);
    expect(l.retryAfterMs('c', 1)).toBeGreaterThan(0);
  });
});
