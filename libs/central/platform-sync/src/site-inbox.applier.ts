import type { DesiredConflictV1, OrderEventV1, SiteHealthV1, TwinDeltaV1 } from '@millwright/contracts';
import { CentralTwinEntity, DesiredConflictEntity, PlatformStore, SiteOrderEntity, newCentralTwinEntity, type ModelStatusReport } from '@millwright/platform-data-access';
import { applyDelta } from '@millwright/sync-domain';
import type { SyncItem } from './sync-message.decoder';

/** One decoded inbox message with the sequence it had in the site's outbox (null for order events). */
export interface InboxEntry {
  item: SyncItem;
  outboxSeq: number | null;
}

export interface ApplySummary {
  applied: number;
  duplicates: number;
  /** Assets whose chain broke (outbox overflow, lost message): the site must send them whole. */
  gaps: string[];
  /** Assets whose edge desired document was accepted: their new version is owed to the site. */
  desiredAccepted: string[];
  /** Model release state changes reported; the rollout may move on. */
  modelStatuses: number;
  appliedOutboxSeq: number;
}

/**
 * Applies inbox messages of one site (the consumer hands one at a time) to the central copy, as one
 * transaction: every twin touched is loaded once, all its deltas are applied in order (duplicates and
 * stale ones change nothing), and the results are written together with the new outbox position. The
 * caller acks only after this.
 */
export class SiteInboxApplier {
  constructor(private readonly store: PlatformStore) {}

  async apply(site: string, entries: readonly InboxEntry[], appliedBefore: number, now: number): Promise<ApplySummary> {
    const deltas: TwinDeltaV1[] = [];
    const conflicts: DesiredConflictV1[] = [];
    const events: OrderEventV1[] = [];
    const modelStatuses: ModelStatusReport[] = [];
    let health: SiteHealthV1 | undefined;
    const s: ApplySummary = { applied: 0, duplicates: 0, gaps: [], desiredAccepted: [], modelStatuses: 0, appliedOutboxSeq: appliedBefore };
    for (const { item, outboxSeq } of entries) {
      if (outboxSeq !== null) s.appliedOutboxSeq = Math.max(s.appliedOutboxSeq, outboxSeq);
      if (item.kind === 'twins') deltas.push(...item.batch.deltas);
      else if (item.kind === 'health' && (!health || item.health.at > health.at)) health = item.health;
      else if (item.kind === 'conflicts') conflicts.push(...item.report.conflicts);
      else if (item.kind === 'order') events.push(item.event);
      else if (item.kind === 'model-status') {
        const r = item.status;
        modelStatuses.push({ version: r.version, state: r.state, code: r.code, reason: r.reason, stats: r.stats as unknown as Record<string, unknown> | null, activeVersion: r.activeVersion ?? null, at: r.at });
      }
    }

    const twins = await this.store.loadTwins(site, [...new Set(deltas.map((d) => d.asset))]);
    const touched = new Map<string, CentralTwinEntity>();
    const gaps = new Set<string>();
    const accepted = new Set<string>();
    // The desired version each twin had when loaded: an accepted edge document is written only over it.
    const loadedDesired = new Map([...twins].map(([asset, t]) => [asset, t.desiredVersion]));
    for (const d of deltas) {
      let t = twins.get(d.asset);
      if (!t) twins.set(d.asset, (t = newCentralTwinEntity(site, d.asset, now)));
      const r = applyDelta(t, d);
      if (r.outcome === 'gap') gaps.add(d.asset);
      else if (r.outcome === 'duplicate') s.duplicates++;
      else {
        s.applied++;
        gaps.delete(d.asset);
        liftColumns(t, now);
        touched.set(d.asset, t);
        if (r.desiredAccepted) accepted.add(d.asset);
      }
    }
    s.gaps = [...gaps];
    s.desiredAccepted = [...accepted];

    const orders = await this.store.loadOrders([...new Set(events.map((e) => e.orderId))]);
    const changedOrders = new Map<string, SiteOrderEntity>();
    for (const e of events) {
      const cur = orders.get(e.orderId);
      if (cur && cur.step >= e.step) continue;
      const o = Object.assign(new SiteOrderEntity(), {
        orderId: e.orderId,
        site,
        asset: e.asset,
        partNumber: e.partNumber,
        state: e.to,
        step: e.step,
        supplierOrderId: e.supplierOrderId ?? cur?.supplierOrderId ?? null,
        updatedAt: e.at,
        lastEvent: e as unknown as Record<string, unknown>,
      });
      orders.set(e.orderId, o);
      changedOrders.set(e.orderId, o);
    }

    const conflictRows = conflicts.map((c) =>
      Object.assign(new DesiredConflictEntity(), {
        id: `${c.site}/${c.asset}/${c.centralVersion}/${c.field}`,
        site,
        asset: c.asset,
        field: c.field,
        base: c.base ?? null,
        edge: c.edge ?? null,
        central: c.central ?? null,
        kept: c.kept,
        centralVersion: c.centralVersion,
        at: c.at,
      }),
    );
    s.modelStatuses = modelStatuses.length;

    await this.store.commitSync({
      site,
      twins: [...touched.values()],
      acceptedDesired: [...accepted].flatMap((asset) => {
        const t = twins.get(asset)!;
        const base = loadedDesired.get(asset);
        // A twin new to this batch is inserted with its accepted document already.
        return base === undefined ? [] : [{ asset, doc: t.desired, version: t.desiredVersion, base }];
      }),
      conflicts: conflictRows,
      orders: [...changedOrders.values()],
      appliedOutboxSeq: s.appliedOutboxSeq,
      health: health ? { doc: health as unknown as Record<string, unknown>, at: health.at } : undefined,
      modelStatuses,
      now,
    });
    return s;
  }
}

/** Copies what fleet queries filter and sort on out of the JSON sections into indexed columns. */
function liftColumns(t: CentralTwinEntity, now: number): void {
  const p = t.derived.prediction as { rul?: number; failureRisk?: number; modelVersion?: string } | undefined;
  const h = t.derived.health as { status?: string } | undefined;
  t.health = typeof h?.status === 'string' ? h.status : t.health;
  t.rul = typeof p?.rul === 'number' ? p.rul : null;
  t.failureRisk = typeof p?.failureRisk === 'number' ? p.failureRisk : null;
  t.modelVersion = typeof p?.modelVersion === 'string' ? p.modelVersion : null;
  const cls = t.metadata.assetClass;
  t.assetClass = typeof cls === 'string' ? cls : t.assetClass;
  let seen = t.lastSeenAt ?? 0;
  for (const name in t.reported) seen = Math.max(seen, t.reported[name][1]);
  t.lastSeenAt = seen > 0 ? seen : null;
  t.updatedAt = now;
}
