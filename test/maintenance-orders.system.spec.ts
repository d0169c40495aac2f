import { waitFor } from '@millwright/testing';
import { TURBOFAN_POLICY, orders, publishPredictions, putPolicy, registerAssets, setFaults, staffAction, startOrdersStack, supplierOrders, type OrdersStack } from './support/orders.fixture';

describe('maintenance: predictions become exactly one order at the supplier', () => {
  let stack: OrdersStack;
  // Shorthands for the parts every test uses.
  let nc: OrdersStack['nc'];
  let twins: OrdersStack['twins'];
  let supplier: OrdersStack['supplier'];
  let maintenance: OrdersStack['maintenance'];

  beforeAll(async () => {
    stack = await startOrdersStack({ supplierEnv: { SUPPLIER_SEED: '7' }, maintenanceEnv: { SUPPLIER_TIMEOUT: '300ms' } });
    ({ nc, twins, supplier, maintenance } = stack);
    await putPolicy(maintenance, 'press', { ...TURBOFAN_POLICY, partNumber: 'SEAL-KIT-7', unitCost: 900, approvalRequired: true });
  });
  afterAll(() => stack?.stop());

  it('orders once when RUL falls within lead time + margin, however often it is predicted again', async () => {
    await registerAssets(nc, twins.baseUrl, 'plant1', ['eng-a'], 'turbofan');
    await publishPredictions(nc, 'plant1', [{ asset: 'eng-a', rul: 80, basedOnSeq: 10 }]);
    for (let seq = 11; seq <= 20; seq++) await publishPredictions(nc, 'plant1', [{ asset: 'eng-a', rul: 40 - seq, basedOnSeq: seq }]);
    await publishPredictions(nc, 'plant1', [{ asset: 'eng-a', rul: 25, basedOnSeq: 15 }]); // a duplicate
    const [order] = await waitFor(async () => {
      const list = await orders(maintenance, '?asset=eng-a');
      return list.length === 1 && list[0].state === 'confirmed' ? list : undefined;
    }, { what: 'one confirmed order for eng-a' });
    expect(order.audit.map((a) => a.to)).toEqual(['proposed', 'approved', 'placed', 'confirmed']);
    expect(order.audit[0].evidence).toMatchObject({ modelVersion: 'fd001-test', prediction: { rul: 29, basedOnSeq: 11 } });
    expect(order.audit[1].actor).toEqual({ kind: 'system', id: 'maintenance' });
    const atSupplier = (await supplierOrders(supplier)).filter((o) => o.request.asset === 'eng-a');
    expect(atSupplier).toHaveLength(1);
    expect(atSupplier[0]).toMatchObject({ orderId: order.id, idempotencyKey: order.id, supplierOrderId: order.supplierOrderId });
  });

  it('waits for staff where policy asks, places on approval, and records who and why', async () => {
    await registerAssets(nc, twins.baseUrl, 'plant1', ['press-1', 'press-2'], 'press');
    await publishPredictions(nc, 'plant1', [{ asset: 'press-1', rul: 5, basedOnSeq: 3 }, { asset: 'press-2', rul: 5, basedOnSeq: 3 }]);
    const pending = await waitFor(async () => {
      const list = await orders(maintenance, '?state=awaiting_approval');
      return list.length === 2 ? list : undefined;
    }, { what: 'two orders awaiting approval' });
    expect((await supplierOrders(supplier)).filter((o) => o.request.asset.startsWith('press'))).toHaveLength(0);

    const p1 = pending.find((o) => o.asset === 'press-1')!;
    const p2 = pending.find((o) => o.asset === 'press-2')!;
    expect((await staffAction(maintenance, p1.id, 'approve', { by: 'ann', reason: 'seal is leaking' })).status).toBe(201);
    const rejected = await staffAction(maintenance, p2.id, 'reject', { by: 'bob', reason: 'press is being decommissioned' });
    expect(await rejected.json()).toMatchObject({ state: 'rejected' });
    await waitFor(async () => (await orders(maintenance, `?asset=press-1`))[0]?.state === 'confirmed', { what: 'press-1 confirmed' });
    const approved = (await orders(maintenance, '?asset=press-1'))[0];
    expect(approved.audit.find((a) => a.action === 'approve')).toMatchObject({ actor: { kind: 'staff', id: 'ann' }, reason: 'seal is leaking' });
    expect((await supplierOrders(supplier)).filter((o) => o.request.asset.startsWith('press')).map((o) => o.request.asset)).toEqual(['press-1']);
  });

  it('answers bad staff actions with 4xx and a code', async () => {
    const [order] = await orders(maintenance, '?asset=eng-a');
    const cases: Array<[string, string, Record<string, unknown>, number, string]> = [
      [order.id, 'install', { by: 'ann' }, 409, 'illegal_transition'],
      [order.id, 'reject', { by: 'ann', reason: 'x' }, 409, 'illegal_transition'],
      [order.id, 'fly', { by: 'ann' }, 400, 'validation_failed'],
      [order.id, 'receive', {}, 400, 'validation_failed'],
      ['no-such-order', 'approve', { by: 'ann' }, 404, 'order_not_found'],
    ];
    for (const [id, action, body, status, code] of cases) {
      const res = await staffAction(maintenance, id, action, body);
      expect([action, res.status, ((await res.json()) as { code: string }).code]).toEqual([action, status, code]);
    }
    expect((await staffAction(maintenance, order.id, 'cancel', { by: 'ann', reason: '  ' })).status).toBe(400);
  });

  it('receiving and installing the part starts a new episode, so a later decline orders again', async () => {
    const [order] = await orders(maintenance, '?asset=eng-a');
    expect((await staffAction(maintenance, order.id, 'receive', { by: 'ann', reason: 'arrived' })).status).toBe(201);
    expect((await staffAction(maintenance, order.id, 'install', { by: 'ann', reason: 'fitted' })).status).toBe(201);
    await publishPredictions(nc, 'plant1', [{ asset: 'eng-a', rul: 12, basedOnSeq: 400 }]);
    const list = await waitFor(async () => {
      const l = await orders(maintenance, '?asset=eng-a');
      return l.length === 2 && l.every((o) => o.state === 'installed' || o.state === 'confirmed') ? l : undefined;
    }, { what: 'a second order in the new episode' });
    expect(list.map((o) => o.episode).sort()).toEqual([0, 1]);
  });

  it('ends with exactly one order at a supplier that fails half its calls and times out', async () => {
    await setFaults(supplier, { failRate: 0.5, timeoutRate: 0.25, timeoutAfterAccept: true });
    const assets = Array.from({ length: 8 }, (_, i) => `flaky-${i}`);
    await registerAssets(nc, twins.baseUrl, 'plant1', assets, 'turbofan');
    await publishPredictions(nc, 'plant1', assets.map((asset) => ({ asset, rul: 10, basedOnSeq: 50 })));
    await waitFor(async () => {
      const l = await orders(maintenance, '?state=confirmed&limit=1000');
      return assets.every((a) => l.some((o) => o.asset === a));
    }, { timeoutMs: 60_000, what: 'every flaky order confirmed' });
    await setFaults(supplier, { failRate: 0, timeoutRate: 0, timeoutAfterAccept: false });
    const atSupplier = (await supplierOrders(supplier)).filter((o) => o.request.asset.startsWith('flaky-'));
    expect(atSupplier.map((o) => o.request.asset).sort()).toEqual(assets);
    const stats = (await (await fetch(`${supplier.baseUrl}/api/v1/_stats`)).json()) as { failed: number; timedOut: number };
    expect(stats.failed + stats.timedOut).toBeGreaterThan(0);
  });
});
