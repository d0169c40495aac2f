import type BetterSqlite3 from 'better-sqlite3';
import type { Reading } from '@millwright/contracts';
import { newTwin, twinKey, type AssetTwin, type JsonObject, type TwinChange } from '@millwright/twin-domain';
import { decodeReported, encodeReported, type SensorSetIndex } from './reported.codec';

type Db = BetterSqlite3.Database;

export interface TwinListFilter {
  site?: string;
  assetClass?: string;
  /** Asset ids starting with this text. */
  assetPrefix?: string;
  /** `derived.health.status`, once predictions fill it. */
  health?: string;
  /** Only twins with a reading at or after this time (epoch ms). */
  seenSince?: number;
  /** Only twins whose last reading is before this time, or that have none (finds silent assets). */
  seenBefore?: number;
  /** Keyset cursor: the `site/asset` key of the last twin of the previous page. */
  after?: string;
  limit: number;
}

export interface HistoryPoint {
  seq: number;
  ts: number;
  values: Record<string, number>;
}

interface TwinRow {
  site: string;
  asset: string;
  asset_class: string | null;
  /** See reported.codec.ts: a blob, or JSON text in rows written before it. */
  reported: Buffer | string;
  desired: string;
  derived: string;
  version: number;
  last_seq: number;
  last_seen_at: number | null;
  history_count: number;
  created_at: number;
  updated_at: number;
}

/** Thrown by `update` when the caller's expected version is not the stored one. */
export class StaleVersionError extends Error {
  constructor(readonly current: number) {
    super(`twin is at version ${current}`);
    this.name = 'StaleVersionError';
  }
}

/**
 * The twin store: a write-through cache of twins over SQLite, with prepared statements for the hot
 * path. One process owns the database (SQLite has one writer); every write is one transaction, so a
 * kill -9 leaves either all or none of a batch. The cache holds committed state only: a failed
 * commit evicts what it touched, and the next read reloads it.
 */
export class TwinSqliteStore {
  private readonly cache = new Map<string, AssetTwin>();
  private readonly historyCounts = new Map<string, number>();
  private readonly assetIds = new Map<string, number>();
  private lastAssetId = 0;
  private readonly sensorSets = new Map<string, number>();
  private readonly sensorSetNames = new Map<number, string[]>();
  private readonly serialised = new WeakMap<object, string>();
  // Readings of one gateway almost always carry the same sensors in the same order.
  private lastSensorSet?: { names: string[]; id: number };
  private readonly listStatements = new Map<string, BetterSqlite3.Statement<unknown[], TwinRow>>();
  private readonly stmt;
  private readonly sensorSetIndex: SensorSetIndex = {
    idOf: (names) => this.sensorSetId(names),
    namesOf: (id) => this.sensorSetNames.get(id),
  };

