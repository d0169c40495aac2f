import { In, type DataSource } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { CentralTwinEntity, newCentralTwinEntity, DesiredConflictEntity, ModelReleaseEntity, ModelReleaseSiteEntity, SiteEntity, SiteOrderEntity, SitePolicyEntity } from './platform.entities';

export type AssetSort = 'site' | 'asset' | 'rul' | 'failureRisk' | 'lastSeen' | 'health';

export interface AssetQuery {
  site?: string;
  assetClass?: string;
  health?: string;
  rulBelow?: number;
  lastSeenBefore?: number;
  lastSeenAfter?: number;
  sort: AssetSort;
  order: 'asc' | 'desc';
  limit: number;
  offset: number;
}

export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

/** What one committed batch of a site's outbox changes, all in one transaction. */
export interface SyncCommit {
  site: string;
  twins: CentralTwinEntity[];
  /** Edge desired documents accepted on the stored version `base`: written only if it is still that. */
  acceptedDesired: Array<{ asset: string; doc: Record<string, unknown>; version: number; base: number }>;
  conflicts: DesiredConflictEntity[];
  orders: SiteOrderEntity[];
  appliedOutboxSeq: number;
  health?: { doc: Record<string, unknown>; at: number };
  /** Model release state changes the site reported, in outbox order. */
  modelStatuses?: ModelStatusReport[];
  now: number;
}

export interface ModelStatusReport {
  version: string;
  state: string;
  code: string;
  reason: string;
  stats: Record<string, unknown> | null;
  activeVersion: string | null;
  at: number;
}

/** A release owed to a site: its stage has begun and it is not in the hub's downlink yet. */
export interface OwedRelease {
  release: ModelReleaseEntity;
  site: string;
}

/** What the rollout rule decided for one release. */
export interface ReleaseStep {
  state: string;
  currentStage: number;
  release: string[];
  haltReason: string | null;
}

/** JSON columns hold `unknown`, which TypeORM's partial-entity type cannot express; the rows are whole entities. */
const rows = <T>(x: T | T[]) => x as unknown as QueryDeepPartialEntity<T>[];

/** What the edge owns in a central twin; everything else (desired state) only central writes change. */
const SYNCED_COLUMNS = ['asset_class', 'version', 'last_seq', 'reported', 'derived', 'metadata', 'health', 'rul', 'failure_risk', 'model_version', 'last_seen_at', 'updated_at'];

const SORT_COLUMN: Record<AssetSort, string> = { site: 't.site', asset: 't.asset', rul: 't.rul', failureRisk: 't.failure_risk', lastSeen: 't.last_seen_at', health: 't.health' };
/** Chunk for IN lists: PostgreSQL allows 65k parameters, SQLite 32k. */
const IN_CHUNK = 500;

/**
 * The asset platform's storage, on SQLite or PostgreSQL through the same TypeORM entities. Writes
 * from the sync path come in batches (one transaction per batch of outbox messages), so a crash
 * leaves either a whole batch or none of it, and the batch is redelivered because it was not acked.
 */
export class PlatformStore {
  constructor(readonly ds: DataSource) {}

  sites(): Promise<SiteEntity[]> {
    return this.ds.getRepository(SiteEntity).find({ order: { id: 'ASC' } });
  }

  site(id: string): Promise<SiteEntity | null> {
    return this.ds.getRepository(SiteEntity).findOneBy({ id });
  }

  async registerSite(id: string, domain: string, now: number): Promise<SiteEntity> {
    const repo = this.ds.getRepository(SiteEntity);
    const cur = await repo.findOneBy({ id });
    if (cur) {
      if (cur.domain !== domain) await repo.update({ id }, { domain });
      return { ...cur, domain };
    }
    const s = repo.create({ id, domain, registeredAt: now, appliedOutboxSeq: 0, lastHealth: null, lastHealthAt: null, lastSyncedAt: null });
    await repo.insert(s as QueryDeepPartialEntity<SiteEntity>);
    return s;
  }

  async loadTwins(site: string, assets: readonly string[]): Promise<Map<string, CentralTwinEntity>> {
    const out = new Map<string, CentralTwinEntity>();
    const repo = this.ds.getRepository(CentralTwinEntity);
    for (let i = 0; i < assets.length; i += IN_CHUNK) {
      for (const t of await repo.findBy({ site, asset: In(assets.slice(i, i + IN_CHUNK)) })) out.set(t.asset, t);
    }
    return out;
  }

