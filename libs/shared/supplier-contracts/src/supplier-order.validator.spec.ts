import { SupplierLimits, type SupplierOrderRequest } from './supplier-api.contract';
import { isIsoDate, parseSupplierOrderConfirmation, validateIdempotencyKey, validateSupplierOrderRequest } from './supplier-order.validator';

const order: SupplierOrderRequest = {
  orderId: 'mo-2025-0001',
  site: 'plant-7',
  asset: 'engine_042',
  partNumber: 'HPC-BLADE/07',
  quantity: 2,
  unitCost: 129.5,
  currency: 'EUR',
  neededBy: '2025-03-01',
};

describe('validateSupplierOrderRequest', () => {
  it('accepts a contract order and keeps exactly its fields', () => {
    expect(validateSupplierOrderRequest({ ...order, note: 'urgent' })).toEqual({ ok: true, value: { ...order, note: 'urgent' } });
    expect(validateSupplierOrderRequest({ ...order, unitCost: 0, neededBy: '2025-03-01T08:00:00.5+01:00' }).ok).toBe(true);
  });

  it.each([
    ['a body that is not an object', [order]],
    ['a missing orderId', { ...order, orderId: undefined }],
    ['a site with a slash', { ...order, site: 'plant/7' }],
    ['a quantity of 0', { ...order, quantity: 0 }],
    ['a fractional quantity', { ...order, quantity: 1.5 }],
    ['a quantity sent as a string', { ...order, quantity: '2' }],
    ['a negative unit cost', { ...order, unitCost: -0.01 }],
    ['a lower-case currency', { ...order, currency: 'eur' }],
    ['a date that does not exist', { ...order, neededBy: '2025-02-29' }],
    ['a date-time without an offset', { ...order, neededBy: '2025-03-01T08:00' }],
    ['a note that is too long', { ...order, note: 'x'.repeat(SupplierLimits.noteMaxLength + 1) }],
    ['an unknown field', { ...order, priority: 'high' }],
  ])('refuses %s', (_what, body) => {
    const r = validateSupplierOrderRequest(body);
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.message).not.toBe('');
  });

  it('names the unknown field so the buyer can find the typo', () => {
    expect(validateSupplierOrderRequest({ ...order, quantitty: 2 })).toEqual({ ok: false, message: 'unknown field(s): quantitty' });
  });
});

describe('validateIdempotencyKey', () => {
  it('takes 1-128 visible ASCII characters', () => {
    expect(validateIdempotencyKey('k'.repeat(128))).toEqual({ ok: true, value: 'k'.repeat(128) });
    expect(validateIdempotencyKey('order:mo-1/attempt')).toMatchObject({ ok: true });
    for (const bad of [undefined, '', 'k'.repeat(129), 'has space', 'tab\there']) expect(validateIdempotencyKey(bad).ok).toBe(false);
  });
});

describe('isIsoDate', () => {
  it('knows leap years', () => {
    expect(isIsoDate('2024-02-29')).toBe(true);
    expect(isIsoDate('2100-02-29')).toBe(false);
  });
});

describe('parseSupplierOrderConfirmation', () => {
  const confirmation = { supplierOrderId: 'SO-000001', orderId: 'mo-1', status: 'accepted', acceptedAt: '2025-01-01T00:00:00.000Z', expectedShipAt: '2025-01-04T00:00:00.000Z' };

  it('reads a confirmation and drops anything else in the body', () => {
    expect(parseSupplierOrderConfirmation({ ...confirmation, extra: 1 })).toEqual({ ok: true, value: confirmation });
  });

  it('does not take an error body or another status for a confirmation', () => {
    expect(parseSupplierOrderConfirmation({ code: 'unavailable', message: 'down' }).ok).toBe(false);
    expect(parseSupplierOrderConfirmation({ ...confirmation, status: 'pending' }).ok).toBe(false);
  });
});