  constructor(
    private readonly db: Db,
    private readonly opts: { cacheSize: number } = { cacheSize: 50_000 },
  ) {
    this.stmt = {
      get: db.prepare<[string, string], TwinRow>('SELECT * FROM asset_twin WHERE site = ? AND asset = ?'),
      upsert: db.prepare(`INSERT INTO asset_twin (site, asset, asset_class, reported, desired, derived, version, last_seq, last_seen_at, history_count, created_at, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (site, asset) DO UPDATE SET asset_class = excluded.asset_class, reported = excluded.reported, desired = excluded.desired,
          derived = excluded.derived, version = excluded.version, last_seq = excluded.last_seq, last_seen_at = excluded.last_seen_at,
          history_count = excluded.history_count, updated_at = excluded.updated_at`),
      // Ingest writes only what readings change: the row's desired and derived JSON stay as they are.
      updateReported: db.prepare('UPDATE asset_twin SET reported = ?, version = ?, last_seq = ?, last_seen_at = ?, history_count = ?, updated_at = ? WHERE site = ? AND asset = ?'),
      updateReportedClass: db.prepare(
        'UPDATE asset_twin SET asset_class = ?, reported = ?, version = ?, last_seq = ?, last_seen_at = ?, history_count = ?, updated_at = ? WHERE site = ? AND asset = ?',
      ),
      updateDerived: db.prepare('UPDATE asset_twin SET derived = ?, version = ?, updated_at = ? WHERE site = ? AND asset = ?'),
      insertHistory: db.prepare('INSERT OR IGNORE INTO reading_log (asset_id, seq, ts, sensor_set, vals) VALUES (?, ?, ?, ?, ?)'),
      insertAssetKey: db.prepare('INSERT INTO asset_key (id, site, asset) VALUES (?, ?, ?)'),
      insertSensorSet: db.prepare('INSERT INTO sensor_set (id, names) VALUES (?, ?)'),
      history: db.prepare<[number, number, number], { seq: number; ts: number; sensor_set: number; vals: Buffer }>(
        'SELECT seq, ts, sensor_set, vals FROM reading_log WHERE asset_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?',
      ),
      countTwins: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM asset_twin'),
      keysChangedSince: db.prepare<[number], { site: string; asset: string }>('SELECT site, asset FROM asset_twin WHERE updated_at >= ?'),
      nthNewestSeq: db.prepare<[number, number], { seq: number }>('SELECT seq FROM reading_log WHERE asset_id = ? ORDER BY seq DESC LIMIT 1 OFFSET ?'),
      pruneAsset: db.prepare('DELETE FROM reading_log WHERE asset_id = ? AND (seq <= ? OR ts < ?)'),
      pruneAssetBySeq: db.prepare('DELETE FROM reading_log WHERE asset_id = ? AND seq <= ?'),
      oldestTs: db.prepare<[number], { ts: number }>('SELECT ts FROM reading_log WHERE asset_id = ? ORDER BY seq LIMIT 1'),
      setHistoryCount: db.prepare('UPDATE asset_twin SET history_count = ? WHERE site = ? AND asset = ?'),
      getDesiredSync: db.prepare<[string, string], { base: string; base_version: number }>('SELECT base, base_version FROM desired_sync WHERE site = ? AND asset = ?'),
      putDesiredSync: db.prepare(`INSERT INTO desired_sync (site, asset, base, base_version) VALUES (?, ?, ?, ?)
        ON CONFLICT (site, asset) DO UPDATE SET base = excluded.base, base_version = excluded.base_version`),
      allCounts: db.prepare<[], { site: string; asset: string; history_count: number }>('SELECT site, asset, history_count FROM asset_twin'),
      countsAfter: db.prepare<[string, string, number], { site: string; asset: string; history_count: number }>(
        'SELECT site, asset, history_count FROM asset_twin WHERE (site, asset) > (?, ?) ORDER BY site, asset LIMIT ?',
      ),
    };
    this.loadIndexes();
  }

  /** The committed twin, or undefined when the asset has never reported. */
  get(site: string, asset: string): AssetTwin | undefined {
    const key = twinKey(site, asset);
    const hit = this.cache.get(key);
    if (hit) {
      // Re-insert to keep Map order least-recently-used first; while the cache is far from full no
      // twin will be evicted, and the delete and set per reading are saved.
      if (this.cache.size > this.opts.cacheSize / 2) {
        this.cache.delete(key);
        this.cache.set(key, hit);
      }
      return hit;
    }
    const row = this.stmt.get.get(site, asset);
    if (!row) return undefined;
    const twin = this.rowToTwin(row);
    this.remember(key, twin);
    return twin;
  }

  /**
   * The twin to apply readings to, created (in the cache only) when new. Callers must `commitIngest`
   * or `evict` in the same tick: the cache may not hold uncommitted state across an await.
   */
  getOrCreate(site: string, asset: string, now: number): AssetTwin {
    const t = this.get(site, asset);
    if (t) return t;
    const created = newTwin(site, asset, now);
    this.remember(twinKey(site, asset), created);
    return created;
  }

  /** Commits a batch of applied readings: history rows and changed twins, in one transaction. */
  commitIngest(changes: readonly TwinChange[], readings: readonly Reading[]): { historyInserted: number } {
    // New history totals stay local until the commit succeeds, so a rollback leaves the index as committed.
    const counts = new Map<string, number>();
    try {
      let inserted = 0;
      this.transaction(() => {
        for (const r of readings) {
          const key = twinKey(r.site, r.asset);
          const names = this.namesOf(r.values);
          const setId = this.sensorSetId(names);
          const buf = Buffer.allocUnsafe(names.length * 8);
          for (let i = 0; i < names.length; i++) buf.writeDoubleLE(r.values[names[i]], i * 8);
          if (this.stmt.insertHistory.run(this.assetId(key, r.site, r.asset), r.seq, r.ts, setId, buf).changes === 1) {
            inserted++;
            counts.set(key, (counts.get(key) ?? this.historyCounts.get(key) ?? 0) + 1);
          }
        }
        const written = new Set<string>();
        for (const c of changes) {
          const key = twinKey(c.twin.site, c.twin.asset);
          written.add(key);
          const historyCount = counts.get(key) ?? this.historyCounts.get(key) ?? 0;
          // A twin that was stored before (it had a version) has a row: only the columns readings
          // touch are written. The full upsert covers new twins and a row that went missing.
          if (c.fromVersion === 0 || this.updateReported(c.twin, c.assetClass !== undefined, historyCount) === 0) this.writeTwin(c.twin, historyCount);
        }
        // A twin whose history grew without moving (late or stale readings) may no longer be cached.
        for (const [key, n] of counts) {
          if (written.has(key)) continue;
          const [site, asset] = key.split('/');
          this.stmt.setHistoryCount.run(n, site, asset);
        }
      });
      for (const [key, n] of counts) this.historyCounts.set(key, n);
      return { historyInserted: inserted };
    } catch (e) {
      // The cache already holds the applied state; drop it so that it is reloaded as committed.
      for (const c of changes) this.evict(c.twin.site, c.twin.asset);
      for (const r of readings) this.evict(r.site, r.asset);
      throw e;
    }
  }