  async loadOrders(ids: readonly string[]): Promise<Map<string, SiteOrderEntity>> {
    const out = new Map<string, SiteOrderEntity>();
    for (let i = 0; i < ids.length; i += IN_CHUNK) {
      for (const o of await this.ds.getRepository(SiteOrderEntity).findBy({ orderId: In(ids.slice(i, i + IN_CHUNK)) })) out.set(o.orderId, o);
    }
    return out;
  }

  twin(site: string, asset: string): Promise<CentralTwinEntity | null> {
    return this.ds.getRepository(CentralTwinEntity).findOneBy({ site, asset });
  }

  async commitSync(c: SyncCommit): Promise<void> {
    await this.ds.transaction(async (m) => {
      // Desired columns are left out of the update: a central PATCH may have committed since the
      // twins were loaded, and the sync path must not write its older copy back over it.
      for (let i = 0; i < c.twins.length; i += 200) {
        await m.createQueryBuilder().insert().into(CentralTwinEntity).values(rows(c.twins.slice(i, i + 200))).orUpdate(SYNCED_COLUMNS, ['site', 'asset']).execute();
      }
      for (const a of c.acceptedDesired) {
        await m
          .createQueryBuilder()
          .update(CentralTwinEntity)
          .set({ desired: a.doc, desiredVersion: a.version } as QueryDeepPartialEntity<CentralTwinEntity>)
          .where('site = :site AND asset = :asset AND desired_version = :base', { site: c.site, asset: a.asset, base: a.base })
          .execute();
      }
      for (let i = 0; i < c.orders.length; i += 200) await m.getRepository(SiteOrderEntity).upsert(rows(c.orders.slice(i, i + 200)), ['orderId']);
      if (c.conflicts.length > 0) await m.createQueryBuilder().insert().into(DesiredConflictEntity).values(rows(c.conflicts)).orIgnore().execute();
      const site: Partial<SiteEntity> = { appliedOutboxSeq: c.appliedOutboxSeq, lastSyncedAt: c.now };
      if (c.health) Object.assign(site, { lastHealth: c.health.doc, lastHealthAt: c.health.at });
      await m.getRepository(SiteEntity).update({ id: c.site }, site as QueryDeepPartialEntity<SiteEntity>);
      for (const r of c.modelStatuses ?? []) {
        await m
          .createQueryBuilder()
          .update(ModelReleaseSiteEntity)
          .set({ state: r.state, code: r.code, reason: r.reason, stats: r.stats, activeVersion: r.activeVersion, reportedAt: r.at, updatedAt: c.now } as QueryDeepPartialEntity<ModelReleaseSiteEntity>)
          .where('version = :version AND site = :site AND (reported_at IS NULL OR reported_at <= :at)', { version: r.version, site: c.site, at: r.at })
          .execute();
      }
    });
  }

  /** Records a new release with every site `waiting`; false when the version exists already. */
  async createRelease(r: ModelReleaseEntity): Promise<boolean> {
    return this.ds.transaction(async (m) => {
      if (await m.getRepository(ModelReleaseEntity).findOneBy({ version: r.version })) return false;
      await m.getRepository(ModelReleaseEntity).insert(r as QueryDeepPartialEntity<ModelReleaseEntity>);
      const sites = r.stages.flatMap((stage, i) =>
        stage.map((site) => Object.assign(new ModelReleaseSiteEntity(), { version: r.version, site, stage: i, state: 'waiting', code: null, reason: null, stats: null, activeVersion: null, sentAt: null, reportedAt: null, updatedAt: r.createdAt })),
      );
      await m.getRepository(ModelReleaseSiteEntity).insert(rows(sites));
      return true;
    });
  }

  async releases(f: { limit: number; offset: number }): Promise<[Array<{ release: ModelReleaseEntity; sites: ModelReleaseSiteEntity[] }>, number]> {
    const [list, total] = await this.ds.getRepository(ModelReleaseEntity).findAndCount({ order: { createdAt: 'DESC', version: 'ASC' }, skip: f.offset, take: f.limit });
    const sites = list.length ? await this.ds.getRepository(ModelReleaseSiteEntity).findBy({ version: In(list.map((r) => r.version)) }) : [];
    return [list.map((release) => ({ release, sites: sites.filter((s) => s.version === release.version).sort((a, b) => a.stage - b.stage || a.site.localeCompare(b.site)) })), total];
  }

  async release(version: string): Promise<{ release: ModelReleaseEntity; sites: ModelReleaseSiteEntity[] } | null> {
    const release = await this.ds.getRepository(ModelReleaseEntity).findOneBy({ version });
    if (!release) return null;
    const sites = await this.ds.getRepository(ModelReleaseSiteEntity).find({ where: { version }, order: { stage: 'ASC', site: 'ASC' } });
    return { release, sites };
  }

