import type BetterSqlite3 from 'better-sqlite3';
import { isOpen, type OrderState, type ReplacementOrder, type ReplacementPolicy } from '@millwright/maintenance-domain';

type Db = BetterSqlite3.Database;

export type OutboxKind = 'place_order' | 'publish_event';

export interface OutboxItem {
  kind: OutboxKind;
  payload: unknown;
}

export interface OutboxRow {
  id: number;
  kind: OutboxKind;
  orderId: string;
  payload: unknown;
  attempts: number;
}

interface OrderRow {
  id: string;
  site: string;
  asset: string;
  asset_class: string;
  part_number: string;
  supplier: string;
  quantity: number;
  unit_cost: number;
  currency: string;
  episode: number;
  state: string;
  needed_by: number;
  supplier_order_id: string | null;
  audit: string;
  created_at: number;
  updated_at: number;
}

function rowToOrder(r: OrderRow): ReplacementOrder {
  return {
    id: r.id,
    site: r.site,
    asset: r.asset,
    assetClass: r.asset_class,
    partNumber: r.part_number,
    supplier: r.supplier,
    quantity: r.quantity,
    unitCost: r.unit_cost,
    currency: r.currency,
    episode: r.episode,
    state: r.state as OrderState,
    neededBy: r.needed_by,
    supplierOrderId: r.supplier_order_id,
    audit: JSON.parse(r.audit),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export interface OrderListFilter {
  state?: OrderState;
  site?: string;
  asset?: string;
  open?: boolean;
  /** Keyset cursor: the `createdAt` and `id` of the last order of the previous page. */
  after?: { createdAt: number; id: string };
  limit: number;
}

/**
 * Orders, their outbox and the policies, in SQLite. Every state change and the work it implies
 * (placing at the supplier, publishing the event) are written in one transaction: a crash leaves
 * either both or neither, and the outbox relay does the rest after a restart.
 */
export class MaintenanceSqliteStore {
  private readonly s;

  constructor(private readonly db: Db) {
    this.s = {
      order: db.prepare<[string], OrderRow>('SELECT * FROM replacement_order WHERE id = ?'),
      openOrder: db.prepare<[string, string, string, number], OrderRow>('SELECT * FROM replacement_order WHERE site = ? AND asset = ? AND part_number = ? AND episode = ? AND is_open = 1'),
      insertOrder: db.prepare(`INSERT INTO replacement_order (id, site, asset, asset_class, part_number, supplier, quantity, unit_cost, currency, episode, state, is_open, needed_by, supplier_order_id, audit, created_at, updated_at)
        VALUES (@id, @site, @asset, @assetClass, @partNumber, @supplier, @quantity, @unitCost, @currency, @episode, @state, @isOpen, @neededBy, @supplierOrderId, @audit, @createdAt, @updatedAt)
        ON CONFLICT DO NOTHING`),
      updateOrder: db.prepare(`UPDATE replacement_order SET state = @state, is_open = @isOpen, supplier_order_id = @supplierOrderId, audit = @audit, updated_at = @updatedAt
        WHERE id = @id AND state = @prevState`),
      insertOutbox: db.prepare('INSERT INTO outbox (kind, order_id, payload, next_attempt_at) VALUES (?, ?, ?, ?)'),
      claim: db.prepare<[{ until: number; now: number; limit: number }], { id: number; kind: string; order_id: string; payload: string; attempts: number }>(
        `UPDATE outbox SET claimed_until = @until WHERE id IN (SELECT id FROM outbox WHERE next_attempt_at <= @now AND claimed_until <= @now ORDER BY id LIMIT @limit)
         RETURNING id, kind, order_id, payload, attempts`,
      ),
      done: db.prepare('DELETE FROM outbox WHERE id = ?'),
      retry: db.prepare('UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, claimed_until = 0, last_error = ? WHERE id = ?'),
      outboxSize: db.prepare<[], { n: number; oldest: number | null }>('SELECT count(*) AS n, min(next_attempt_at) AS oldest FROM outbox'),
      episode: db.prepare<[string, string, string], { episode: number }>('SELECT episode FROM asset_episode WHERE site = ? AND asset = ? AND part_number = ?'),
      bumpEpisode: db.prepare(`INSERT INTO asset_episode (site, asset, part_number, episode) VALUES (?, ?, ?, 1)
        ON CONFLICT (site, asset, part_number) DO UPDATE SET episode = episode + 1`),
      policy: db.prepare<[string], { policy: string }>('SELECT policy FROM replacement_policy WHERE asset_class = ?'),
      policies: db.prepare<[], { policy: string }>('SELECT policy FROM replacement_policy ORDER BY asset_class'),
      upsertPolicy: db.prepare(`INSERT INTO replacement_policy (asset_class, policy, version, updated_at) VALUES (?, ?, 1, ?)
        ON CONFLICT (asset_class) DO UPDATE SET policy = excluded.policy, version = version + 1, updated_at = excluded.updated_at`),
    };
  }

  policy(assetClass: string): ReplacementPolicy | undefined {
    const r = this.s.policy.get(assetClass);
    return r ? (JSON.parse(r.policy) as ReplacementPolicy) : undefined;
  }

  policies(): ReplacementPolicy[] {
    return this.s.policies.all().map((r) => JSON.parse(r.policy) as ReplacementPolicy);
  }

  upsertPolicy(p: ReplacementPolicy, now: number): void {
    this.s.upsertPolicy.run(p.assetClass, JSON.stringify(p), now);
  }

  episode(site: string, asset: string, partNumber: string): number {
    return this.s.episode.get(site, asset, partNumber)?.episode ?? 0;
  }

  order(id: string): ReplacementOrder | undefined {
    const r = this.s.order.get(id);
    return r ? rowToOrder(r) : undefined;
  }

  openOrder(site: string, asset: string, partNumber: string, episode: number): ReplacementOrder | undefined {
    const r = this.s.openOrder.get(site, asset, partNumber, episode);
    return r ? rowToOrder(r) : undefined;
  }

  listOrders(f: OrderListFilter): ReplacementOrder[] {
    const where: string[] = [];
    const args: unknown[] = [];
    const cond = (sql: string, arg: unknown) => {
      where.push(sql);
      args.push(arg);
    };
    if (f.state) cond('state = ?', f.state);
    if (f.site) cond('site = ?', f.site);
    if (f.asset) cond('asset = ?', f.asset);
    if (f.open !== undefined) cond('is_open = ?', f.open ? 1 : 0);
    if (f.after) {
      where.push('(created_at < ? OR (created_at = ? AND id > ?))');
      args.push(f.after.createdAt, f.after.createdAt, f.after.id);
    }
    const sql = `SELECT * FROM replacement_order ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY created_at DESC, id LIMIT ?`;
    return this.db.prepare<unknown[], OrderRow>(sql).all(...args, f.limit).map(rowToOrder);
  }

  /**
   * Inserts a new order and its outbox work atomically. Returns false, writing nothing, when an open
   * order for the same asset, part and episode already exists (the unique index decides, so this
   * holds across restarts and across processes sharing the file).
   */
  createOrder(order: ReplacementOrder, work: OutboxItem[], now: number): boolean {
    return this.db.transaction(() => {
      const inserted = this.s.insertOrder.run(this.orderParams(order)).changes === 1;
      if (!inserted) return false;
      for (const w of work) this.s.insertOutbox.run(w.kind, order.id, JSON.stringify(w.payload), now);
      return true;
    })();
  }

  /**
   * Saves a transition made from `prevState`, with its outbox work, atomically. Returns false when
   * the order is no longer in `prevState` (someone else moved it first).
   */
  saveTransition(next: ReplacementOrder, prevState: OrderState, work: OutboxItem[], now: number, o: { bumpEpisode?: boolean; completeOutbox?: number } = {}): boolean {
    return this.db.transaction(() => {
      const p = this.orderParams(next);
      const updated = this.s.updateOrder.run({ id: p.id, state: p.state, isOpen: p.isOpen, supplierOrderId: p.supplierOrderId, audit: p.audit, updatedAt: p.updatedAt, prevState }).changes === 1;
      if (!updated) return false;
      for (const w of work) this.s.insertOutbox.run(w.kind, next.id, JSON.stringify(w.payload), now);
      if (o.bumpEpisode) this.s.bumpEpisode.run(next.site, next.asset, next.partNumber);
      if (o.completeOutbox !== undefined) this.s.done.run(o.completeOutbox);
      return true;
    })();
  }

  /** Claims due outbox rows for `leaseMs`; a crashed claimer's rows come back when the lease ends. */
  claimDue(now: number, limit: number, leaseMs: number): OutboxRow[] {
    return this.s.claim.all({ until: now + leaseMs, now, limit }).map((r) => ({ id: r.id, kind: r.kind as OutboxKind, orderId: r.order_id, payload: JSON.parse(r.payload), attempts: r.attempts }));
  }

  completeOutbox(id: number): void {
    this.s.done.run(id);
  }

  retryOutbox(id: number, nextAttemptAt: number, error: string): void {
    this.s.retry.run(nextAttemptAt, error.slice(0, 500), id);
  }

  outboxBacklog(): { count: number; oldestDueAt: number | null } {
    const r = this.s.outboxSize.get()!;
    return { count: r.n, oldestDueAt: r.oldest };
  }

  private orderParams(o: ReplacementOrder) {
    return {
      id: o.id,
      site: o.site,
      asset: o.asset,
      assetClass: o.assetClass,
      partNumber: o.partNumber,
      supplier: o.supplier,
      quantity: o.quantity,
      unitCost: o.unitCost,
      currency: o.currency,
      episode: o.episode,
      state: o.state,
      isOpen: isOpen(o.state) ? 1 : 0,
      neededBy: o.neededBy,
      supplierOrderId: o.supplierOrderId,
      audit: JSON.stringify(o.audit),
      createdAt: o.createdAt,
      updatedAt: o.updatedAt,
    };
  }
}
