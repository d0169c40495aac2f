import { Logger } from '@nestjs/common';
import type BetterSqlite3 from 'better-sqlite3';
import type { Reading } from '@millwright/contracts';
import { applyReadings, newTwin, twinKey, type AssetTwin, type JsonObject, type TwinChange } from '@millwright/twin-domain';
import { DirtyTwinsTracker, type FlushPlan, type FlushPolicy } from './dirty-twins.tracker';
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

export interface TwinStoreOptions extends FlushPolicy {
  /** Twins kept in memory, least recently used dropped first (dirty twins stay until written). */
  cacheSize: number;
  /** The clock dirty twins age by (epoch ms). */
  now: () => number;
}

const DEFAULT_OPTIONS: TwinStoreOptions = { cacheSize: 50_000, flushDelayMs: 1000, maxDirty: 20_000, maxFlushPerCommit: 2000, now: Date.now };

interface LogRow {
  seq: number;
  ts: number;
  sensor_set: number;
  vals: Buffer;
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
 * The twin store: a cache of twins over SQLite, with prepared statements for the hot path. One
 * process owns the database (SQLite has one writer); every write is one transaction, so a kill -9
 * leaves either all or none of a batch. The cache holds committed state only: a failed commit
 * evicts what it touched, and the next read reloads it.
 *
 * Twin rows are written behind the reading log. An ingest commit logs every reading but leaves the
 * row of a twin that readings moved as it was, and marks the twin dirty: the log holds everything
 * needed to redo the change, and a twin that reports every second is written once per
 * `flushDelayMs` instead of once per batch. What the log cannot redo is written at once: a new twin
 * (no row to start from), a new asset class (not logged), and a reading that moved the twin but was
 * refused by the log as a duplicate (asset, seq), e.g. a gateway reusing a seq with other sensors.
 *
 * Every row write writes the twin's whole state and clears its mark, so a row is always the twin as
 * it was at some moment; replaying a reading the row already holds changes nothing (a sensor only
 * moves to a higher seq), and so after a crash the rows plus the log after the checkpoint (below
 * which every row holds every reading) give back exactly the twins, versions included.
 */
export class TwinSqliteStore {
  private readonly log = new Logger(TwinSqliteStore.name);
  private readonly opts: TwinStoreOptions;
  private readonly cache = new Map<string, AssetTwin>();
  private readonly dirty = new DirtyTwinsTracker();
  /** reading_log id up to which every twin row holds every reading, as stored in twin_checkpoint. */
  private checkpoint = 0;
  /** Highest committed reading_log id. */
  private lastLogId = 0;
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
    opts: Partial<TwinStoreOptions> = {},
  ) {
    this.opts = { ...DEFAULT_OPTIONS };
    for (const [k, v] of Object.entries(opts)) if (v !== undefined) (this.opts as unknown as Record<string, unknown>)[k] = v;
    this.stmt = {
      get: db.prepare<[string, string], TwinRow>('SELECT * FROM asset_twin WHERE site = ? AND asset = ?'),
      upsert: db.prepare(`INSERT INTO asset_twin (site, asset, asset_class, reported, desired, derived, version, last_seq, last_seen_at, history_count, created_at, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (site, asset) DO UPDATE SET asset_class = excluded.asset_class, reported = excluded.reported, desired = excluded.desired,
          derived = excluded.derived, version = excluded.version, last_seq = excluded.last_seq, last_seen_at = excluded.last_seen_at,
          history_count = excluded.history_count, updated_at = excluded.updated_at`),
      // A dirty twin's class, desired and derived are those of its row (changing any of them writes
      // the row at once), so writing it behind needs only the columns readings move; leaving
      // asset_class out of the SET also spares its index an update.
      updateReported: db.prepare('UPDATE asset_twin SET reported = ?, version = ?, last_seq = ?, last_seen_at = ?, history_count = ?, updated_at = ? WHERE site = ? AND asset = ?'),
      insertHistory: db.prepare('INSERT OR IGNORE INTO reading_log (asset_id, seq, ts, sensor_set, vals) VALUES (?, ?, ?, ?, ?)'),
      insertAssetKey: db.prepare('INSERT INTO asset_key (id, site, asset) VALUES (?, ?, ?)'),
      insertSensorSet: db.prepare('INSERT INTO sensor_set (id, names) VALUES (?, ?)'),
      history: db.prepare<[number, number, number], LogRow>('SELECT seq, ts, sensor_set, vals FROM reading_log WHERE asset_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?'),
      logOfAssetSince: db.prepare<[number, number], LogRow>('SELECT seq, ts, sensor_set, vals FROM reading_log WHERE asset_id = ? AND id >= ? ORDER BY id'),
      logAfter: db.prepare<[number], LogRow & { asset_id: number }>('SELECT asset_id, seq, ts, sensor_set, vals FROM reading_log WHERE id > ? ORDER BY id'),
      countLogOfAsset: db.prepare<[number], { n: number }>('SELECT count(*) AS n FROM reading_log WHERE asset_id = ?'),
      maxLogId: db.prepare<[], { id: number | null }>('SELECT max(id) AS id FROM reading_log'),
      getCheckpoint: db.prepare<[], { log_id: number }>('SELECT log_id FROM twin_checkpoint WHERE id = 1'),
      putCheckpoint: db.prepare('INSERT INTO twin_checkpoint (id, log_id) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET log_id = excluded.log_id'),
      countTwins: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM asset_twin'),
      keysChangedSince: db.prepare<[number], { site: string; asset: string }>('SELECT site, asset FROM asset_twin WHERE updated_at >= ?'),
      nthNewestSeq: db.prepare<[number, number], { seq: number }>('SELECT seq FROM reading_log WHERE asset_id = ? ORDER BY seq DESC LIMIT 1 OFFSET ?'),
      // Only rows below the checkpoint go: replay needs the ones after it. That also keeps the
      // newest row alive, and SQLite reuses a rowid only when the highest row is deleted (a new
      // rowid is max + 1), so no reading is ever logged at or below the checkpoint.
      pruneAsset: db.prepare('DELETE FROM reading_log WHERE asset_id = ? AND (seq <= ? OR ts < ?) AND id < ?'),
      pruneAssetBySeq: db.prepare('DELETE FROM reading_log WHERE asset_id = ? AND seq <= ? AND id < ?'),
      oldestTs: db.prepare<[number], { ts: number }>('SELECT ts FROM reading_log WHERE asset_id = ? ORDER BY seq LIMIT 1'),
      setHistoryCount: db.prepare('UPDATE asset_twin SET history_count = ? WHERE site = ? AND asset = ?'),
      getDesiredSync: db.prepare<[string, string], { base: string; base_version: number }>('SELECT base, base_version FROM desired_sync WHERE site = ? AND asset = ?'),
      putDesiredSync: db.prepare(`INSERT INTO desired_sync (site, asset, base, base_version) VALUES (?, ?, ?, ?)
        ON CONFLICT (site, asset) DO UPDATE SET base = excluded.base, base_version = excluded.base_version`),
      allCounts: db.prepare<[], { site: string; asset: string; history_count: number }>('SELECT site, asset, history_count FROM asset_twin'),
      keysAfter: db.prepare<[string, string, number], { site: string; asset: string }>('SELECT site, asset FROM asset_twin WHERE (site, asset) > (?, ?) ORDER BY site, asset LIMIT ?'),
    };
    this.loadIndexes();
    this.recover();
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
    // A dirty twin may have left the cache, and its row is behind it.
    const dirty = this.dirty.get(key);
    if (dirty) {
      this.remember(key, dirty.twin);
      return dirty.twin;
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

  /**
   * Commits a batch of applied readings in one transaction: history rows, the twins the log cannot
   * replay, and a slice of the dirty twins (see the class comment).
   */
  commitIngest(changes: readonly TwinChange[], readings: readonly Reading[]): { historyInserted: number } {
    const now = this.opts.now();
    // History totals, log ids and dirty marks stay local until the commit succeeds, so a rollback
    // leaves everything in memory as committed.
    const counts = new Map<string, number>();
    // The first log id of each twin in this batch, in log order (the order new marks must take).
    const firstLogIds = new Map<string, number>();
    // Readings the log refused as duplicates (asset, seq): rare, so allocated only when met.
    let unlogged: Set<Reading> | undefined;
    let lastLogId = this.lastLogId;
    const writtenThrough = new Set<string>();
    const deferred = new Map<string, AssetTwin>();
    let plan: FlushPlan = { due: [] };
    let checkpoint = this.checkpoint;
    try {
      let inserted = 0;
      this.transaction(() => {
        for (const r of readings) {
          const key = twinKey(r.site, r.asset);
          const names = this.namesOf(r.values);
          const setId = this.sensorSetId(names);
          const buf = Buffer.allocUnsafe(names.length * 8);
          for (let i = 0; i < names.length; i++) buf.writeDoubleLE(r.values[names[i]], i * 8);
          const res = this.stmt.insertHistory.run(this.assetId(key, r.site, r.asset), r.seq, r.ts, setId, buf);
          if (res.changes === 1) {
            inserted++;
            lastLogId = Number(res.lastInsertRowid);
            if (!firstLogIds.has(key)) firstLogIds.set(key, lastLogId);
            counts.set(key, (counts.get(key) ?? this.historyCounts.get(key) ?? 0) + 1);
          } else {
            (unlogged ??= new Set()).add(r);
          }
        }
        const countOf = (key: string) => counts.get(key) ?? this.historyCounts.get(key) ?? 0;
        for (const c of changes) {
          const key = twinKey(c.twin.site, c.twin.asset);
          if (this.replayable(c, key, firstLogIds, unlogged)) {
            deferred.set(key, c.twin);
          } else {
            this.writeTwin(c.twin, countOf(key));
            writtenThrough.add(key);
          }
        }
        // A twin whose history grew without moving (late or stale readings) may no longer be cached;
        // a dirty one gets its count when its row is written.
        for (const [key, n] of counts) {
          if (deferred.has(key) || writtenThrough.has(key) || this.dirty.has(key)) continue;
          const [site, asset] = key.split('/');
          this.stmt.setHistoryCount.run(n, site, asset);
        }
        let added = 0;
        for (const key of deferred.keys()) if (!this.dirty.has(key)) added++;
        plan = this.dirty.plan(now, this.opts, writtenThrough, added);
        for (const [key, m] of plan.due) this.writeDirty(m.twin, countOf(key));
        let oldest = plan.oldestLeft;
        if (oldest === undefined && added > 0) {
          for (const [key, id] of firstLogIds) {
            if (deferred.has(key) && !this.dirty.has(key)) {
              oldest = id;
              break;
            }
          }
        }
        checkpoint = oldest === undefined ? lastLogId : oldest - 1;
        if (checkpoint !== this.checkpoint) this.stmt.putCheckpoint.run(checkpoint);
      });
      for (const [key, n] of counts) this.historyCounts.set(key, n);
      // New marks in log order; a twin already dirty keeps its mark, and one written by this very
      // commit (in `plan.due`) is cleared right after.
      for (const [key, id] of firstLogIds) {
        const twin = deferred.get(key);
        if (twin) this.dirty.mark(key, twin, id, now);
      }
      for (const key of writtenThrough) this.dirty.clear(key);
      for (const [key] of plan.due) this.dirty.clear(key);
      this.lastLogId = lastLogId;
      this.checkpoint = checkpoint;
      return { historyInserted: inserted };
    } catch (e) {
      // The cache already holds the applied state; drop it so that it is reloaded as committed.
      const touched = new Map<string, [string, string]>();
      for (const c of changes) touched.set(twinKey(c.twin.site, c.twin.asset), [c.twin.site, c.twin.asset]);
      for (const r of readings) touched.set(twinKey(r.site, r.asset), [r.site, r.asset]);
      for (const [site, asset] of touched.values()) {
        try {
          this.evict(site, asset);
        } catch (rebuildError) {
          // A dirty twin could not be read back; the commit's own error is the one to report. The
          // readings are redelivered, and a restart replays the log in any case.
          this.log.error(`twin ${site}/${asset} not rebuilt after a failed commit: ${(rebuildError as Error).message}`);
        }
      }
      throw e;
    }
  }

  /**
   * Commits twins whose derived state (and version) changed in place, as `get` returned them, in one
   * transaction. On failure they are evicted so that the cache again holds only committed state.
   */
  commitDerived(twins: readonly AssetTwin[]): void {
    try {
      this.transaction(() => {
        for (const t of twins) this.writeTwin(t);
      });
    } catch (e) {
      for (const t of twins) this.evict(t.site, t.asset);
      throw e;
    }
    for (const t of twins) this.dirty.clear(twinKey(t.site, t.asset));
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
    this.dirty.clear(twinKey(site, asset));
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
    if (draft) {
      this.dirty.clear(twinKey(site, asset));
      this.remember(twinKey(site, asset), draft);
    }
    return draft;
  }

  /**
   * Drops the twin's in-memory state so that it is read again as committed. A dirty twin's row is
   * behind it: it is rebuilt at once from the row and the readings logged since.
   */
  evict(site: string, asset: string): void {
    const key = twinKey(site, asset);
    this.cache.delete(key);
    const mark = this.dirty.get(key);
    if (mark) mark.twin = this.rebuild(site, asset, mark.sinceLogId);
  }

  /**
   * Writes every dirty twin and moves the checkpoint to the end of the log: afterwards the rows alone
   * are the twins. Returns how many twins were written. Call it before closing the database.
   */
  flush(): number {
    if (this.dirty.size === 0 && this.checkpoint === this.lastLogId) return 0;
    const marks = [...this.dirty.entries()];
    this.transaction(() => {
      for (const [key, m] of marks) this.writeDirty(m.twin, this.historyCounts.get(key) ?? 0);
      this.stmt.putCheckpoint.run(this.lastLogId);
    });
    for (const [key] of marks) this.dirty.clear(key);
    this.checkpoint = this.lastLogId;
    return marks.length;
  }

  /** Twins changed but not yet written to their rows. */
  dirtyCount(): number {
    return this.dirty.size;
  }

  list(f: TwinListFilter): AssetTwin[] {
    // The query reads rows: they must hold the newest state.
    this.flush();
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
    this.flush();
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
    // No flush first: it would write every dirty twin at once, tens of ms every tick with a large
    // fleet. Paging by twin rows needs none (a twin's row is written with its first reading), the
    // in-memory history counts are the current ones, and rows the checkpoint still needs stay.
    const keepFrom = this.checkpoint;
    const [afterSite, afterAsset = ''] = cursor === undefined ? [''] : cursor.split('/');
    const pruned = new Map<string, number>();
    let deleted = 0;
    const rows = this.db.transaction(() => {
      const page = this.stmt.keysAfter.all(afterSite, afterAsset, budget);
      for (const { site, asset } of page) {
        const key = twinKey(site, asset);
        const count = this.historyCounts.get(key) ?? 0;
        const id = this.assetIds.get(key);
        if (count === 0 || id === undefined) continue;
        const cut = count > maxPerAsset ? (this.stmt.nthNewestSeq.get(id, maxPerAsset)?.seq ?? -1) : -1;
        // The age test reads every row of the asset, and in the log those rows lie one per page; it
        // runs only when the asset's first reading is too old. Otherwise the count alone decides,
        // and only the rows to delete are visited.
        const tooOld = (this.stmt.oldestTs.get(id)?.ts ?? minTs) < minTs;
        if (cut < 0 && !tooOld) continue;
        const n = (tooOld ? this.stmt.pruneAsset.run(id, cut, minTs, keepFrom) : this.stmt.pruneAssetBySeq.run(id, cut, keepFrom)).changes;
        if (n > 0) {
          deleted += n;
          pruned.set(key, count - n);
          // Only the count: a dirty twin's row stays the snapshot it was (recovery recounts anyway).
          this.stmt.setHistoryCount.run(count - n, site, asset);
        }
      }
      return page;
    })();
    for (const [key, n] of pruned) this.historyCounts.set(key, n);
    const last = rows[rows.length - 1];
    return { deleted, cursor: rows.length < budget || last === undefined ? undefined : twinKey(last.site, last.asset) };
  }

  /**
   * Writes the twin's whole state: every row write must, so that a row is always the twin as it was
   * at one moment (see the class comment). The caller clears the dirty mark once committed.
   */
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

  /** Writes a dirty twin: with its class, desired and derived already in the row, all of it. */
  private writeDirty(t: AssetTwin, historyCount: number): void {
    const changed = this.stmt.updateReported.run(this.encodeReported(t), t.version, t.lastSeq, t.lastSeenAt, historyCount, t.updatedAt, t.site, t.asset).changes;
    if (changed === 0) this.writeTwin(t, historyCount);
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

  /**
   * Whether the log can redo the change from the twin's row: the row exists (the twin had a version),
   * the asset class did not change (the log holds no class), and every reading that moved the twin
   * was logged (a duplicate (asset, seq) with other sensors may move a twin and be refused).
   */
  private replayable(c: TwinChange, key: string, firstLogIds: ReadonlyMap<string, number>, unlogged: ReadonlySet<Reading> | undefined): boolean {
    if (c.fromVersion === 0 || c.assetClass !== undefined || !firstLogIds.has(key)) return false;
    if (unlogged) for (const r of c.applied) if (unlogged.has(r)) return false;
    return true;
  }

  /** The reading a log row holds, decoded as `history` does. */
  private logReading(site: string, asset: string, row: LogRow): Reading {
    const names = this.sensorSetNames.get(row.sensor_set) ?? [];
    const values: Record<string, number> = {};
    for (let j = 0; j < names.length; j++) values[names[j]] = row.vals.readDoubleLE(j * 8);
    return { site, asset, seq: row.seq, ts: row.ts, values };
  }

  /** A dirty twin as committed: its row plus its readings logged since `sinceLogId`, in log order. */
  private rebuild(site: string, asset: string, sinceLogId: number): AssetTwin {
    const row = this.stmt.get.get(site, asset);
    const now = this.opts.now();
    const twin = row ? this.rowToTwin(row) : newTwin(site, asset, now);
    const id = this.assetIds.get(twinKey(site, asset));
    if (id !== undefined) for (const l of this.stmt.logOfAssetSince.iterate(id, sinceLogId)) applyReadings([this.logReading(site, asset, l)], () => twin, now);
    return twin;
  }

  /**
   * Brings the rows up to the log after a crash: the readings after the checkpoint are applied, in
   * log order, to the twins their rows hold (a reading a row already holds changes nothing), then
   * the twins are written and the checkpoint moved to the end of the log, in one transaction.
   */
  private recover(): void {
    this.checkpoint = this.stmt.getCheckpoint.get()?.log_id ?? 0;
    this.lastLogId = this.stmt.maxLogId.get()?.id ?? 0;
    if (this.lastLogId <= this.checkpoint) return;
    const now = this.opts.now();
    const keyOf = new Map<number, [string, string]>();
    for (const [key, id] of this.assetIds) keyOf.set(id, key.split('/') as [string, string]);
    const twins = new Map<number, AssetTwin>();
    const lookup = (id: number, site: string, asset: string): AssetTwin => {
      let t = twins.get(id);
      if (!t) {
        const row = this.stmt.get.get(site, asset);
        twins.set(id, (t = row ? this.rowToTwin(row) : newTwin(site, asset, now)));
      }
      return t;
    };
    let readings = 0;
    for (const l of this.stmt.logAfter.iterate(this.checkpoint)) {
      const k = keyOf.get(l.asset_id);
      if (!k) continue;
      const twin = lookup(l.asset_id, k[0], k[1]);
      applyReadings([this.logReading(k[0], k[1], l)], () => twin, now);
      readings++;
    }
    // Rows written after the checkpoint already count some of these readings: recount instead.
    const counts = new Map<string, number>();
    for (const [id, t] of twins) counts.set(twinKey(t.site, t.asset), this.stmt.countLogOfAsset.get(id)!.n);
    this.transaction(() => {
      for (const t of twins.values()) this.writeTwin(t, counts.get(twinKey(t.site, t.asset)));
      this.stmt.putCheckpoint.run(this.lastLogId);
    });
    for (const [key, n] of counts) this.historyCounts.set(key, n);
    this.log.log(`replayed ${readings} logged readings after checkpoint ${this.checkpoint} into ${twins.size} twins`);
    this.checkpoint = this.lastLogId;
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
