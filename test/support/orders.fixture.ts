import { connect, type NatsConnection } from 'nats';
import { Subjects, type PredictionV1 } from '@millwright/contracts';
import { waitFor } from '@millwright/testing';
import { startBuiltApp, type AppHandle } from './built-app.process';

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
