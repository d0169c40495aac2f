import type { CentralTwinEntity, DesiredConflictEntity, ModelReleaseEntity, ModelReleaseSiteEntity, SiteEntity, SiteOrderEntity, SitePolicyEntity } from '@millwright/platform-data-access';

export interface SiteDto {
  id: string;
  domain: string;
  registeredAt: string;
  /** Highest outbox sequence applied centrally. */
  appliedOutboxSeq: number;
  lastSyncedAt: string | null;
  /** The site's newest health summary (readings/s, consumer lag, backlog, model, errors, link). */
  health: Record<string, unknown> | null;
  healthAt: string | null;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export function siteDto(s: SiteEntity): SiteDto {
  return { id: s.id, domain: s.domain, registeredAt: iso(s.registeredAt)!, appliedOutboxSeq: s.appliedOutboxSeq, lastSyncedAt: iso(s.lastSyncedAt), health: s.lastHealth, healthAt: iso(s.lastHealthAt) };
}

export interface CentralTwinDto {
  site: string;
  asset: string;
  assetClass: string | null;
  version: number;
  lastSeq: number;
  /** Sensor to value, time and gateway sequence, as at the edge. */
  reported: Record<string, { v: number; ts: number; seq: number }>;
  derived: Record<string, unknown>;
  desired: Record<string, unknown>;
  desiredVersion: number;
  /** Whether the newest desired version has been handed to the hub for the site. */
  desiredPending: boolean;
  health: string | null;
  rul: number | null;
  failureRisk: number | null;
  modelVersion: string | null;
  lastSeenAt: string | null;
}

export function twinDto(t: CentralTwinEntity): CentralTwinDto {
  const reported: CentralTwinDto['reported'] = {};
  for (const [k, [v, ts, seq]] of Object.entries(t.reported)) reported[k] = { v, ts, seq };
  return {
    site: t.site,
    asset: t.asset,
    assetClass: t.assetClass,
    version: t.version,
    lastSeq: t.lastSeq,
    reported,
    derived: t.derived,
    desired: t.desired,
    desiredVersion: t.desiredVersion,
    desiredPending: t.desiredVersion > t.desiredPublishedVersion,
    health: t.health,
    rul: t.rul,
    failureRisk: t.failureRisk,
    modelVersion: t.modelVersion,
    lastSeenAt: iso(t.lastSeenAt),
  };
}

export function conflictDto(c: DesiredConflictEntity) {
  return { site: c.site, asset: c.asset, field: c.field, base: c.base, edge: c.edge, central: c.central, kept: c.kept, centralVersion: c.centralVersion, at: iso(c.at) };
}

export function orderDto(o: SiteOrderEntity) {
  return { orderId: o.orderId, site: o.site, asset: o.asset, partNumber: o.partNumber, state: o.state, step: o.step, supplierOrderId: o.supplierOrderId, updatedAt: iso(o.updatedAt), lastEvent: o.lastEvent };
}

export function policyDto(p: SitePolicyEntity) {
  return { site: p.site, assetClass: p.assetClass, policy: p.policy, version: p.version, pending: p.version > p.publishedVersion, updatedAt: iso(p.updatedAt), updatedBy: p.updatedBy };
}

export function releaseDto(r: ModelReleaseEntity, sites: ModelReleaseSiteEntity[]) {
  return {
    version: r.version,
    sha256: r.sha256,
    state: r.state,
    /** 1-based stage released last; 0 before the first. */
    stage: r.currentStage + 1,
    stages: r.stages,
    shadowMs: r.shadowMs,
    maxDisagreement: r.maxDisagreement,
    haltReason: r.haltReason,
    createdAt: iso(r.createdAt),
    createdBy: r.createdBy,
    updatedAt: iso(r.updatedAt),
    sites: sites.map((s) => ({
      site: s.site,
      stage: s.stage + 1,
      state: s.state,
      code: s.code,
      reason: s.reason,
      stats: s.stats,
      activeVersion: s.activeVersion,
      sentAt: iso(s.sentAt),
      reportedAt: iso(s.reportedAt),
    })),
  };
}
