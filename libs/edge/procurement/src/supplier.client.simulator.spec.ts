import type { SupplierOrderRequest } from '@millwright/supplier-contracts';
import { startSupplierSimulator, type RunningSupplierSimulator } from '@millwright/supplier-simulator';
import { freePort } from '@millwright/testing';
import type { CircuitState } from './circuit.breaker';
import type { PlaceOrderResult } from './procurement.result';
import { SupplierClient } from './supplier.client';
import type { SupplierClientOptions } from './supplier-client.options';

const order = (n = 1): SupplierOrderRequest => ({
  orderId: `mo-${n}`,
  site: 'plant-7',
  asset: `engine_${n}`,
  partNumber: 'HPC-BLADE-07',
  quantity: 2,
  unitCost: 129.5,
  currency: 'EUR',
  neededBy: '2025-03-01',
});

let sim: RunningSupplierSimulator;
beforeEach(async () => {
  sim = await startSupplierSimulator({ seed: 1 });
});
afterEach(async () => {
  await sim.close();
});

/** Short timeouts and waits, so that a test full of faults still takes about a second. */
function client(overrides: Partial<SupplierClientOptions> = {}): SupplierClient {
  return new SupplierClient({ baseUrl: sim.url, timeoutMs: 250, retry: { attempts: 4, baseMs: 5, maxMs: 20 }, breaker: { failureThreshold: 100, coolDownMs: 20 }, ...overrides });
}

/** What the maintenance service will do: keep placing the order under its one key until it is settled. */
async function placeUntilSettled(c: SupplierClient, request: SupplierOrderRequest, key: string): Promise<PlaceOrderResult & { ok: true }> {
  const deadline = Date.now() + 8000;
  let last = '';
  while (Date.now() < deadline) {
    const r = await c.placeOrder(request, key);
    if (r.ok) return r;
    if (!r.retryable) throw new Error(`order ${request.orderId} refused: ${r.detail}`);
    last = r.detail;
    // While another order's trial call is running, the breaker says "now": still wait a little.
    await new Promise((resolve) => setTimeout(resolve, Math.min(Math.max(r.retryAfterMs ?? 0, 10), 50)));
  }
  throw new Error(`order ${request.orderId} still not placed: ${last}`);
}

