import { join } from 'node:path';
import type { NatsConnection } from 'nats';
import { makeTempDir, startNatsServer, waitFor, type NatsServerHandle, type TempDir } from '@millwright/testing';
import type { AppHandle } from './support/built-app.process';
import { connect, orders, publishPredictions, putPolicy, registerAssets, startMaintenance, startSupplier, supplierOrders } from './support/orders.fixture';
import { startTwinService } from './support/twin-service.process';

describe('two maintenance instances on one database never order twice', () => {
  let nats: NatsServerHandle;
  let dir: TempDir;
  let twins: AppHandle;
  let supplier: AppHandle;
  let instances: AppHandle[] = [];
  let nc: NatsConnection;

  beforeAll(async () => {
    nats = await startNatsServer();
    dir = makeTempDir('mw-orders-two-');
    twins = await startTwinService({ NATS_URL: nats.url, TWIN_DB_PATH: join(dir.path, 'twins.db'), SQLITE_SYNCHRONOUS: 'normal' });
    supplier = await startSupplier({ SUPPLIER_DELAY_MS: '50', SUPPLIER_TIMEOUT_RATE: '0.2', SUPPLIER_TIMEOUT_AFTER_ACCEPT: 'true', SUPPLIER_SEED: '11' });
    const env = {
      NATS_URL: nats.url, TWIN_SERVICE_URL: twins.baseUrl, SUPPLIER_URL: supplier.baseUrl, MAINTENANCE_DB_PATH: join(dir.path, 'maintenance.db'),
      SUPPLIER_TIMEOUT: '300ms', SUPPLIER_BREAKER_COOLDOWN: '200ms', OUTBOX_RETRY_BASE: '50ms', OUTBOX_RETRY_MAX: '400ms', OUTBOX_INTERVAL: '50ms', OUTBOX_LEASE: '2s',
    };
    instances = [await startMaintenance(env), await startMaintenance(env)];
    nc = await connect({ servers: nats.url });
    await putPolicy(instances[0], 'turbofan', {
      partNumber: 'HPC-MODULE-01', supplier: 'acme-aero', leadTimeCycles: 20, safetyMarginCycles: 10, unitCost: 48000, currency: 'EUR',
      autoApproveLimit: 50000, approvalRequired: false, riskThreshold: 0.8, cycleMs: 3_600_000,
    });
  });
  afterAll(async () => {
    await nc?.close();
    for (const app of [...instances, supplier, twins]) await app?.stop();
    await nats?.stop();
    dir?.remove();
  });

  it('splits the predictions between them and still ends with one order per asset', async () => {
    const assets = Array.from({ length: 12 }, (_, i) => `eng-${i}`);
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