  releasesRollingOut(): Promise<ModelReleaseEntity[]> {
    return this.ds.getRepository(ModelReleaseEntity).find({ where: { state: 'rolling_out' }, order: { createdAt: 'ASC' } });
  }

  /**
   * Applies a rollout step under a check that the release is still where the step was computed
   * from, so two runs racing cannot release a stage twice or undo a halt.
   */
  async applyReleaseStep(version: string, fromStage: number, step: ReleaseStep, now: number): Promise<boolean> {
    return this.ds.transaction(async (m) => {
      const r = await m
        .createQueryBuilder()
        .update(ModelReleaseEntity)
        .set({ state: step.state, currentStage: step.currentStage, haltReason: step.haltReason, updatedAt: now })
        .where("version = :version AND current_stage = :fromStage AND state = 'rolling_out'", { version, fromStage })
        .execute();
      if (!r.affected) return false;
      if (step.release.length > 0) {
        await m.createQueryBuilder().update(ModelReleaseSiteEntity).set({ state: 'pending', updatedAt: now }).where("version = :version AND site IN (:...sites) AND state = 'waiting'", { version, sites: step.release }).execute();
      }
      return true;
    });
  }

  async owedReleases(limit: number): Promise<OwedRelease[]> {
    const owed = await this.ds.getRepository(ModelReleaseSiteEntity).createQueryBuilder('s').where("s.state = 'pending' AND s.sent_at IS NULL").orderBy('s.updated_at').limit(limit).getMany();
    if (owed.length === 0) return [];
    const releases = new Map((await this.ds.getRepository(ModelReleaseEntity).findBy({ version: In([...new Set(owed.map((o) => o.version))]) })).map((r) => [r.version, r]));
    return owed.filter((o) => releases.has(o.version)).map((o) => ({ release: releases.get(o.version)!, site: o.site }));
  }

  async markReleaseSent(version: string, site: string, at: number): Promise<void> {
    await this.ds.getRepository(ModelReleaseSiteEntity).createQueryBuilder().update().set({ sentAt: at }).where('version = :version AND site = :site AND sent_at IS NULL', { version, site }).execute();
  }

  /** Twins whose newest desired version has not reached the hub's downlink yet. */
  owedDesired(limit: number): Promise<CentralTwinEntity[]> {
    return this.ds.getRepository(CentralTwinEntity).createQueryBuilder('t').where('t.desired_version > t.desired_published_version').orderBy('t.site').addOrderBy('t.asset').limit(limit).getMany();
  }

  async markDesiredPublished(site: string, asset: string, version: number): Promise<void> {
    await this.ds.getRepository(CentralTwinEntity).createQueryBuilder().update().set({ desiredPublishedVersion: version }).where('site = :site AND asset = :asset AND desired_published_version < :version', { site, asset, version }).execute();
  }

  /**
   * Changes desired state centrally under optimistic concurrency on the desired version, with one
   * conditional UPDATE so that neither a concurrent PATCH nor the sync path can be overwritten.
   * Creates the central twin when the asset has not reported yet (desired state may come first).
   * `change` returns the new document, or why the patch is refused (nothing is written then).
   */
  async updateDesired<E>(
    site: string,
    asset: string,
    expectedVersion: number | undefined,
    change: (desired: Record<string, unknown>) => { ok: true; doc: Record<string, unknown> } | { ok: false; error: E },
    now: number,
  ): Promise<{ twin: CentralTwinEntity } | { stale: number } | { invalid: E }> {
    const repo = this.ds.getRepository(CentralTwinEntity);
    for (;;) {
      const cur = await repo.findOneBy({ site, asset });
      const base = cur ?? newCentralTwinEntity(site, asset, now);
      if (expectedVersion !== undefined && expectedVersion !== base.desiredVersion) return { stale: base.desiredVersion };
      const r = change(base.desired);
      if (!r.ok) return { invalid: r.error };
      const next = Object.assign(new CentralTwinEntity(), base, { desired: r.doc, desiredVersion: base.desiredVersion + 1, updatedAt: now });
      if (!cur) {
        try {
          // A copy: insert() writes the database's returned defaults back into what it is given.
          await repo.insert(rows(Object.assign(new CentralTwinEntity(), next)));
          return { twin: next };
        } catch (e) {
          // Created meanwhile by the sync path or another PATCH: go round again on the stored row.
          if (await repo.findOneBy({ site, asset })) continue;
          throw e;
        }
      }
      const res = await repo
        .createQueryBuilder()
        .update()
        .set({ desired: r.doc, desiredVersion: next.desiredVersion, updatedAt: now } as QueryDeepPartialEntity<CentralTwinEntity>)
        .where('site = :site AND asset = :asset AND desired_version = :v', { site, asset, v: base.desiredVersion })
        .execute();
      if (res.affected) return { twin: next };
      const moved = await repo.findOneBy({ site, asset });
      if (expectedVersion !== undefined) return { stale: moved?.desiredVersion ?? 0 };
    }
  }