describe('SupplierClient against the supplier simulator', () => {
  it('places an order and returns the supplier confirmation', async () => {
    const r = await client({ baseUrl: `${sim.url}/`, timeoutMs: 5000 }).placeOrder(order(), 'mo-1:key');
    expect(r).toEqual({ ok: true, replayed: false, attempts: 1, confirmation: expect.objectContaining({ orderId: 'mo-1', status: 'accepted' }) });
    expect(sim.store.list()).toEqual([expect.objectContaining({ supplierOrderId: r.ok && r.confirmation.supplierOrderId, idempotencyKey: 'mo-1:key' })]);
  });

  it('retries a call whose answer was lost with the same key, and ends with the one order the supplier recorded', async () => {
    sim.faults.update({ timeoutRate: 1, timeoutAfterAccept: true });
    const waits: number[] = [];
    // The supplier recovers while the client waits to retry.
    const sleep = async (ms: number) => {
      waits.push(ms);
      sim.faults.update({ timeoutRate: 0 });
    };
    const r = await client({ sleep }).placeOrder(order(), 'mo-1:key');

    expect(r).toMatchObject({ ok: true, replayed: true, attempts: 2 });
    expect(waits).toHaveLength(1);
    expect(sim.store.list()).toHaveLength(1);
    expect(r.ok && r.confirmation.supplierOrderId).toBe(sim.store.list()[0]!.supplierOrderId);
    expect(sim.stats.snapshot()).toMatchObject({ requests: 2, accepted: 1, duplicates: 1, timedOut: 1 });
  });

  it.each([
    ['before', false],
    ['after', true],
  ])('ends with exactly one order per key when half the calls fail or time out %s the supplier records them', async (_when, afterAccept) => {
    sim.faults.update({ failRate: 0.3, timeoutRate: 0.2, failAfterAccept: afterAccept, timeoutAfterAccept: afterAccept, seed: 4 });
    // A breaker that trips often at this failure rate: orders also come back circuit_open and must still converge.
    const c = client({ breaker: { failureThreshold: 5, coolDownMs: 20 } });
    const requests = Array.from({ length: 20 }, (_, i) => order(i + 1));
    const results = await Promise.all(requests.map((req) => placeUntilSettled(c, req, `${req.orderId}:key`)));

    for (const [i, req] of requests.entries()) {
      const atSupplier = sim.store.list(req.orderId);
      expect(atSupplier).toHaveLength(1);
      expect(results[i]!.confirmation.supplierOrderId).toBe(atSupplier[0]!.supplierOrderId);
    }
    expect(sim.store.list()).toHaveLength(20);
    const stats = sim.stats.snapshot();
    // The faults really struck; with after-accept faults the keys really were needed. (Before-accept
    // runs may see duplicates too: an answer slower than the client's timeout is a lost answer.)
    expect(stats.failed).toBeGreaterThan(3);
    expect(stats.timedOut).toBeGreaterThan(2);
    if (afterAccept) expect(stats.duplicates).toBeGreaterThan(0);
    expect(stats.accepted).toBe(20);
  });

  it('does not retry an order the supplier refuses as invalid', async () => {
    const sleep = jest.fn(async () => undefined);
    const r = await client({ sleep }).placeOrder({ ...order(), quantity: 0 }, 'mo-1:key');
    expect(r).toMatchObject({ ok: false, code: 'supplier_rejected', retryable: false, status: 400, supplierCode: 'validation_failed', attempts: 1 });
    expect(sleep).not.toHaveBeenCalled();
    expect(sim.stats.snapshot().requests).toBe(1);
  });

  it('reports a key reused for a different order as a refusal, not an outage', async () => {
    const c = client();
    await c.placeOrder(order(1), 'same-key');
    const r = await c.placeOrder({ ...order(1), quantity: 5 }, 'same-key');
    expect(r).toMatchObject({ ok: false, code: 'supplier_rejected', retryable: false, status: 409, supplierCode: 'idempotency_key_reused' });
  });

  it('waits as long as Retry-After says, and gives up at once when that is longer than it will wait', async () => {
    sim.faults.update({ failRate: 1, retryAfterSeconds: 2 });
    const waits: number[] = [];
    const r = await client({ retry: { attempts: 3, maxRetryAfterMs: 5000 }, sleep: async (ms) => void waits.push(ms) }).placeOrder(order(), 'k1');
    expect(waits).toEqual([2000, 2000]);
    expect(r).toMatchObject({ ok: false, code: 'supplier_unavailable', retryable: true, status: 503, attempts: 3, retryAfterMs: 2000 });

    const impatient = await client({ retry: { attempts: 3, maxRetryAfterMs: 1000 } }).placeOrder(order(), 'k2');
    expect(impatient).toMatchObject({ ok: false, code: 'supplier_unavailable', attempts: 1, retryAfterMs: 2000 });
  });

  it('reports an unreachable supplier as unavailable after its attempts', async () => {
    const nobody = `http://127.0.0.1:${await freePort()}`;
    const r = await new SupplierClient({ baseUrl: nobody, retry: { attempts: 3, baseMs: 1, maxMs: 2 } }).placeOrder(order(), 'k1');
    expect(r).toMatchObject({ ok: false, code: 'supplier_unavailable', retryable: true, attempts: 3, detail: expect.stringContaining('ECONNREFUSED') });
  });

  it('opens the circuit after repeated failures, stops calling, and closes after a successful trial', async () => {
    const clock = { t: 0 };
    const changes: CircuitState[] = [];
    const c = client({
      retry: { attempts: 3, baseMs: 1, maxMs: 1 },
      breaker: { failureThreshold: 3, coolDownMs: 10_000 },
      now: () => clock.t,
      onStateChange: (to) => changes.push(to),
    });
    sim.faults.update({ failRate: 1 });
    expect(await c.placeOrder(order(1), 'k1')).toMatchObject({ ok: false, code: 'supplier_unavailable', attempts: 3 });
    expect(c.circuitState).toBe('open');

    const blocked = await c.placeOrder(order(2), 'k2');
    expect(blocked).toMatchObject({ ok: false, code: 'circuit_open', retryable: true, attempts: 0, retryAfterMs: 10_000 });
    expect(sim.stats.snapshot().requests).toBe(3);

    // A failed trial keeps the supplier protected for another cool-down.
    clock.t = 10_000;
    expect(await c.placeOrder(order(2), 'k2')).toMatchObject({ ok: false, code: 'circuit_open', attempts: 1 });
    expect(c.circuitState).toBe('open');

    sim.faults.update({ failRate: 0 });
    clock.t = 20_000;
    expect(c.circuitState).toBe('half-open');
    expect(await c.placeOrder(order(2), 'k2')).toMatchObject({ ok: true, attempts: 1 });
    expect(c.circuitState).toBe('closed');
    expect(changes).toEqual(['open', 'half-open', 'open', 'half-open', 'closed']);
  });
});
