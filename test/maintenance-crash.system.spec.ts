import { join } from 'node:path';
import type { NatsConnection } from 'nats';
import { makeTempDir, startNatsServer, waitFor, type NatsServerHandle, type TempDir } from '@millwright/testing';
import type { AppHandle } from './support/built-app.process';
import { connect, orders, publishPredictions, putPolicy, registerAssets, startMaintenance, startSupplier, supplierOrders } from './support/orders.fixture';
import { startTwinService } from './support/twin-service.process';

const KILLS = 20;

describe('maintenance survives kill -9 during placement, 20 times', () => {
  let nats: NatsServerHandle;
  let dir: TempDir;
  let twins: AppHandle;
  let supplier: AppHandle;
  let maintenance: AppHandle;
  let nc: NatsConnection;

  beforeAll(async () => {
    nats = await startNatsServer();
    dir = makeTempDir('mw-orders-crash-');
    twins = await startTwinService({ NATS_URL: nats.url, TWIN_DB_PATH: join(dir.path, 'twins.db'), SQLITE_SYNCHRONOUS: 'normal' });
    // A slow supplier that sometimes records an order and then loses the answer: kills land mid-call.
    supplier = await startSupplier({ SUPPLIER_DELAY_MS: '120', SUPPLIER_TIMEOUT_RATE: '0.2', SUPPLIER_SEED: '3' });
    maintenance = await startMaintenance({
      NATS_URL: nats.url, TWIN_SERVICE_URL: twins.baseUrl, SUPPLIER_URL: supplier.baseUrl, MAINTENANCE_DB_PATH: join(dir.path, 'maintenance.db'),
      SUPPLIER_TIMEOUT: '400ms', SUPPLIER_BREAKER_COOLDOWN: '200ms', OUTBOX_RETRY_BASE: '50ms', OUTBOX_RETRY_MAX: '400ms', OUTBOX_INTERVAL: '100ms', OUTBOX_LEASE: '1s',
    });
    nc = await connect({ servers: nats.url });
    await putPolicy(maintenance, 'turbofan', {
      partNumber: 'HPC-MODULE-01', supplier: 'acme-aero', leadTimeCycles: 20, safetyMarginCycles: 10, unitCost: 48000, currency: 'EUR',
      autoApproveLimit: 50000, approvalRequired: false, riskThreshold: 0.8, cycleMs: 3_600_000,
    });
  });
  afterAll(async () => {
    await nc?.close();
    for (const app of [maintenance, supplier, twins]) await app?.stop();
    await nats?.stop();
    dir?.remove();
  });

  it('ends with exactly one order per asset at the supplier and a consistent local state', async () => {
    const assets = Array.from({ length: KILLS }, (_, i) => `eng-${String(i).padStart(2, '0')}`);
    await registerAssets(nc, twins.baseUrl, 'plant1', assets, 'turbofan');
    for (let k = 0; k < KILLS; k++) {
      // New work before every kill, and the same predictions again: repeats must not order twice.
      await publishPredictions(nc, 'plant1', [{ asset: assets[k], rul: 15, basedOnSeq: 100 + k }, ...assets.slice(0, k).map((asset) => ({ asset, rul: 14, basedOnSeq: 100 + k }))]);
      await new Promise((r) => setTimeout(r, 60 + Math.random() * 400));
      await maintenance.kill9();
      await maintenance.restart();
    }

    const local = await waitFor(async () => {
      const l = await orders(maintenance, '?limit=1000');
      return l.length === KILLS && l.every((o) => o.state === 'confirmed') ? l : undefined;
    }, { timeoutMs: 60_000, what: 'every order confirmed after the crashes' });
    const atSupplier = await supplierOrders(supplier);
    expect(atSupplier.map((o) => o.request.asset).sort()).toEqual(assets);
    for (const o of local) {
      const s = atSupplier.find((x) => x.orderId === o.id);
      expect(s).toMatchObject({ idempotencyKey: o.id, supplierOrderId: o.supplierOrderId });
      expect(o.audit.map((a) => a.to)).toEqual(['proposed', 'approved', 'placed', 'confirmed']);
    }
    const metrics = await (await fetch(`${maintenance.baseUrl}/metrics`)).text();
    await waitFor(async () => /millwright_outbox_backlog\{[^}]*\} 0\b/.test(await (await fetch(`${maintenance.baseUrl}/metrics`)).text()), { what: 'the outbox to drain (order events published)' });
    expect(metrics).toContain('millwright_orders_placed_total');
  });
});