  /**
   * Commits twins whose derived state (and version) changed in place, as `get` returned them, in one
   * transaction; only those columns are written. On failure they are evicted so that the cache again
   * holds only committed state.
   */
  commitDerived(twins: readonly AssetTwin[]): void {
    try {
      this.db.transaction(() => {
        for (const t of twins) this.stmt.updateDerived.run(this.json(t.derived), t.version, t.updatedAt, t.site, t.asset);
      })();
    } catch (e) {
      for (const t of twins) this.evict(t.site, t.asset);
      throw e;
    }
  }

  /**
   * Changes one twin under optimistic concurrency: `mutate` edits a copy, which is committed only if
   * the stored version still equals `expectedVersion` (when given). Returns the committed twin.
   */
  update(site: string, asset: string, expectedVersion: number | undefined, mutate: (draft: AssetTwin) => void, now: number): AssetTwin {
    const current = this.get(site, asset);
    if (!current) throw new Error(`no twin ${site}/${asset}`);
    if (expectedVersion !== undefined && expectedVersion !== current.version) throw new StaleVersionError(current.version);
    const draft: AssetTwin = structuredClone(current);
    mutate(draft);
    draft.version = current.version + 1;
    draft.updatedAt = now;
    this.transaction(() => this.writeTwin(draft));
    this.remember(twinKey(site, asset), draft);
    return draft;
  }

  /** The last central desired document merged for an asset (version 0: none yet). */
  desiredBase(site: string, asset: string): { base: JsonObject; baseVersion: number } {
    const row = this.stmt.getDesiredSync.get(site, asset);
    return row ? { base: JSON.parse(row.base) as JsonObject, baseVersion: row.base_version } : { base: {}, baseVersion: 0 };
  }

  /**
   * Records a merged central desired document and, when `desired` is given, the twin's new desired
   * state (a new version), in one transaction: after a crash either both or neither happened, so the
   * redelivered document merges again from the same base. A twin the edge has not seen yet is created.
   */
  commitCentralDesired(site: string, asset: string, base: JsonObject, baseVersion: number, desired: JsonObject | undefined, now: number): AssetTwin | undefined {
    const current = this.get(site, asset) ?? newTwin(site, asset, now);
    let draft: AssetTwin | undefined;
    if (desired) {
      draft = { ...current, desired, version: current.version + 1, updatedAt: now };
    }
    try {
      this.transaction(() => {
        if (draft) this.writeTwin(draft);
        this.stmt.putDesiredSync.run(site, asset, JSON.stringify(base), baseVersion);
      });
    } catch (e) {
      this.evict(site, asset);
      throw e;
    }
    if (draft) this.remember(twinKey(site, asset), draft);
    return draft;
  }

  evict(site: string, asset: string): void {
    this.cache.delete(twinKey(site, asset));
  }

  list(f: TwinListFilter): AssetTwin[] {
    const where: string[] = [];
    const args: unknown[] = [];
    const cond = (sql: string, arg: unknown) => {
      where.push(sql);
      args.push(arg);
    };
    if (f.site !== undefined) cond('site = ?', f.site);
    if (f.assetClass !== undefined) cond('asset_class = ?', f.assetClass);
    if (f.assetPrefix !== undefined) cond("asset LIKE ? ESCAPE '\\'", f.assetPrefix.replace(/[\\%_]/g, '\\$&') + '%');
    if (f.health !== undefined) cond("json_extract(derived, '$.health.status') = ?", f.health);
    if (f.seenSince !== undefined) cond('last_seen_at >= ?', f.seenSince);
    if (f.seenBefore !== undefined) cond('(last_seen_at IS NULL OR last_seen_at < ?)', f.seenBefore);
    if (f.after !== undefined) {
      const [s, a] = f.after.split('/');
      where.push('(site, asset) > (?, ?)');
      args.push(s, a ?? '');
    }
    const sql = `SELECT * FROM asset_twin ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY site, asset LIMIT ?`;
    // Filter combinations are few; preparing each once keeps paging through a fleet cheap.
    let stmt = this.listStatements.get(sql);
    if (!stmt) this.listStatements.set(sql, (stmt = this.db.prepare<unknown[], TwinRow>(sql)));
    return stmt.all(...args, f.limit).map((r) => this.rowToTwin(r));
  }

