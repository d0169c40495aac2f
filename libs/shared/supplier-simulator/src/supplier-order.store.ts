import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  validateIdempotencyKey,
  validateSupplierOrderRequest,
  type SupplierOrderConfirmation,
  type SupplierOrderRecord,
  type SupplierOrderRequest,
} from '@millwright/supplier-contracts';

export type PlaceOutcome =
  | { outcome: 'accepted'; record: SupplierOrderRecord }
  | { outcome: 'duplicate'; record: SupplierOrderRecord }
  /** The key is taken by another order body; `record` is the order that holds it. */
  | { outcome: 'conflict'; record: SupplierOrderRecord };

export interface SupplierOrderStoreOptions {
  /** JSON file that keeps accepted orders across restarts; without it the store lives in memory. */
  stateFile?: string;
  /** Promised time from acceptance to shipping. */
  leadTimeMs: number;
  now?: () => number;
}

interface StateFileV1 {
  version: 1;
  orders: SupplierOrderRecord[];
}

/** Repeats are compared on the validated fields only, so key order or whitespace in the JSON don't matter. */
function fingerprint(r: SupplierOrderRequest): string {
  return JSON.stringify([r.orderId, r.site, r.asset, r.partNumber, r.quantity, r.unitCost, r.currency, r.neededBy, r.note ?? null]);
}

export function confirmationOf(r: SupplierOrderRecord): SupplierOrderConfirmation {
  return { supplierOrderId: r.supplierOrderId, orderId: r.orderId, status: r.status, acceptedAt: r.acceptedAt, expectedShipAt: r.expectedShipAt };
}

/**
 * The supplier's order book, keyed by idempotency key. Placing is synchronous from lookup to write,
 * so two concurrent requests with one key cannot both create an order.
 */
export class SupplierOrderStore {
  private readonly byKey = new Map<string, { record: SupplierOrderRecord; fingerprint: string }>();
  private readonly byId = new Map<string, SupplierOrderRecord>();
  private readonly now: () => number;
  private lastSeq = 0;

  constructor(private readonly options: SupplierOrderStoreOptions) {
    this.now = options.now ?? Date.now;
    if (options.stateFile && existsSync(options.stateFile)) this.load(options.stateFile);
  }

  place(idempotencyKey: string, request: SupplierOrderRequest): PlaceOutcome {
    const held = this.byKey.get(idempotencyKey);
    if (held) return { outcome: held.fingerprint === fingerprint(request) ? 'duplicate' : 'conflict', record: held.record };
    const acceptedMs = this.now();
    const record: SupplierOrderRecord = {
      supplierOrderId: `SO-${String(this.lastSeq + 1).padStart(6, '0')}`,
      orderId: request.orderId,
      status: 'accepted',
      acceptedAt: new Date(acceptedMs).toISOString(),
      expectedShipAt: new Date(acceptedMs + this.options.leadTimeMs).toISOString(),
      idempotencyKey,
      request: { ...request },
    };
    this.add(record);
    // Written before the caller answers: an order the supplier confirmed must survive its restart.
    this.save();
    return { outcome: 'accepted', record };
  }

  /** Accepted orders, oldest first, optionally those of one buyer order id. */
  list(orderId?: string): SupplierOrderRecord[] {
    const all = [...this.byId.values()];
    return orderId === undefined ? all : all.filter((r) => r.orderId === orderId);
  }

  get(supplierOrderId: string): SupplierOrderRecord | undefined {
    return this.byId.get(supplierOrderId);
  }

  private add(record: SupplierOrderRecord): void {
    this.byKey.set(record.idempotencyKey, { record, fingerprint: fingerprint(record.request) });
    this.byId.set(record.supplierOrderId, record);
    this.lastSeq = Math.max(this.lastSeq, Number(/^SO-(\d+)$/.exec(record.supplierOrderId)?.[1] ?? 0));
  }

  private load(file: string): void {
    const state = JSON.parse(readFileSync(file, 'utf8')) as StateFileV1;
    if (state.version !== 1 || !Array.isArray(state.orders)) throw new Error(`${file} is not a supplier simulator state file (version 1)`);
    for (const r of state.orders) {
      // A hand-edited file with a bad order would otherwise poison idempotency comparisons later.
      const req = validateSupplierOrderRequest(r.request);
      if (!req.ok || !validateIdempotencyKey(r.idempotencyKey).ok) throw new Error(`${file}: order ${r.supplierOrderId} is invalid`);
      this.add({ ...r, request: req.value });
    }
  }

  private save(): void {
    const file = this.options.stateFile;
    if (!file) return;
    mkdirSync(dirname(file), { recursive: true });
    const state: StateFileV1 = { version: 1, orders: [...this.byId.values()] };
    // Write-then-rename so a crash mid-write leaves the previous complete file, never half of one.
    const tmp = `${file}.tmp`;
    writeFileSync(tmp, JSON.stringify(state, null, 1));
    renameSync(tmp, file);
  }
}
