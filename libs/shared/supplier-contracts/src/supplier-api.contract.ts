/**
 * The HTTP API of a supplier's ERP as Millwright uses it (v1). The supplier simulator serves it and
 * the procurement adapter calls it, so both sides compile against these types.
 *
 * Ordering is made safe to retry by the `Idempotency-Key` header, not by the body: the supplier
 * remembers every key it accepted an order under and answers a repeat with the stored confirmation.
 */
export const SupplierApi = {
  ordersPath: '/api/v1/orders',
  /** Fault injection and counters exist on the simulator only; a real ERP has neither. */
  faultsPath: '/api/v1/_faults',
  statsPath: '/api/v1/_stats',
  idempotencyKeyHeader: 'Idempotency-Key',
} as const;

export const SupplierLimits = {
  idempotencyKeyMaxLength: 128,
  orderIdMaxLength: 128,
  idMaxLength: 64,
  partNumberMaxLength: 64,
  noteMaxLength: 500,
} as const;

/** Body of `POST /api/v1/orders`. */
export interface SupplierOrderRequest {
  /** The buyer's order id (Millwright's), echoed in the confirmation. */
  orderId: string;
  site: string;
  asset: string;
  partNumber: string;
  /** Whole units, at least 1. */
  quantity: number;
  /** Price per unit in `currency`, at least 0. */
  unitCost: number;
  /** ISO 4217 code in capitals, e.g. `EUR`. */
  currency: string;
  /** ISO-8601 date (`2025-03-01`) or date-time with an offset (`2025-03-01T08:00:00Z`), as sent. */
  neededBy: string;
  note?: string;
}

/** Answer of `POST /api/v1/orders`: 201 when the order was accepted now, 200 (identical body) on a repeat. */
export interface SupplierOrderConfirmation {
  supplierOrderId: string;
  orderId: string;
  status: 'accepted';
  /** ISO-8601 date-time. */
  acceptedAt: string;
  /** ISO-8601 date-time. */
  expectedShipAt: string;
}

/** One accepted order as `GET /api/v1/orders[/:supplierOrderId]` returns it. */
export interface SupplierOrderRecord extends SupplierOrderConfirmation {
  idempotencyKey: string;
  request: SupplierOrderRequest;
}

/** `GET /api/v1/orders`, oldest first; `?orderId=` narrows it to one buyer order. */
export interface SupplierOrderList {
  items: SupplierOrderRecord[];
}

export const SupplierErrorCode = {
  /** 400: the body or the Idempotency-Key header breaks the contract; retrying cannot help. */
  ValidationFailed: 'validation_failed',
  /** 409: the key was already used with a different body; the buyer has a bug, not a glitch. */
  IdempotencyKeyReused: 'idempotency_key_reused',
  /** 404 */
  OrderNotFound: 'order_not_found',
  /** 503: try again later (a `Retry-After` header may say when). */
  Unavailable: 'unavailable',
} as const;
export type SupplierErrorCode = (typeof SupplierErrorCode)[keyof typeof SupplierErrorCode];

/** Body of every 4xx/5xx answer. */
export interface SupplierErrorBody {
  code: SupplierErrorCode;
  message: string;
}

/**
 * The simulator's fault settings (`GET`/`POST /api/v1/_faults`; a POST changes only the fields it
 * names). Each order request draws once from the seeded generator: below `failRate` it fails, below
 * `failRate + timeoutRate` it times out, otherwise it is answered.
 */
export interface SupplierFaults {
  /** Share of order requests answered 503, 0..1. */
  failRate: number;
  /** Share of order requests never answered (the connection is held until the client gives up), 0..1. */
  timeoutRate: number;
  /** Delay before every order request is handled, in milliseconds. */
  delayMs: number;
  /** A failing request is processed first (the order is recorded), then answered 503. */
  failAfterAccept: boolean;
  /** A timing-out request is processed first (the order is recorded), then never answered. */
  timeoutAfterAccept: boolean;
  /** `Retry-After` sent with an injected 503, in whole seconds; 0 sends none. */
  retryAfterSeconds: number;
  /** Restarts the generator (POST only), so a test sees the same fault sequence every run. */
  seed?: number;
}

/** Counters at `GET /api/v1/_stats`, for order requests only, since the simulator started. */
export interface SupplierStats {
  requests: number;
  /** Orders recorded (201). */
  accepted: number;
  /** Repeats of an accepted order under the same key and body (processed, whatever the answer). */
  duplicates: number;
  /** Refused with 400 or 409. */
  rejected: number;
  /** Answered 503 by fault injection. */
  failed: number;
  /** Left unanswered by fault injection. */
  timedOut: number;
}
