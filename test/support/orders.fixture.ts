import { connect, type NatsConnection } from 'nats';
import { Subjects, type PredictionV1 } from '@millwright/contracts';
import { join } from 'node:path';
import { makeTempDir, startNatsServer, waitFor, type NatsServerHandle, type TempDir } from '@millwright/testing';
import { startBuiltApp, type AppHandle } from './built-app.process';
import { startTwinService } from './twin-service.process';

export interface SupplierOrder {
  supplierOrderId: string;
  orderId: string;
  idempotencyKey: string;
  request: { asset: string; partNumber: string };
}

export interface OrderView {
  id: string;
  asset: string;
  state: string;
  episode: number;
  supplierOrderId: string | null;
  audit: Array<{ from: string | null; to: string; action: string; actor: { kind: string; id: string }; reason: string; evidence?: Record<string, unknown> }>;
}

export const startSupplier = (env: Record<string, string> = {}): Promise<AppHandle> => startBuiltApp('supplier-simulator', env, '/api/v1/_stats');
export const startMaintenance = (env: Record<string, string>): Promise<AppHandle> => startBuiltApp('maintenance', env);

export async function supplierOrders(supplier: AppHandle): Promise<SupplierOrder[]> {
  return ((await (await fetch(`${supplier.baseUrl}/api/v1/orders`)).json()) as { items: SupplierOrder[] }).items;
}

export async function setFaults(supplier: AppHandle, faults: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${supplier.baseUrl}/api/v1/_faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(faults) });
  if (!res.ok) throw new Error(`setting faults: ${res.status} ${await res.text()}`);
}

export async function orders(maintenance: AppHandle, query = ''): Promise<OrderView[]> {
  return ((await (await fetch(`${maintenance.baseUrl}/api/v1/orders${query}`)).json()) as { items: OrderView[] }).items;
}

export async function putPolicy(maintenance: AppHandle, assetClass: string, policy: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${maintenance.baseUrl}/api/v1/policies/${assetClass}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(policy) });
  if (!res.ok) throw new Error(`policy: ${res.status} ${await res.text()}`);
}

export function staffAction(maintenance: AppHandle, id: string, action: string, body: Record<string, unknown>): Promise<Response> {
  return fetch(`${maintenance.baseUrl}/api/v1/orders/${id}/${action}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

/** Makes assets known to the twin service (with their class), which the maintenance service asks. */
export async function registerAssets(nc: NatsConnection, twinUrl: string, site: string, assets: string[], assetClass: string): Promise<void> {
  for (const asset of assets) nc.publish(Subjects.reading(site, asset), Buffer.from(JSON.stringify({ site, asset, seq: 1, ts: Date.now(), values: { T50: 1 }, assetClass })));
  await waitFor(async () => {
    for (const a of assets) if (!(await fetch(`${twinUrl}/api/v1/twins/${site}/${a}`)).ok) return false;
    return true;
  }, { what: 'assets registered' });
}

/** Publishes predictions as the predictor would (durably, into the PREDICTIONS stream). */
export async function publishPredictions(nc: NatsConnection, site: string, predictions: Array<Partial<PredictionV1> & { asset: string; rul: number; basedOnSeq: number }>): Promise<void> {
  const full: PredictionV1[] = predictions.map((p) => ({ site, status: 'ok', failureRisk: 0.1, health: 'warning', modelVersion: 'fd001-test', at: Date.now(), ...p }));
  await nc.jetstream().publish(Subjects.predictions(site), Buffer.from(JSON.stringify({ site, predictions: full })));
}

export { connect };

/** The default turbofan policy, as tests set it explicitly (the shipped file may change). */
export const TURBOFAN_POLICY = {
  partNumber: 'HPC-MODULE-01', supplier: 'acme-aero', leadTimeCycles: 20, safetyMarginCycles: 10, unitCost: 48000, currency: 'EUR',
  autoApproveLimit: 50000, approvalRequired: false, riskThreshold: 0.8, cycleMs: 3_600_000,
} as const;

/** Settings that make the outbox relay retry fast enough for a test, not for a plant. */
export const FAST_OUTBOX = { SUPPLIER_BREAKER_COOLDOWN: '200ms', OUTBOX_RETRY_BASE: '50ms', OUTBOX_RETRY_MAX: '400ms', OUTBOX_INTERVAL: '100ms' };

export interface OrdersStack {
  nats: NatsServerHandle;
  dir: TempDir;
  twins: AppHandle;
  supplier: AppHandle;
  maintenance: AppHandle;
  nc: NatsConnection;
  /** The maintenance settings used, to start more instances on the same database. */
  maintenanceEnv: Record<string, string>;
  stop(): Promise<void>;
}

/** NATS, the twin service, a supplier simulator and the maintenance service, with the turbofan policy set. */
export async function startOrdersStack(o: { supplierEnv?: Record<string, string>; maintenanceEnv?: Record<string, string> } = {}): Promise<OrdersStack> {
  const nats = await startNatsServer();
  const dir = makeTempDir('mw-orders-');
  const twins = await startTwinService({ NATS_URL: nats.url, TWIN_DB_PATH: join(dir.path, 'twins.db'), SQLITE_SYNCHRONOUS: 'normal' });
  const supplier = await startSupplier(o.supplierEnv);
  const maintenanceEnv = {
    NATS_URL: nats.url, TWIN_SERVICE_URL: twins.baseUrl, SUPPLIER_URL: supplier.baseUrl, MAINTENANCE_DB_PATH: join(dir.path, 'maintenance.db'),
    ...FAST_OUTBOX, ...o.maintenanceEnv,
  };
  const maintenance = await startMaintenance(maintenanceEnv);
  const nc = await connect({ servers: nats.url });
  await putPolicy(maintenance, 'turbofan', { ...TURBOFAN_POLICY });
  const stack: OrdersStack = {
    nats, dir, twins, supplier, maintenance, nc, maintenanceEnv,
    async stop() {
      await nc.close();
      for (const app of [stack.maintenance, supplier, twins]) await app.stop();
      await nats.stop();
      dir.remove();
    },
  };
  return stack;
}
