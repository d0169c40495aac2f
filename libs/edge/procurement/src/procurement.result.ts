import type { SupplierOrderConfirmation } from '@millwright/supplier-contracts';

/** Why an order could not be placed. Callers switch on the code; `detail` is for humans. */
export const ProcurementFailureCode = {
  /** The supplier refused the order (4xx other than 408/429). Retrying the same order cannot help. */
  SupplierRejected: 'supplier_rejected',
  /** 5xx, 408, 429, timeouts or network errors on every attempt. Retry later with the same key. */
  SupplierUnavailable: 'supplier_unavailable',
  /** The circuit breaker stopped the call without contacting the supplier. Retry later with the same key. */
  CircuitOpen: 'circuit_open',
} as const;
export type ProcurementFailureCode = (typeof ProcurementFailureCode)[keyof typeof ProcurementFailureCode];

export interface PlaceOrderConfirmed {
  ok: true;
  /** The supplier's confirmation, to be recorded with the order. */
  confirmation: SupplierOrderConfirmation;
  /** True when the supplier had accepted this key before (an earlier answer was lost). */
  replayed: boolean;
  /** HTTP calls this placement made. */
  attempts: number;
}

export interface PlaceOrderFailed {
  ok: false;
  code: ProcurementFailureCode;
  detail: string;
  /** Whether placing the same order again, with the same idempotency key, may succeed. */
  retryable: boolean;
  /** HTTP calls this placement made (0 when the circuit was open). */
  attempts: number;
  /** HTTP status of the last answer, if there was one. */
  status?: number;
  /** The supplier's error code from the last answer, if it sent one. */
  supplierCode?: string;
  /** The earliest sensible time to try again, when the supplier or the breaker said. */
  retryAfterMs?: number;
}

export type PlaceOrderResult = PlaceOrderConfirmed | PlaceOrderFailed;
