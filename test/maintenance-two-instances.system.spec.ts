import { waitFor } from '@millwright/testing';
import type { AppHandle } from './support/built-app.process';
import { orders, publishPredictions, registerAssets, startMaintenance, startOrdersStack, supplierOrders, type OrdersStack } from './support/orders.fixture';

describe('two maintenance instances on one database never order twice', () => {
  let stack: OrdersStack;
  let instances: AppHandle[] = [];

  beforeAll(async () => {
    stack = await startOrdersStack({
      supplierEnv: { SUPPLIER_DELAY_MS: '50', SUPPLIER_TIMEOUT_RATE: '0.2', SUPPLIER_TIMEOUT_AFTER_ACCEPT: 'true', SUPPLIER_SEED: '11' },
      maintenanceEnv: { SUPPLIER_TIMEOUT: '300ms', OUTBOX_INTERVAL: '50ms', OUTBOX_LEASE: '2s' },
    });
    instances = [stack.maintenance, await startMaintenance(stack.maintenanceEnv)];
  });
  afterAll(async () => {
    await instances[1]?.stop();
    await stack?.stop();
  });

  it('splits the predictions between them and still ends with one order per asset', async () => {
    const assets = Array.from({ length: 12 }, (_, i) => `eng-${i}`);
    const { nc, twins, supplier } = stack;
    await registerAssets(nc, twins.baseUrl, 'plant1', assets, 'turbofan');
    // Every asset crosses the threshold several times over, in many messages, so both instances
    // see predictions for the same assets at nearly the same time.
    for (let round = 0; round < 6; round++) {
      for (const asset of assets) await publishPredictions(nc, 'plant1', [{ asset, rul: 25 - round, basedOnSeq: 100 + round }]);
    }
    const local = await waitFor(async () => {
      const l = await orders(instances[1], '?limit=1000');
      return l.length === assets.length && l.every((o) => o.state === 'confirmed') ? l : undefined;
    }, { timeoutMs: 60_000, what: 'one confirmed order per asset' });
    expect(local.map((o) => o.asset).sort()).toEqual([...assets].sort());
    // The same orders, read in pages of five.
    const paged: string[] = [];
    let after: string | null = null;
    do {
      const page = (await (await fetch(`${instances[0].baseUrl}/api/v1/orders?limit=5${after ? `&after=${after}` : ''}`)).json()) as { items: Array<{ id: string }>; next: string | null };
      paged.push(...page.items.map((o) => o.id));
      after = page.next;
    } while (after);
    expect(paged.sort()).toEqual(local.map((o) => o.id).sort());
    expect((await supplierOrders(supplier)).map((o) => o.request.asset).sort()).toEqual([...assets].sort());
    const decided = await Promise.all(instances.map(async (i) => (await (await fetch(`${i.baseUrl}/metrics`)).text()).match(/millwright_order_decisions_total\{[^}]*outcome="(ordered|already_open)"[^}]*\} \d+/g) ?? []));
    // Both instances took part: the work was really shared, not done by one while the other idled.
    expect(decided.every((lines) => lines.length > 0)).toBe(true);
  });
});
