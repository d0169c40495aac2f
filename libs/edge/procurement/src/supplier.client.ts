import { HttpTimeoutError, httpCall, httpErrorDetail } from '@millwright/http-client';
import { SupplierApi, parseSupplierOrderConfirmation, type SupplierOrderConfirmation, type SupplierOrderRequest } from '@millwright/supplier-contracts';
import { nextRetryDelayMs, parseRetryAfterMs, type RetryPolicy } from './backoff.schedule';
import { CircuitBreaker, type CircuitState } from './circuit.breaker';
import { ProcurementFailureCode, type PlaceOrderFailed, type PlaceOrderResult } from './procurement.result';
import { SUPPLIER_CLIENT_DEFAULTS, type SupplierClientOptions } from './supplier-client.options';

/** What one HTTP call came to. */
type Attempt =
  | { kind: 'confirmed'; confirmation: SupplierOrderConfirmation; replayed: boolean }
  | { kind: 'rejected'; detail: string; status?: number; supplierCode?: string }
  | { kind: 'transient'; detail: string; status?: number; supplierCode?: string; retryAfterMs?: number };

/**
 * Places replacement-part orders at a supplier's ERP over HTTP.
 *
 * Every attempt of one order carries the same idempotency key, which is what makes retrying after a
 * lost answer safe: the supplier answers a repeat with the order it already has. The caller must
 * therefore keep the key with its order and reuse it when it places the order again later.
 */
export class SupplierClient {
  private readonly breaker: CircuitBreaker;
  private readonly retry: RetryPolicy;
  private readonly timeoutMs: number;
  private readonly url: string;
  private readonly random: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;

  constructor(private readonly options: SupplierClientOptions) {
    const d = SUPPLIER_CLIENT_DEFAULTS;
    this.retry = { ...d.retry, ...options.retry };
    this.timeoutMs = options.timeoutMs ?? d.timeoutMs;
    if (!Number.isInteger(this.retry.attempts) || this.retry.attempts < 1) throw new Error('retry.attempts must be a whole number of at least 1');
    if (!(this.timeoutMs > 0)) throw new Error('timeoutMs must be positive');
    // Appended, not resolved: an ERP behind a path prefix (https://erp/acme) keeps its prefix.
    this.url = options.baseUrl.replace(/\/+$/, '') + SupplierApi.ordersPath;
    this.random = options.random ?? Math.random;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.now = options.now ?? Date.now;
    this.breaker = new CircuitBreaker({ ...d.breaker, ...options.breaker, now: this.now, onStateChange: options.onStateChange });
  }

  get circuitState(): CircuitState {
    return this.breaker.state;
  }

  /**
   * Places one order, retrying transient failures within this call. Never throws: every outcome,
   * including a dead network, is a result the caller can record against its order.
   */
  async placeOrder(request: SupplierOrderRequest, idempotencyKey: string): Promise<PlaceOrderResult> {
    let last: Extract<Attempt, { kind: 'transient' }> | undefined;
    let attempts = 0;
    while (attempts < this.retry.attempts) {
      const permit = this.breaker.tryAcquire();
      if (!permit) {
        const why = last ? `; last failure: ${last.detail}` : '';
        return this.failed(ProcurementFailureCode.CircuitOpen, `the supplier's circuit is open after repeated failures${why}`, attempts, { retryAfterMs: this.breaker.retryInMs });
      }
      attempts++;
      const outcome = await this.attempt(request, idempotencyKey);
      if (outcome.kind === 'confirmed') {
        this.breaker.recordSuccess(permit);
        return { ok: true, confirmation: outcome.confirmation, replayed: outcome.replayed, attempts };
      }
      if (outcome.kind === 'rejected') {
        // The supplier is up and said no: that is health as far as the breaker is concerned.
        this.breaker.recordSuccess(permit);
        return this.failed(ProcurementFailureCode.SupplierRejected, outcome.detail, attempts, outcome);
      }
      this.breaker.recordFailure(permit);
      last = outcome;
      if (attempts >= this.retry.attempts) break;
      const wait = nextRetryDelayMs(attempts, this.retry, this.random, outcome.retryAfterMs);
      if (wait === undefined) break;
      await this.sleep(wait);
    }
    return this.failed(ProcurementFailureCode.SupplierUnavailable, `${last?.detail ?? 'no attempt made'} (after ${attempts} attempt(s))`, attempts, last ?? {});
  }

  private async attempt(request: SupplierOrderRequest, idempotencyKey: string): Promise<Attempt> {
    let status: number;
    let retryAfter: string | null;
    let text: string;
    try {
      // One deadline for the call and the body: a supplier that sends headers and then stalls is just as stuck.
      const res = await httpCall(this.url, {
        method: 'POST',
        headers: { ...this.options.headers, 'content-type': 'application/json', accept: 'application/json', [SupplierApi.idempotencyKeyHeader]: idempotencyKey },
        body: JSON.stringify(request),
        timeoutMs: this.timeoutMs,
      });
      status = res.status;
      retryAfter = res.headers['retry-after'] ?? null;
      text = res.text;
    } catch (e) {
      if (e instanceof HttpTimeoutError) return { kind: 'transient', detail: `no answer within ${this.timeoutMs} ms` };
      return { kind: 'transient', detail: `network error: ${httpErrorDetail(e)}` };
    }
    const body = parseJson(text);
    const supplierCode = typeof body?.code === 'string' ? body.code : undefined;
    const said = supplierCode ? ` ${supplierCode}${typeof body?.message === 'string' ? `: ${body.message}` : ''}` : '';
    if (status >= 200 && status < 300) {
      const c = parseSupplierOrderConfirmation(body);
      // A 2xx we cannot read may still mean the order exists; a retry with the key fetches it again.
      if (!c.ok) return { kind: 'transient', status, detail: `HTTP ${status} without a readable confirmation: ${c.message}` };
      if (c.value.orderId !== request.orderId) return { kind: 'rejected', status, detail: `the supplier confirmed order ${c.value.orderId} for order ${request.orderId}` };
      return { kind: 'confirmed', confirmation: c.value, replayed: status === 200 };
    }
    if (status === 408 || status === 429 || status >= 500) {
      return { kind: 'transient', status, supplierCode, detail: `HTTP ${status}${said}`, retryAfterMs: parseRetryAfterMs(retryAfter, this.now()) };
    }
    return { kind: 'rejected', status, supplierCode, detail: `HTTP ${status}${said}` };
  }

  private failed(code: ProcurementFailureCode, detail: string, attempts: number, extra: { status?: number; supplierCode?: string; retryAfterMs?: number }): PlaceOrderFailed {
    const r: PlaceOrderFailed = { ok: false, code, detail, retryable: code !== ProcurementFailureCode.SupplierRejected, attempts };
    if (extra.status !== undefined) r.status = extra.status;
    if (extra.supplierCode !== undefined) r.supplierCode = extra.supplierCode;
    if (extra.retryAfterMs !== undefined) r.retryAfterMs = extra.retryAfterMs;
    return r;
  }
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
