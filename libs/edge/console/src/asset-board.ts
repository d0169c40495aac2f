import type { AssetRow, HealthStatus, RulPoint } from '@millwright/console-contracts';
import type { OrderEventV1, TwinChangedV1 } from '@millwright/contracts';

/** The parts of a twin (as the twin API returns it) the board reads. */
export interface TwinLike {
  site: string;
  asset: string;
  assetClass: string | null;
  version: number;
  lastSeenAt: number | null;
  derived: Record<string, unknown>;
}

interface Prediction {
  status?: string;
  rul?: number;
  failureRisk?: number;
  modelVersion?: string;
  at?: number;
  basedOnSeq?: number;
}

const TERMINAL = new Set(['installed', 'rejected', 'cancelled', 'failed']);
const HEALTH = new Set<HealthStatus>(['ok', 'warning', 'critical']);
export const assetKey = (site: string, asset: string): string => `${site}/${asset}`;

/**
 * The console's own copy of every asset's row (health, RUL, risk, last seen, open order), kept
 * current from twin-changed and order events, so the assets table of a 10,000-asset site is one
 * in-memory read instead of ten pages of full twins, and browsers get only the rows that changed.
 * It also keeps each asset's RUL history, which the twin itself does not (only the latest prediction).
 */
export class AssetBoard {
  private readonly rows = new Map<string, AssetRow>();
  private readonly rul = new Map<string, RulPoint[]>();
  private readonly dirty = new Set<string>();

  constructor(private readonly rulHistoryPerAsset = 500) {}

  get size(): number {
    return this.rows.size;
  }

  list(): AssetRow[] {
    return [...this.rows.values()];
  }

  get(site: string, asset: string): AssetRow | undefined {
    return this.rows.get(assetKey(site, asset));
  }

  rulHistory(site: string, asset: string): RulPoint[] {
    return this.rul.get(assetKey(site, asset)) ?? [];
  }

  /** A full twin read from the API; ignored when the board already has that version or newer. */
  upsertTwin(t: TwinLike): void {
    const key = assetKey(t.site, t.asset);
    const cur = this.rows.get(key);
    if (cur && cur.version >= t.version) return;
    const row: AssetRow = cur ?? { site: t.site, asset: t.asset, assetClass: null, health: 'unknown', rul: null, risk: null, modelVersion: null, lastSeenAt: null, openOrder: null, version: 0 };
    row.assetClass = t.assetClass;
    row.version = t.version;
    row.lastSeenAt = t.lastSeenAt;
    this.applyDerived(key, row, t.derived);
    this.rows.set(key, row);
    this.dirty.add(key);
  }

  /**
   * Applies one event. `gap` means events were missed between what the board had and this one (core
   * NATS is at most once), `unknown` that the asset is new to the board: either way the caller
   * should read the twin, since an event carries only what changed.
   */
  applyTwinChanged(ev: TwinChangedV1): 'applied' | 'stale' | 'gap' | 'unknown' {
    const key = assetKey(ev.site, ev.asset);
    let row = this.rows.get(key);
    const isNew = !row;
    if (row && ev.version <= row.version) return 'stale';
    const gap = !!row && ev.fromVersion > row.version;
    if (!row) {
      row = { site: ev.site, asset: ev.asset, assetClass: null, health: 'unknown', rul: null, risk: null, modelVersion: null, lastSeenAt: null, openOrder: null, version: 0 };
      this.rows.set(key, row);
    }
    row.version = ev.version;
    for (const r of ev.changes.readings ?? []) if (row.lastSeenAt === null || r.ts > row.lastSeenAt) row.lastSeenAt = r.ts;
    if (ev.changes.derived) this.applyDerived(key, row, ev.changes.derived);
    if (ev.changes.metadata && typeof ev.changes.metadata.assetClass === 'string') row.assetClass = ev.changes.metadata.assetClass;
    this.dirty.add(key);
    return isNew ? 'unknown' : gap ? 'gap' : 'applied';
  }

  /** An order transition: the asset's open order is the newest one not in a terminal state. */
  applyOrderEvent(ev: Pick<OrderEventV1, 'orderId' | 'site' | 'asset' | 'to'>): void {
    const key = assetKey(ev.site, ev.asset);
    const row = this.rows.get(key);
    if (!row) return;
    if (TERMINAL.has(ev.to)) {
      if (row.openOrder?.id === ev.orderId) row.openOrder = null;
    } else {
      row.openOrder = { id: ev.orderId, state: ev.to };
    }
    this.dirty.add(key);
  }

  /** Rows changed since the last call. */
  takeDirty(): AssetRow[] {
    const out: AssetRow[] = [];
    for (const key of this.dirty) {
      const row = this.rows.get(key);
      if (row) out.push({ ...row });
    }
    this.dirty.clear();
    return out;
  }

  private applyDerived(key: string, row: AssetRow, derived: Record<string, unknown>): void {
    const health = (derived.health as { status?: string } | undefined)?.status;
    if (health !== undefined) row.health = HEALTH.has(health as HealthStatus) ? (health as HealthStatus) : 'unknown';
    const p = derived.prediction as Prediction | undefined;
    if (!p) return;
    row.rul = typeof p.rul === 'number' ? p.rul : null;
    row.risk = typeof p.failureRisk === 'number' ? p.failureRisk : null;
    row.modelVersion = p.modelVersion ?? null;
    if (p.status !== 'ok' || typeof p.modelVersion !== 'string') return;
    const history = this.rul.get(key) ?? [];
    const last = history[history.length - 1];
    if (last && last.basedOnSeq === (p.basedOnSeq ?? null) && last.modelVersion === p.modelVersion) return;
    history.push({ at: p.at ?? Date.now(), rul: row.rul, risk: row.risk, modelVersion: p.modelVersion, basedOnSeq: p.basedOnSeq ?? null });
    if (history.length > this.rulHistoryPerAsset) history.splice(0, history.length - this.rulHistoryPerAsset);
    this.rul.set(key, history);
  }
}
