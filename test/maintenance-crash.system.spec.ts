import { waitFor } from '@millwright/testing';
import { orders, publishPredictions, registerAssets, startOrdersStack, supplierOrders, type OrdersStack } from './support/orders.fixture';

const KILLS = 20;

describe('maintenance survives kill -9 during placement, 20 times', () => {
  let stack: OrdersStack;

  beforeAll(async () => {
    // A slow supplier that sometimes records an order and then loses the answer: kills land mid-call.
    stack = await startOrdersStack({
      supplierEnv: { SUPPLIER_DELAY_MS: '120', SUPPLIER_TIMEOUT_RATE: '0.2', SUPPLIER_SEED: '3' },
      maintenanceEnv: { SUPPLIER_TIMEOUT: '400ms', OUTBOX_LEASE: '1s' },
    });
  });
  afterAll(() => stack?.stop());

  it('ends with exactly one order per asset at the supplier and a consistent local state', async () => {
    const assets = Array.from({ length: KILLS }, (_, i) => `eng-${String(i).padStart(2, '0')}`);
    const { nc, twins, supplier } = stack;
    await registerAssets(nc, twins.baseUrl, 'plant1', assets, 'turbofan');
    for (let k = 0; k < KILLS; k++) {
      // New work before every kill, and the same predictions again: repeats must not order twice.
      await publishPredictions(nc, 'plant1', [{ asset: assets[k], rul: 15, basedOnSeq: 100 + k }, ...assets.slice(0, k).map((asset) => ({ asset, rul: 14, basedOnSeq: 100 + k }))]);
      await new Promise((r) => setTimeout(r, 60 + Math.random() * 400));
      await stack.maintenance.kill9();
      await stack.maintenance.restart();
    }

    const local = await waitFor(async () => {
      const l = await orders(stack.maintenance, '?limit=1000');
      return l.length === KILLS && l.every((o) => o.state === 'confirmed') ? l : undefined;
    }, { timeoutMs: 60_000, what: 'every order confirmed after the crashes' });
    const atSupplier = await supplierOrders(supplier);
    expect(atSupplier.map((o) => o.request.asset).sort()).toEqual(assets);
    for (const o of local) {
      const s = atSupplier.find((x) => x.orderId === o.id);
      expect(s).toMatchObject({ idempotencyKey: o.id, supplierOrderId: o.supplierOrderId });
      expect(o.audit.map((a) => a.to)).toEqual(['proposed', 'approved', 'placed', 'confirmed']);
    }
    const metrics = await (await fetch(`${stack.maintenance.baseUrl}/metrics`)).text();
    await waitFor(async () => /millwright_outbox_backlog\{[^}]*\} 0\b/.test(await (await fetch(`${stack.maintenance.baseUrl}/metrics`)).text()), { what: 'the outbox to drain (order events published)' });
    expect(metrics).toContain('millwright_orders_placed_total');
  });
});
