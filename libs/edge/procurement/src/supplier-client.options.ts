import type { RetryPolicy } from './backoff.schedule';
import type { CircuitState } from './circuit.breaker';

export interface SupplierClientOptions {
  /** Base URL of the supplier's ERP API, e.g. `https://erp.example.com` (the client adds `/api/v1/orders`). */
  baseUrl: string;
  /** Limit for one HTTP call, answer body included. Default 5 s. */
  timeoutMs?: number;
  /** Default: 5 attempts, 200 ms base, 5 s max, Retry-After up to 30 s waited for inline. */
  retry?: Partial<RetryPolicy>;
  /** Default: open after 5 consecutive failed calls, trial after 30 s. */
  breaker?: { failureThreshold?: number; coolDownMs?: number };
  onStateChange?: (to: CircuitState, from: CircuitState) => void;
  /** Extra headers for every call (e.g. the supplier's API token). */
  headers?: Record<string, string>;
  /** For tests: the jitter source (default Math.random), the pause between attempts, the clock. */
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

export const SUPPLIER_CLIENT_DEFAULTS = {
  timeoutMs: 5000,
  retry: { attempts: 5, baseMs: 200, maxMs: 5000, maxRetryAfterMs: 30_000 } satisfies RetryPolicy,
  breaker: { failureThreshold: 5, coolDownMs: 30_000 },
};
