import { SupplierLimits, type SupplierOrderConfirmation, type SupplierOrderRequest } from './supplier-api.contract';

export type Validated<T> = { ok: true; value: T } | { ok: false; message: string };

const ID = /^[A-Za-z0-9_-]+$/;
const ORDER_ID = /^[A-Za-z0-9_.:-]+$/;
const PART_NUMBER = /^[A-Za-z0-9][A-Za-z0-9_./-]*$/;
const CURRENCY = /^[A-Z]{3}$/;
// Visible ASCII only: keys end up in logs and ERP audit trails, where control characters hurt.
const KEY = /^[\x21-\x7e]+$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})(?:T([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d)(?:\.\d{1,9})?)?(Z|[+-](?:[01]\d|2[0-3]):[0-5]\d))?$/;
const FIELDS = new Set(['orderId', 'site', 'asset', 'partNumber', 'quantity', 'unitCost', 'currency', 'neededBy', 'note']);

const fail = (message: string): { ok: false; message: string } => ({ ok: false, message });

export function validateIdempotencyKey(raw: unknown): Validated<string> {
  if (typeof raw !== 'string' || raw.length === 0) return fail('the Idempotency-Key header is required');
  if (raw.length > SupplierLimits.idempotencyKeyMaxLength || !KEY.test(raw)) {
    return fail(`Idempotency-Key must be 1-${SupplierLimits.idempotencyKeyMaxLength} visible ASCII characters`);
  }
  return { ok: true, value: raw };
}

/** A calendar date that exists (no 2025-02-30), optionally with a time and an explicit offset. */
export function isIsoDate(v: unknown): v is string {
  if (typeof v !== 'string') return false;
  const m = DATE.exec(v);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const day = new Date(Date.UTC(y, mo - 1, d));
  return day.getUTCFullYear() === y && day.getUTCMonth() === mo - 1 && day.getUTCDate() === d;
}

/**
 * Checks an order body against the contract and returns it with exactly the contract's fields.
 * Unknown fields are refused rather than ignored: the supplier compares repeats field by field, and
 * a field it silently dropped would make two different orders look identical.
 */
export function validateSupplierOrderRequest(raw: unknown): Validated<SupplierOrderRequest> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return fail('the body must be a JSON object');
  const r = raw as Record<string, unknown>;
  const unknown = Object.keys(r).filter((k) => !FIELDS.has(k));
  if (unknown.length) return fail(`unknown field(s): ${unknown.join(', ')}`);
  const L = SupplierLimits;
  if (!isText(r.orderId, L.orderIdMaxLength, ORDER_ID)) return fail(`orderId must be 1-${L.orderIdMaxLength} characters of [A-Za-z0-9_.:-]`);
  if (!isText(r.site, L.idMaxLength, ID)) return fail(`site must be 1-${L.idMaxLength} characters of [A-Za-z0-9_-]`);
  if (!isText(r.asset, L.idMaxLength, ID)) return fail(`asset must be 1-${L.idMaxLength} characters of [A-Za-z0-9_-]`);
  if (!isText(r.partNumber, L.partNumberMaxLength, PART_NUMBER)) {
    return fail(`partNumber must be 1-${L.partNumberMaxLength} characters of [A-Za-z0-9_./-], starting with a letter or digit`);
  }
  if (typeof r.quantity !== 'number' || !Number.isSafeInteger(r.quantity) || r.quantity < 1) return fail('quantity must be a whole number of at least 1');
  if (typeof r.unitCost !== 'number' || !Number.isFinite(r.unitCost) || r.unitCost < 0) return fail('unitCost must be a number of at least 0');
  if (typeof r.currency !== 'string' || !CURRENCY.test(r.currency)) return fail('currency must be an ISO 4217 code of 3 capital letters');
  if (!isIsoDate(r.neededBy)) return fail('neededBy must be an ISO-8601 date (YYYY-MM-DD) or date-time with an offset');
  if (r.note !== undefined && (typeof r.note !== 'string' || r.note.length > L.noteMaxLength)) return fail(`note must be a string of at most ${L.noteMaxLength} characters`);
  const value: SupplierOrderRequest = {
    orderId: r.orderId,
    site: r.site,
    asset: r.asset,
    partNumber: r.partNumber,
    quantity: r.quantity,
    unitCost: r.unitCost,
    currency: r.currency,
    neededBy: r.neededBy,
  };
  if (r.note !== undefined) value.note = r.note as string;
  return { ok: true, value };
}

function isText(v: unknown, max: number, pattern: RegExp): v is string {
  return typeof v === 'string' && v.length > 0 && v.length <= max && pattern.test(v);
}

/**
 * Reads a supplier's confirmation. The buyer records it as proof of the order, so a 2xx whose body
 * is not a confirmation must not pass as one.
 */
export function parseSupplierOrderConfirmation(raw: unknown): Validated<SupplierOrderConfirmation> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return fail('the confirmation must be a JSON object');
  const r = raw as Record<string, unknown>;
  if (typeof r.supplierOrderId !== 'string' || r.supplierOrderId.length === 0) return fail('supplierOrderId is missing');
  if (typeof r.orderId !== 'string' || r.orderId.length === 0) return fail('orderId is missing');
  if (r.status !== 'accepted') return fail(`status is ${JSON.stringify(r.status)}, not "accepted"`);
  if (!isIsoDate(r.acceptedAt)) return fail('acceptedAt is not an ISO-8601 date-time');
  if (!isIsoDate(r.expectedShipAt)) return fail('expectedShipAt is not an ISO-8601 date-time');
  return {
    ok: true,
    value: { supplierOrderId: r.supplierOrderId, orderId: r.orderId, status: 'accepted', acceptedAt: r.acceptedAt, expectedShipAt: r.expectedShipAt },
  };
}
