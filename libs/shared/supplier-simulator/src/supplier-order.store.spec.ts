import { join } from 'node:path';
import type { SupplierOrderRequest } from '@millwright/supplier-contracts';
import { makeTempDir, type TempDir } from '@millwright/testing';
import { SupplierOrderStore } from './supplier-order.store';

const order: SupplierOrderRequest = { orderId: 'mo-1', site: 'plant-7', asset: 'engine_1', partNumber: 'HPC-7', quantity: 1, unitCost: 10, currency: 'EUR', neededBy: '2025-03-01' };
const DAY = 86_400_000;

let temp: TempDir;
beforeEach(() => (temp = makeTempDir('mw-supplier-store-')));
afterEach(() => temp.remove());

describe('SupplierOrderStore', () => {
  it('records an order once per key and hands back the same record for a repeat', () => {
    const store = new SupplierOrderStore({ leadTimeMs: 2 * DAY, now: () => Date.UTC(2025, 0, 1) });
    const first = store.place('k1', order);
    expect(first).toMatchObject({ outcome: 'accepted', record: { supplierOrderId: 'SO-000001', acceptedAt: '2025-01-01T00:00:00.000Z', expectedShipAt: '2025-01-03T00:00:00.000Z' } });
    // Same fields in another order: the same order.
    const { quantity, ...rest } = order;
    expect(store.place('k1', { quantity, ...rest })).toEqual({ outcome: 'duplicate', record: first.record });
    expect(store.list()).toHaveLength(1);
  });

  it('refuses a key reused for another body, and treats a new key as a new order', () => {
    const store = new SupplierOrderStore({ leadTimeMs: DAY });
    store.place('k1', order);
    expect(store.place('k1', { ...order, quantity: 2 })).toMatchObject({ outcome: 'conflict', record: { supplierOrderId: 'SO-000001' } });
    expect(store.place('k1', { ...order, note: 'x' }).outcome).toBe('conflict');
    expect(store.place('k2', order)).toMatchObject({ outcome: 'accepted', record: { supplierOrderId: 'SO-000002' } });
    expect(store.list('mo-1').map((r) => r.idempotencyKey)).toEqual(['k1', 'k2']);
  });

  it('keeps orders and their keys across a restart when given a state file', () => {
    const stateFile = join(temp.path, 'nested', 'supplier.json');
    const before = new SupplierOrderStore({ stateFile, leadTimeMs: DAY });
    const accepted = before.place('k1', order).record;
    before.place('k2', { ...order, orderId: 'mo-2' });

    const after = new SupplierOrderStore({ stateFile, leadTimeMs: DAY });
    expect(after.place('k1', order)).toEqual({ outcome: 'duplicate', record: accepted });
    expect(after.place('k3', { ...order, orderId: 'mo-3' }).record.supplierOrderId).toBe('SO-000003');
    expect(after.get('SO-000002')?.orderId).toBe('mo-2');
  });
});
