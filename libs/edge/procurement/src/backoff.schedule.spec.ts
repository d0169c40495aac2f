import { backoffCeilingMs, backoffDelayMs, nextRetryDelayMs, parseRetryAfterMs, type RetryPolicy } from './backoff.schedule';

const policy: RetryPolicy = { attempts: 8, baseMs: 100, maxMs: 1000, maxRetryAfterMs: 5000 };

describe('backoff schedule', () => {
  it('doubles the ceiling per retry up to the maximum', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffCeilingMs(n, policy))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('draws each wait uniformly below the ceiling (full jitter)', () => {
    expect(backoffDelayMs(3, policy, () => 0)).toBe(0);
    expect(backoffDelayMs(3, policy, () => 0.5)).toBe(200);
    expect(backoffDelayMs(3, policy, () => 0.999999)).toBe(399);
    expect(backoffDelayMs(40, policy, () => 0.999999)).toBe(999);
  });

  it('spreads retries of many callers instead of sending them back together', () => {
    let seed = 1;
    const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
    const waits = Array.from({ length: 200 }, () => backoffDelayMs(4, policy, random));
    expect(new Set(waits).size).toBeGreaterThan(150);
    expect(Math.max(...waits)).toBeLessThan(800);
  });

  it('waits what Retry-After asks instead of the backoff, unless that is longer than it will wait', () => {
    expect(nextRetryDelayMs(1, policy, () => 0.5, 3000)).toBe(3000);
    expect(nextRetryDelayMs(1, policy, () => 0.5, 0)).toBe(0);
    expect(nextRetryDelayMs(1, policy, () => 0.5, 6000)).toBeUndefined();
    expect(nextRetryDelayMs(1, policy, () => 0.5)).toBe(50);
  });
});

describe('parseRetryAfterMs', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');

  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfterMs('2', now)).toBe(2000);
    expect(parseRetryAfterMs('Wed, 01 Jan 2025 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfterMs('Tue, 31 Dec 2024 23:00:00 GMT', now)).toBe(0);
  });

  it('ignores what it cannot read', () => {
    for (const v of [null, undefined, '', '-3', '1.5', 'soon']) expect(parseRetryAfterMs(v, now)).toBeUndefined();
  });
});
