import { SupplierApi, type SupplierOrderList, type SupplierOrderRequest } from '@millwright/supplier-contracts';
import { startSupplierSimulator, type RunningSupplierSimulator } from './supplier-simulator.server';

const order: SupplierOrderRequest = { orderId: 'mo-1', site: 'plant-7', asset: 'engine_1', partNumber: 'HPC-7', quantity: 2, unitCost: 10, currency: 'EUR', neededBy: '2025-03-01' };

let sim: RunningSupplierSimulator;
beforeEach(async () => {
  sim = await startSupplierSimulator({ seed: 1 });
});
afterEach(async () => {
  await sim.close();
});

function post(body: unknown, key: string | undefined, opts: { timeoutMs?: number; raw?: string } = {}): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (key !== undefined) headers[SupplierApi.idempotencyKeyHeader] = key;
  return fetch(sim.url + SupplierApi.ordersPath, {
    method: 'POST',
    headers,
    body: opts.raw ?? JSON.stringify(body),
    signal: AbortSignal.timeout(opts.timeoutMs ?? 5000),
  });
}
const setFaults = (faults: Record<string, unknown>) =>
  fetch(sim.url + SupplierApi.faultsPath, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(faults) });
const orders = async (orderId?: string) =>
  ((await (await fetch(`${sim.url}${SupplierApi.ordersPath}${orderId ? `?orderId=${orderId}` : ''}`)).json()) as SupplierOrderList).items;

describe('supplier simulator over HTTP', () => {
  it('accepts an order with 201 and answers a repeat of the key with 200 and the identical body', async () => {
    const first = await post(order, 'key-1');
    expect(first.status).toBe(201);
    const confirmation = await first.json();
    expect(confirmation).toMatchObject({ supplierOrderId: 'SO-000001', orderId: 'mo-1', status: 'accepted' });

    const again = await post(order, 'key-1');
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual(confirmation);
    expect(await orders()).toHaveLength(1);
    const one = await fetch(`${sim.url}${SupplierApi.ordersPath}/SO-000001`);
    expect(await one.json()).toMatchObject({ idempotencyKey: 'key-1', request: order });
    expect(sim.stats.snapshot()).toMatchObject({ requests: 2, accepted: 1, duplicates: 1 });
  });

  it('answers 409 when a key comes back with a different body', async () => {
    await post(order, 'key-1');
    const res = await post({ ...order, quantity: 3 }, 'key-1');
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ code: 'idempotency_key_reused' });
    expect(await orders()).toHaveLength(1);
  });

  it.each([
    ['no Idempotency-Key', order, undefined, undefined],
    ['a body breaking the contract', { ...order, quantity: 0 }, 'key-1', undefined],
    ['a body that is not JSON', undefined, 'key-1', '{"orderId":'],
  ])('answers 400 validation_failed for %s', async (_what, body, key, raw) => {
    const res = await post(body, key, { raw });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'validation_failed', message: expect.any(String) });
    expect(await orders()).toHaveLength(0);
  });

  it('answers 404 for an unknown order', async () => {
    const res = await fetch(`${sim.url}${SupplierApi.ordersPath}/SO-999999`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ code: 'order_not_found' });
  });

  it('fails with 503 and Retry-After when told to, without recording the order', async () => {
    expect((await setFaults({ failRate: 1, retryAfterSeconds: 2 })).status).toBe(200);
    const res = await post(order, 'key-1');
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('2');
    expect(await res.json()).toMatchObject({ code: 'unavailable' });
    expect(await orders()).toHaveLength(0);
  });

  it('records the order and still answers 503 in fail-after-accept mode', async () => {
    await setFaults({ failRate: 1, failAfterAccept: true });
    expect((await post(order, 'key-1')).status).toBe(503);
    expect(await orders('mo-1')).toHaveLength(1);
  });

  it('never answers a timed-out request, and records it only in timeout-after-accept mode', async () => {
    await setFaults({ timeoutRate: 1 });
    await expect(post(order, 'key-1', { timeoutMs: 150 })).rejects.toThrow();
    expect(await orders()).toHaveLength(0);

    await setFaults({ timeoutAfterAccept: true });
    await expect(post(order, 'key-1', { timeoutMs: 150 })).rejects.toThrow();
    expect(await orders()).toHaveLength(1);

    // The buyer retries with the same key once the supplier recovers: it learns the order it lost.
    await setFaults({ timeoutRate: 0 });
    const retry = await post(order, 'key-1');
    expect(retry.status).toBe(200);
    expect(await retry.json()).toMatchObject({ supplierOrderId: (await orders())[0]!.supplierOrderId });
    expect(sim.stats.snapshot()).toMatchObject({ requests: 3, accepted: 1, duplicates: 1, timedOut: 2 });
  });

  it('shuts down promptly while a request is being held', async () => {
    await setFaults({ timeoutRate: 1 });
    const pending = post(order, 'key-1', { timeoutMs: 10_000 });
    pending.catch(() => undefined);
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    await sim.close();
    expect(Date.now() - started).toBeLessThan(2000);
    // Cut without an answer, like a supplier that crashed mid-request.
    await expect(pending).rejects.toThrow('fetch failed');
    sim = await startSupplierSimulator();
  });

  it('delays answers by delayMs', async () => {
    await setFaults({ delayMs: 120 });
    const started = Date.now();
    expect((await post(order, 'key-1')).status).toBe(201);
    expect(Date.now() - started).toBeGreaterThanOrEqual(110);
  });

  it('refuses fault settings that make no sense', async () => {
    const res = await setFaults({ failRate: 0.7, timeoutRate: 0.7 });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'validation_failed' });
    expect(await (await fetch(sim.url + SupplierApi.faultsPath)).json()).toMatchObject({ failRate: 0, timeoutRate: 0 });
  });
});
