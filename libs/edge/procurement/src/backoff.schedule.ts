export interface RetryPolicy {
  /** Calls per `placeOrder`, the first included; 1 means no retries. */
  attempts: number;
  /** Ceiling of the first retry's wait; each retry doubles it. */
  baseMs: number;
  /** Highest ceiling, however many retries came before. */
  maxMs: number;
  /** Longest Retry-After waited for inline; a supplier asking for more ends the call (retryable later). */
  maxRetryAfterMs: number;
}

/** The upper bound of the wait before retry number `retry` (1 = the first retry): base * 2^(retry-1), capped. */
export function backoffCeilingMs(retry: number, policy: Pick<RetryPolicy, 'baseMs' | 'maxMs'>): number {
  return Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, retry - 1));
}

/**
 * Full jitter: a uniform wait between 0 and the ceiling. Many sites (and many orders of one site)
 * retrying against one recovering ERP would otherwise come back in lockstep and knock it over again.
 */
export function backoffDelayMs(retry: number, policy: Pick<RetryPolicy, 'baseMs' | 'maxMs'>, random: () => number): number {
  return Math.floor(random() * backoffCeilingMs(retry, policy));
}

/**
 * The wait before the next attempt: what the supplier asked for in Retry-After when it said, else
 * the jittered backoff. Undefined when the supplier asked for a longer pause than we wait inline.
 */
export function nextRetryDelayMs(retry: number, policy: RetryPolicy, random: () => number, retryAfterMs?: number): number | undefined {
  if (retryAfterMs === undefined) return backoffDelayMs(retry, policy, random);
  return retryAfterMs > policy.maxRetryAfterMs ? undefined : retryAfterMs;
}

/** A `Retry-After` header (delay-seconds or an HTTP-date) in milliseconds from `nowMs`; undefined when absent or unreadable. */
export function parseRetryAfterMs(header: string | null | undefined, nowMs: number): number | undefined {
  if (header === null || header === undefined) return undefined;
  const v = header.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  // Only the HTTP-date form carries letters; refusing others keeps "1.5" or "-3" from parsing as dates.
  if (!/[A-Za-z]/.test(v) || Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}