  /** Sets an asset class's policy for a site: a new version, owed to the site until published. */
  async putPolicy(site: string, assetClass: string, policy: Record<string, unknown>, by: string, now: number): Promise<SitePolicyEntity> {
    return this.ds.transaction(async (m) => {
      const repo = m.getRepository(SitePolicyEntity);
      const cur = await repo.findOneBy({ site, assetClass });
      const next = Object.assign(new SitePolicyEntity(), { site, assetClass, policy, version: (cur?.version ?? 0) + 1, publishedVersion: cur?.publishedVersion ?? 0, updatedAt: now, updatedBy: by });
      await repo.save(next);
      return next;
    });
  }

  policies(site: string): Promise<SitePolicyEntity[]> {
    return this.ds.getRepository(SitePolicyEntity).find({ where: { site }, order: { assetClass: 'ASC' } });
  }

  owedPolicies(limit: number): Promise<SitePolicyEntity[]> {
    return this.ds.getRepository(SitePolicyEntity).createQueryBuilder('p').where('p.version > p.published_version').orderBy('p.site').addOrderBy('p.asset_class').limit(limit).getMany();
  }

  async markPolicyPublished(site: string, assetClass: string, version: number): Promise<void> {
    await this.ds.getRepository(SitePolicyEntity).createQueryBuilder().update().set({ publishedVersion: version }).where('site = :site AND asset_class = :assetClass AND published_version < :version', { site, assetClass, version }).execute();
  }

  async queryAssets(q: AssetQuery): Promise<Page<CentralTwinEntity>> {
    const qb = this.ds.getRepository(CentralTwinEntity).createQueryBuilder('t');
    if (q.site) qb.andWhere('t.site = :site', { site: q.site });
    if (q.assetClass) qb.andWhere('t.asset_class = :assetClass', { assetClass: q.assetClass });
    if (q.health) qb.andWhere('t.health = :health', { health: q.health });
    if (q.rulBelow !== undefined) qb.andWhere('t.rul < :rulBelow', { rulBelow: q.rulBelow });
    if (q.lastSeenBefore !== undefined) qb.andWhere('t.last_seen_at < :before', { before: q.lastSeenBefore });
    if (q.lastSeenAfter !== undefined) qb.andWhere('t.last_seen_at >= :after', { after: q.lastSeenAfter });
    const total = await qb.getCount();
    // Nulls last whichever way, then a unique tie-break so that pages never overlap or skip.
    const col = SORT_COLUMN[q.sort];
    qb.orderBy(`CASE WHEN ${col} IS NULL THEN 1 ELSE 0 END`, 'ASC')
      .addOrderBy(col, q.order === 'asc' ? 'ASC' : 'DESC')
      .addOrderBy('t.site', 'ASC')
      .addOrderBy('t.asset', 'ASC')
      .offset(q.offset)
      .limit(q.limit);
    return { items: await qb.getMany(), total, limit: q.limit, offset: q.offset };
  }

  conflicts(f: { site?: string; asset?: string; limit: number; offset: number }): Promise<[DesiredConflictEntity[], number]> {
    const qb = this.ds.getRepository(DesiredConflictEntity).createQueryBuilder('c');
    if (f.site) qb.andWhere('c.site = :site', { site: f.site });
    if (f.asset) qb.andWhere('c.asset = :asset', { asset: f.asset });
    return qb.orderBy('c.at', 'DESC').addOrderBy('c.id', 'ASC').offset(f.offset).limit(f.limit).getManyAndCount();
  }

  orders(f: { site?: string; state?: string; limit: number; offset: number }): Promise<[SiteOrderEntity[], number]> {
    const qb = this.ds.getRepository(SiteOrderEntity).createQueryBuilder('o');
    if (f.site) qb.andWhere('o.site = :site', { site: f.site });
    if (f.state) qb.andWhere('o.state = :state', { state: f.state });
    return qb.orderBy('o.updated_at', 'DESC').addOrderBy('o.order_id', 'ASC').offset(f.offset).limit(f.limit).getManyAndCount();
  }
}