  /** Up to `limit` readings older than `beforeSeq`, oldest first. */
  history(site: string, asset: string, limit: number, beforeSeq = Number.MAX_SAFE_INTEGER): HistoryPoint[] {
    const id = this.assetIds.get(twinKey(site, asset));
    if (id === undefined) return [];
    const rows = this.stmt.history.all(id, beforeSeq, limit);
    const out: HistoryPoint[] = new Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i];
      const names = this.sensorSetNames.get(row.sensor_set) ?? [];
      const values: Record<string, number> = {};
      for (let j = 0; j < names.length; j++) values[names[j]] = row.vals.readDoubleLE(j * 8);
      out[rows.length - 1 - i] = { seq: row.seq, ts: row.ts, values };
    }
    return out;
  }

  /** Keys (only) of the twins committed at or after `ts`, epoch ms: no twin is parsed or cached. */
  keysChangedSince(ts: number): Array<{ site: string; asset: string }> {
    return this.stmt.keysChangedSince.all(ts);
  }

  count(): number {
    return this.stmt.countTwins.get()!.n;
  }

  historyCount(site: string, asset: string): number {
    return this.historyCounts.get(twinKey(site, asset)) ?? 0;
  }

  /**
   * Applies retention to up to `budget` assets, starting after `cursor` (round robin, so each call is
   * short and the ingest loop is never blocked for long). Keeps at most `maxPerAsset` readings per
   * asset and none older than `minTs`. Returns rows deleted and where to continue.
   */
  pruneHistory(maxPerAsset: number, minTs: number, budget: number, cursor: string | undefined): { deleted: number; cursor: string | undefined } {
    const [afterSite, afterAsset = ''] = cursor === undefined ? [''] : cursor.split('/');
    const pruned = new Map<string, number>();
    let deleted = 0;
    const rows = this.db.transaction(() => {
      const page = this.stmt.countsAfter.all(afterSite, afterAsset, budget);
      for (const { site, asset, history_count: count } of page) {
        const id = this.assetIds.get(twinKey(site, asset));
        if (count === 0 || id === undefined) continue;
        const cut = count > maxPerAsset ? (this.stmt.nthNewestSeq.get(id, maxPerAsset)?.seq ?? -1) : -1;
        // The age test reads every row of the asset, and in the log those rows lie one per page; it
        // runs only when the asset's first reading is too old. Otherwise the count alone decides,
        // and only the rows to delete are visited.
        const tooOld = (this.stmt.oldestTs.get(id)?.ts ?? minTs) < minTs;
        if (cut < 0 && !tooOld) continue;
        const n = (tooOld ? this.stmt.pruneAsset.run(id, cut, minTs) : this.stmt.pruneAssetBySeq.run(id, cut)).changes;
        if (n > 0) {
          deleted += n;
          pruned.set(twinKey(site, asset), count - n);
          this.stmt.setHistoryCount.run(count - n, site, asset);
        }
      }
      return page;
    })();
    for (const [key, n] of pruned) this.historyCounts.set(key, n);
    const last = rows[rows.length - 1];
    return { deleted, cursor: rows.length < budget || last === undefined ? undefined : twinKey(last.site, last.asset) };
  }

  private writeTwin(t: AssetTwin, historyCount = this.historyCounts.get(twinKey(t.site, t.asset)) ?? 0): void {
    this.stmt.upsert.run(
      t.site,
      t.asset,
      t.assetClass,
      this.encodeReported(t),
      this.json(t.desired),
      this.json(t.derived),
      t.version,
      t.lastSeq,
      t.lastSeenAt,
      historyCount,
      t.createdAt,
      t.updatedAt,
    );
  }

  private rowToTwin(r: TwinRow): AssetTwin {
    return {
      site: r.site,
      asset: r.asset,
      assetClass: r.asset_class,
      reported: decodeReported(r.reported, this.sensorSetIndex),
      desired: JSON.parse(r.desired) as JsonObject,
      derived: JSON.parse(r.derived) as JsonObject,
      version: r.version,
      lastSeq: r.last_seq,
      lastSeenAt: r.last_seen_at,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    };
  }

  /** Writes what readings change in a stored twin's row; returns the rows changed (0: no row). */
  private updateReported(t: AssetTwin, reclassified: boolean, historyCount: number): number {
    const reported = this.encodeReported(t);
    return reclassified
      ? this.stmt.updateReportedClass.run(t.assetClass, reported, t.version, t.lastSeq, t.lastSeenAt, historyCount, t.updatedAt, t.site, t.asset).changes
      : this.stmt.updateReported.run(reported, t.version, t.lastSeq, t.lastSeenAt, historyCount, t.updatedAt, t.site, t.asset).changes;
  }

  private encodeReported(t: AssetTwin): Buffer | string {
    return encodeReported(t.reported, this.namesOf(t.reported), this.sensorSetIndex);
  }

  /**
   * Runs `fn` in one transaction. Sensor sets and asset ids it allocates are remembered before the
   * commit; on a rollback they are forgotten, so their ids are handed out again and never clash.
   */
  private transaction<T>(fn: () => T): T {
    const sensorSetsBefore = this.sensorSets.size;
    const assetIdsBefore = this.lastAssetId;
    try {
      return this.db.transaction(fn)();
    } catch (e) {
      this.forgetSensorSetsAfter(sensorSetsBefore);
      this.forgetAssetIdsAfter(assetIdsBefore);
      throw e;
    }
  }

  /** The asset's history id, allocated (inside the caller's transaction) on its first reading. */
  private assetId(key: string, site: string, asset: string): number {
    let id = this.assetIds.get(key);
    if (id === undefined) {
      id = ++this.lastAssetId;
      this.stmt.insertAssetKey.run(id, site, asset);
      this.assetIds.set(key, id);
    }
    return id;
  }

  /** Drops asset ids a rolled-back transaction inserted: they are handed out again. */
  private forgetAssetIdsAfter(last: number): void {
    if (this.lastAssetId === last) return;
    for (const [key, id] of this.assetIds) if (id > last) this.assetIds.delete(key);
    this.lastAssetId = last;
  }

  /** The reading's sensor names in value order, reusing the last set's array when they match. */
  private namesOf(values: Record<string, unknown>): string[] {
    const last = this.lastSensorSet;
    if (last) {
      let i = 0;
      let same = true;
      for (const name in values) {
        if (last.names[i++] !== name) {
          same = false;
          break;
        }
      }
      if (same && i === last.names.length) return last.names;
    }
    return Object.keys(values);
  }

  /**
   * Desired and derived state are replaced, never mutated, when they change, so the JSON of an
   * unchanged section can be reused: ingest rewrites a twin row per batch and would otherwise
   * serialise both sections every time.
   */
  private json(section: object): string {
    let text = this.serialised.get(section);
    if (text === undefined) this.serialised.set(section, (text = JSON.stringify(section)));
    return text;
  }

  private sensorSetId(names: string[]): number {
    if (this.lastSensorSet?.names === names) return this.lastSensorSet.id;
    const key = names.join(',');
    let id = this.sensorSets.get(key);
    if (id === undefined) {
      id = this.sensorSets.size + 1;
      this.stmt.insertSensorSet.run(id, key);
      this.sensorSets.set(key, id);
      this.sensorSetNames.set(id, names);
    }
    this.lastSensorSet = { names, id };
    return id;
  }

  private remember(key: string, twin: AssetTwin): void {
    this.cache.set(key, twin);
    if (this.cache.size > this.opts.cacheSize) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
  }

  /** Drops sensor sets a rolled-back transaction inserted: their ids are handed out again. */
  private forgetSensorSetsAfter(size: number): void {
    if (this.lastSensorSet && this.lastSensorSet.id > size) this.lastSensorSet = undefined;
    for (const [names, id] of this.sensorSets) {
      if (id <= size) continue;
      this.sensorSets.delete(names);
      this.sensorSetNames.delete(id);
    }
  }

  /** Builds the in-memory indexes from what is committed. */
  private loadIndexes(): void {
    for (const s of this.db.prepare<[], { id: number; names: string }>('SELECT id, names FROM sensor_set').all()) {
      this.sensorSets.set(s.names, s.id);
      this.sensorSetNames.set(s.id, s.names.split(','));
    }
    for (const c of this.stmt.allCounts.iterate()) this.historyCounts.set(twinKey(c.site, c.asset), c.history_count);
    for (const k of this.db.prepare<[], { id: number; site: string; asset: string }>('SELECT id, site, asset FROM asset_key').iterate()) {
      this.assetIds.set(twinKey(k.site, k.asset), k.id);
      if (k.id > this.lastAssetId) this.lastAssetId = k.id;
    }
  }
}
