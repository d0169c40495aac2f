import { Logger } from '@nestjs/common';
import type BetterSqlite3 from 'better-sqlite3';
import { jsonOf, type Reading } from '@millwright/contracts';
import { applyReading, newTwin, ReadingEffect, twinKey, type AssetTwin, type JsonObject } from '@millwright/twin-domain';
import { DirtyTwinsTracker, type DirtyMark, type FlushPlan, type FlushPolicy } from './dirty-twins.tracker';
import { ReadingHistory, type HistoryPoint } from './reading-history.store';
import { decodeReported, encodeReported, type SensorSetIndex } from './reported.codec';
import { TwinLog, TwinLogKind, TwinLogWriter, readTwinLog, type LoggedReading, type TwinLogEntry } from './twin-log';

export type { LoggedReading } from './twin-log';

export type { HistoryPoint } from './reading-history.store';

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

export interface TwinStoreOptions extends FlushPolicy {
  /** Twins kept in memory, least recently used dropped first (dirty twins stay until written). */
  cacheSize: number;
  /** Readings per history chunk (one row and one index entry per this many readings of an asset). */
  historyChunkSize: number;
  /** An asset's readings wait at most this long for a full chunk; the log holds them meanwhile. */
  historyTailMaxAgeMs: number;
  /** The clock dirty twins and history tails age by (epoch ms). */
  now: () => number;
}

const DEFAULT_OPTIONS: TwinStoreOptions = {
  cacheSize: 50_000,
  flushDelayMs: 1000,
  maxDirty: 20_000,
  maxFlushPerCommit: 2000,
  historyChunkSize: 8,
  historyTailMaxAgeMs: 2000,
  now: Date.now,
};

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

/** What one telemetry commit did to one twin. */
export interface TelemetryChange {
  readonly twin: AssetTwin;
  /** The twin's version before the commit's first reading that moved it. */
  readonly fromVersion: number;
  /** Set when the commit gave the twin a new asset class. */
  assetClass: string | undefined;
  /** Where the readings that moved the twin are in the commit's log entry, in the order applied (`TelemetryCommit.readingAt`). */
  readonly records: number[];
}

/** What a telemetry commit did. Its log-backed readings stay readable until the store's next commit. */
export interface TelemetryCommit {
  accepted: number;
  historyInserted: number;
  /** One per twin that moved, in the order they first moved. */
  changes: TelemetryChange[];
  readingAt(record: number): LoggedReading;
}

/** Receives the readings of one telemetry commit, one at a time (`TwinSqliteStore.commitTelemetry`). */
export interface TelemetryBatch {
  /** Applies a validated reading to its twin (created when new), logs it and adds it to history. */
  add(r: Reading): void;
}

/** A twin touched by the telemetry commit in progress. */
interface TouchedTwin {
  twin: AssetTwin;
  assetId: number;
  change: TelemetryChange | undefined;
}

/**
 * The twin store: a cache of twins over SQLite, log-structured. One process owns the database
 * (SQLite has one writer); every commit is one transaction, so a kill -9 leaves all or none of it.
 *
 * A commit appends one row to `twin_log` (twin-log.ts) with what it changed (readings, predictions)
 * and writes little else: twin rows and history follow behind, in bulk. A twin a commit changed is
 * marked dirty, and its row is written once it has been dirty for `flushDelayMs`, so a twin that
 * reports every second is written once a second, not once per batch. Readings collect per asset and
 * reach history in chunks (ReadingHistory). What the log cannot redo is written at once: a new twin
 * (no row to start from), a new asset class, and changes people make (desired state).
 *
 * Every row write writes the twin's whole state and clears its mark, so a row is always the twin as
 * it was at one moment, and applying a log entry the row already holds changes nothing: a sensor
 * only moves to a higher seq, a prediction only applies to a lower version. `twin_checkpoint` is the
 * log id up to which rows and chunks hold everything; on open the entries after it are applied
 * again, which gives back exactly the twins, versions included, and the history.
 */
export class TwinSqliteStore {
  private readonly log = new Logger(TwinSqliteStore.name);
  private readonly opts: TwinStoreOptions;
  private readonly cache = new Map<string, AssetTwin>();
  private readonly dirty = new DirtyTwinsTracker();
  private readonly twinLog: TwinLog;
  private readonly writer = new TwinLogWriter();
  private readonly readings: ReadingHistory;
  /** Log id up to which rows and chunks hold every change, and the chunk id that went with it. */
  private checkpoint = { logId: 0, chunkId: 0 };
  /** The last chunk id at the end of each commit after the checkpoint: what the next checkpoint stores. */
  private readonly chunkIdAfter = new Map<number, number>();
  private readonly assetIds = new Map<string, number>();
  private readonly assetKeys = new Map<number, [string, string]>();
  private lastAssetId = 0;
  private readonly sensorSets = new Map<string, number>();
  private readonly sensorSetNames = new Map<number, string[]>();
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
      // history_count is not written: counts live in history_summary (the column stays for the
      // migrations' down path, which fills it again).
      upsert: db.prepare(`INSERT INTO asset_twin (site, asset, asset_class, reported, desired, derived, version, last_seq, last_seen_at, created_at, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (site, asset) DO UPDATE SET asset_class = excluded.asset_class, reported = excluded.reported, desired = excluded.desired,
          derived = excluded.derived, version = excluded.version, last_seq = excluded.last_seq, last_seen_at = excluded.last_seen_at,
          updated_at = excluded.updated_at`),
      // A dirty twin's class and desired state are those of its row (changing either writes the row
      // at once), so writing it behind needs only these columns; leaving asset_class out of the SET
      // also spares its index an update.
      updateBehind: db.prepare('UPDATE asset_twin SET reported = ?, derived = ?, version = ?, last_seq = ?, last_seen_at = ?, updated_at = ? WHERE site = ? AND asset = ?'),
      insertAssetKey: db.prepare('INSERT INTO asset_key (id, site, asset) VALUES (?, ?, ?)'),
      insertSensorSet: db.prepare('INSERT INTO sensor_set (id, names) VALUES (?, ?)'),
      getCheckpoint: db.prepare<[], { log_id: number; chunk_id: number }>('SELECT log_id, chunk_id FROM twin_checkpoint WHERE id = 1'),
      putCheckpoint: db.prepare(`INSERT INTO twin_checkpoint (id, log_id, chunk_id) VALUES (1, ?, ?)
        ON CONFLICT (id) DO UPDATE SET log_id = excluded.log_id, chunk_id = excluded.chunk_id`),
      countTwins: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM asset_twin'),
      keysChangedSince: db.prepare<[number], { site: string; asset: string }>('SELECT site, asset FROM asset_twin WHERE updated_at >= ?'),
      getDesiredSync: db.prepare<[string, string], { base: string; base_version: number }>('SELECT base, base_version FROM desired_sync WHERE site = ? AND asset = ?'),
      putDesiredSync: db.prepare(`INSERT INTO desired_sync (site, asset, base, base_version) VALUES (?, ?, ?, ?)
        ON CONFLICT (site, asset) DO UPDATE SET base = excluded.base, base_version = excluded.base_version`),
    };
    this.loadIndexes();
    const cp = this.stmt.getCheckpoint.get();
    this.checkpoint = { logId: cp?.log_id ?? 0, chunkId: cp?.chunk_id ?? 0 };
    this.twinLog = new TwinLog(db, this.checkpoint.logId);
    this.readings = new ReadingHistory(db, (id) => this.sensorSetNames.get(id), { chunkSize: this.opts.historyChunkSize });
    this.recover();
  }

  /** The committed twin, or undefined when the asset has never reported. */
  get(site: string, asset: string): AssetTwin | undefined {
    return this.getByKey(twinKey(site, asset), site, asset);
  }

  private getByKey(key: string, site: string, asset: string): AssetTwin | undefined {
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

  /** The twin to apply readings to, created (in the cache only) when new: only inside a commit, which evicts it if it fails. */
  private getOrCreate(key: string, site: string, asset: string, now: number): AssetTwin {
    const t = this.getByKey(key, site, asset);
    if (t) return t;
    const created = newTwin(site, asset, now);
    this.remember(key, created);
    return created;
  }

  /**
   * Commits one batch of telemetry, applied reading by reading while `fill` hands them to the batch
   * (as the caller parses its messages): each is applied to its twin, logged and added to history
   * at once, so nothing of it but bytes outlives its message (the readings of a 1,000-reading commit
   * held until its end were most of the garbage collector's work). Twins a reading creates or
   * reclassifies are written at once, the others marked dirty; all in one transaction. On failure
   * every twin the batch touched is dropped from the cache, which again holds only committed state.
   * `now` is the time the twins are stamped with.
   */
  commitTelemetry(now: number, fill: (batch: TelemetryBatch) => void): TelemetryCommit {
    const touched = new Map<string, TouchedTwin>();
    const changes: TelemetryChange[] = [];
    let accepted = 0;
    let inserted = 0;
    // The store's clock for history (when a tail started); `now` stamps the twins.
    const at = this.opts.now();
    try {
      this.commitLogged(at, (logId) => {
        fill({
          add: (r) => {
            const key = twinKey(r.site, r.asset);
            // The same object for the whole batch, even if the cache evicts it meanwhile.
            let t = touched.get(key);
            if (!t) touched.set(key, (t = { twin: this.getOrCreate(key, r.site, r.asset, now), assetId: this.assetIdOf(key, r.site, r.asset), change: undefined }));
            const names = this.namesOf(r.values);
            const record = this.writer.length + 5;
            // Every reading is logged, new to history or not: it may still move the twin (a reused seq).
            const bytes = this.writer.addReading(t.assetId, r.seq, r.ts, this.sensorSetId(names), names, r.values);
            if (this.readings.append(t.assetId, r.seq, r.ts, bytes, logId, at)) inserted++;
            accepted++;
            const fromVersion = t.twin.version;
            const effect = applyReading(t.twin, r, now);
            if (effect === ReadingEffect.None) return;
            let c = t.change;
            if (!c) {
              // One shape, and an array of exactly one for the usual single reading per twin and commit.
              c = t.change = { twin: t.twin, fromVersion, assetClass: undefined, records: effect & ReadingEffect.Moved ? [record] : [] };
              changes.push(c);
            } else if (effect & ReadingEffect.Moved) c.records.push(record);
            if (effect & ReadingEffect.Reclassified) c.assetClass = r.assetClass;
          },
        });
        const writeThrough: AssetTwin[] = [];
        const deferred: AssetTwin[] = [];
        for (const c of changes) (c.fromVersion === 0 || c.assetClass !== undefined ? writeThrough : deferred).push(c.twin);
        return { writeThrough, deferred };
      });
    } catch (e) {
      this.evictAll([...touched.values()].map((t) => t.twin));
      throw e;
    }
    return { accepted, historyInserted: inserted, changes, readingAt: (record) => this.writer.readingAt(record, this.sensorSetIndex.namesOf) };
  }

  /**
   * Commits changes of derived state made in place on twins as `get` returned them, each with the
   * version it produced and the derived fields it set (a twin may change several times in one
   * commit): they are logged in order and the twins marked dirty. On failure the twins are evicted
   * so that the cache again holds only committed state.
   */
  commitDerived(changes: ReadonlyArray<{ twin: AssetTwin; version: number; derived: JsonObject }>): void {
    const twins = new Set<AssetTwin>();
    for (const c of changes) twins.add(c.twin);
    try {
      this.commitLogged(this.opts.now(), () => {
        for (const c of changes) this.writer.addDerived(this.assetId(c.twin.site, c.twin.asset), c.version, jsonOf(c.derived));
        return { writeThrough: [], deferred: twins };
      });
    } catch (e) {
      this.evictAll(twins);
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
    this.written(twinKey(site, asset), draft);
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
      this.evictAll([{ site, asset }]);
      throw e;
    }
    if (draft) this.written(twinKey(site, asset), draft);
    return draft;
  }

  /**
   * Writes every dirty twin and every history tail, and moves the checkpoint to the end of the log:
   * afterwards rows and chunks alone hold everything. Returns how many twins were written. Call it
   * before closing the database.
   */
  flush(): number {
    return this.writeBehind(true);
  }

  /**
   * Writes what is due (dirty twins past the flush delay, history tails past their age), as every
   * commit does: for quiet times, when no commit comes along to do it and the log would keep growing
   * behind the checkpoint.
   */
  flushDue(): void {
    if (this.dirty.size === 0 && this.readings.pendingAssets === 0) return;
    this.commitLogged(this.opts.now(), () => ({ writeThrough: [], deferred: [] }));
  }

  /** Twins changed but not yet written to their rows. */
  dirtyCount(): number {
    return this.dirty.size;
  }

  list(f: TwinListFilter): AssetTwin[] {
    // The query reads rows: they must hold the newest state.
    this.writeBehind(false);
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
    return id === undefined ? [] : this.readings.read(id, limit, beforeSeq);
  }

  /** Keys (only) of the twins committed at or after `ts`, epoch ms: no twin is parsed or cached. */
  keysChangedSince(ts: number): Array<{ site: string; asset: string }> {
    this.writeBehind(false);
    return this.stmt.keysChangedSince.all(ts);
  }

  count(): number {
    return this.stmt.countTwins.get()!.n;
  }

  historyCount(site: string, asset: string): number {
    const id = this.assetIds.get(twinKey(site, asset));
    return id === undefined ? 0 : this.readings.count(id);
  }

  /**
   * Applies retention to up to `budget` assets, starting after `cursor` (round robin, so each call is
   * short and the ingest loop is never blocked for long). Keeps at least `maxPerAsset` readings per
   * asset (whole chunks go, so up to a chunk more may stay) and none older than `minTs`. Returns
   * readings deleted and where to continue.
   */
  pruneHistory(maxPerAsset: number, minTs: number, budget: number, cursor: string | undefined): { deleted: number; cursor: string | undefined } {
    const after = cursor === undefined ? 0 : Number(cursor);
    const ids = this.readings.assetIdsAfter(after, budget);
    // Chunks after the checkpoint's tell recovery which logged readings are stored already.
    const keepFrom = this.checkpoint.chunkId;
    let deleted = 0;
    this.readings.beginTransaction();
    let committed = false;
    try {
      this.db.transaction(() => {
        for (const id of ids) deleted += this.readings.prune(id, maxPerAsset, minTs, keepFrom);
      })();
      committed = true;
    } finally {
      this.readings.endTransaction(committed);
    }
    return { deleted, cursor: ids.length < budget ? undefined : String(ids[ids.length - 1]) };
  }

  /**
   * One commit of changes the log can redo: `fill` adds them to the log writer (and history) and
   * names the twins to write now and the ones to mark dirty; then the due dirty twins and history
   * tails are written and the checkpoint moved, all in one transaction.
   */
  private commitLogged(now: number, fill: (logId: number) => { writeThrough: readonly AssetTwin[]; deferred: Iterable<AssetTwin> }): void {
    const logId = this.twinLog.nextId;
    this.writer.reset();
    const written = new Set<string>();
    const newlyDirty: Array<[string, AssetTwin]> = [];
    let plan: FlushPlan = { due: [] };
    let checkpoint = this.checkpoint;
    this.readings.beginTransaction();
    let committed = false;
    try {
      this.transaction(() => {
        const { writeThrough, deferred } = fill(logId);
        if (this.writer.length > 0) this.twinLog.append(this.writer.bytes());
        for (const t of writeThrough) {
          this.writeTwin(t);
          written.add(twinKey(t.site, t.asset));
        }
        for (const t of deferred) {
          const key = twinKey(t.site, t.asset);
          if (!written.has(key) && !this.dirty.has(key)) newlyDirty.push([key, t]);
        }
        plan = this.dirty.plan(now, this.opts, written, newlyDirty.length);
        for (const [, m] of plan.due) this.writeDirty(m.twin);
        this.readings.flushStartedBefore(now - this.opts.historyTailMaxAgeMs, this.opts.maxFlushPerCommit);
        checkpoint = this.nextCheckpoint(plan.oldestLeft ?? (newlyDirty.length > 0 ? logId : undefined));
      });
      committed = true;
    } finally {
      this.readings.endTransaction(committed);
      if (!committed) this.twinLog.rolledBack(logId - 1);
    }
    // New marks carry this commit's log id; a twin already dirty keeps its older mark.
    for (const [key, t] of newlyDirty) this.dirty.mark(key, t, logId, now);
    for (const key of written) this.dirty.clear(key);
    for (const [key] of plan.due) this.dirty.clear(key);
    this.checkpoint = checkpoint;
  }

  /**
   * Inside a commit: the checkpoint after it, stored (and the log behind it trimmed) when it moved.
   * `oldestDirty` is the log id of the oldest twin left dirty.
   */
  private nextCheckpoint(oldestDirty: number | undefined): { logId: number; chunkId: number } {
    const newest = this.twinLog.newestId;
    this.chunkIdAfter.set(newest, this.readings.lastChunkId());
    const tail = this.readings.oldestPendingLogId();
    const oldest = oldestDirty === undefined ? tail : tail === undefined ? oldestDirty : Math.min(oldestDirty, tail);
    const logId = oldest === undefined ? newest : oldest - 1;
    if (logId === this.checkpoint.logId) return this.checkpoint;
    // Chunks written up to the end of commit `logId` hold no reading logged after it.
    let chunkId = this.checkpoint.chunkId;
    for (const [id, c] of this.chunkIdAfter) {
      if (id > logId) break;
      chunkId = c;
      this.chunkIdAfter.delete(id);
    }
    this.stmt.putCheckpoint.run(logId, chunkId);
    this.twinLog.trim(logId);
    return { logId, chunkId };
  }

  /** Writes dirty twins (and, with `all`, history tails) and moves the checkpoint as far as that allows. */
  private writeBehind(all: boolean): number {
    if (this.dirty.size === 0 && (!all || this.readings.pendingAssets === 0) && this.checkpoint.logId === this.twinLog.newestId) return 0;
    const marks = [...this.dirty.entries()];
    let checkpoint = this.checkpoint;
    this.readings.beginTransaction();
    let committed = false;
    try {
      this.transaction(() => {
        for (const [, m] of marks) this.writeDirty(m.twin);
        if (all) this.readings.flushAll();
        checkpoint = this.nextCheckpoint(undefined);
      });
      committed = true;
    } finally {
      this.readings.endTransaction(committed);
    }
    for (const [key] of marks) this.dirty.clear(key);
    this.checkpoint = checkpoint;
    return marks.length;
  }

  /**
   * Writes the twin's whole state: every row write must, so that a row is always the twin as it was
   * at one moment (see the class comment). The caller clears the dirty mark once committed.
   */
  private writeTwin(t: AssetTwin): void {
    this.stmt.upsert.run(
      t.site,
      t.asset,
      t.assetClass,
      this.encodeReported(t),
      jsonOf(t.desired),
      jsonOf(t.derived),
      t.version,
      t.lastSeq,
      t.lastSeenAt,
      t.createdAt,
      t.updatedAt,
    );
  }

  /** Writes a dirty twin: with its class and desired state already in the row, all of it. */
  private writeDirty(t: AssetTwin): void {
    const changed = this.stmt.updateBehind.run(
      this.encodeReported(t),
      jsonOf(t.derived),
      t.version,
      t.lastSeq,
      t.lastSeenAt,
      t.updatedAt,
      t.site,
      t.asset,
    ).changes;
    if (changed === 0) this.writeTwin(t);
  }

  /** After a committed write of the whole twin: it is clean and cached as written. */
  private written(key: string, twin: AssetTwin): void {
    this.dirty.clear(key);
    this.remember(key, twin);
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
   * Applies one log entry to a twin. Both kinds are no-ops on a twin that already holds them: a
   * reading moves only sensors with a lower seq, a prediction applies only to a lower version.
   */
  private redo(twin: AssetTwin, e: TwinLogEntry, now: number): void {
    if (e.kind === TwinLogKind.Reading) {
      applyReading(twin, { site: twin.site, asset: twin.asset, seq: e.seq, ts: e.ts, values: e.values }, now);
    } else if (e.version > twin.version) {
      twin.derived = { ...twin.derived, ...(e.derived as JsonObject) };
      twin.version = e.version;
      twin.updatedAt = now;
    }
  }

  /**
   * Twins as committed: each from its row and the log entries since `sinceLogId` (when it became
   * dirty), in one pass over the log for all of them.
   */
  private rebuild(targets: ReadonlyArray<{ site: string; asset: string; sinceLogId: number }>): AssetTwin[] {
    const now = this.opts.now();
    const byAssetId = new Map<number, { twin: AssetTwin; sinceLogId: number }>();
    const twins = targets.map(({ site, asset, sinceLogId }) => {
      const row = this.stmt.get.get(site, asset);
      const twin = row ? this.rowToTwin(row) : newTwin(site, asset, now);
      const id = this.assetIds.get(twinKey(site, asset));
      if (id !== undefined) byAssetId.set(id, { twin, sinceLogId });
      return twin;
    });
    if (byAssetId.size === 0) return twins;
    let from = Number.POSITIVE_INFINITY;
    for (const t of byAssetId.values()) from = Math.min(from, t.sinceLogId);
    for (const l of this.twinLog.after(from - 1)) {
      for (const e of readTwinLog(l.body, this.sensorSetIndex.namesOf, (id) => byAssetId.has(id))) {
        const t = byAssetId.get(e.assetId)!;
        if (l.id >= t.sinceLogId) this.redo(t.twin, e, now);
      }
    }
    return twins;
  }

  /**
   * After a crash, brings rows and history up to the log: the entries after the checkpoint are
   * applied, in log order, to the twins their rows hold, and their readings appended to history
   * (skipping what a chunk written since holds); then everything is written and the checkpoint
   * moved to the end of the log, in one transaction.
   */
  private recover(): void {
    const from = this.checkpoint.logId;
    if (this.twinLog.newestId <= from) return;
    const now = this.opts.now();
    const chunked = this.readings.chunkedLogIdsAfter(this.checkpoint.chunkId);
    const twins = new Map<number, AssetTwin>();
    const lookup = (id: number): AssetTwin | undefined => {
      let t = twins.get(id);
      if (!t) {
        const key = this.assetKeys.get(id);
        if (!key) return undefined;
        const row = this.stmt.get.get(key[0], key[1]);
        twins.set(id, (t = row ? this.rowToTwin(row) : newTwin(key[0], key[1], now)));
      }
      return t;
    };
    let entries = 0;
    this.readings.beginTransaction();
    let committed = false;
    try {
      this.transaction(() => {
        for (const l of this.twinLog.after(from)) {
          for (const e of readTwinLog(l.body, this.sensorSetIndex.namesOf)) {
            const twin = lookup(e.assetId);
            if (!twin) continue;
            this.redo(twin, e, now);
            // Earlier entries of an asset whose chunk came from entry L are all in chunks; of L itself,
            // only the readings before the chunk was cut, so those are looked up.
            if (e.kind === TwinLogKind.Reading && l.id >= (chunked.get(e.assetId) ?? 0)) {
              this.readings.append(e.assetId, e.seq, e.ts, e.record, l.id, now);
            }
            entries++;
          }
        }
        for (const t of twins.values()) this.writeTwin(t);
        this.readings.flushAll();
        this.chunkIdAfter.clear();
        this.checkpoint = this.nextCheckpoint(undefined);
      });
      committed = true;
    } finally {
      this.readings.endTransaction(committed);
    }
    this.log.log(`replayed ${entries} logged changes after checkpoint ${from} into ${twins.size} twins`);
  }

  private evictAll(items: Iterable<{ site: string; asset: string }>): void {
    // The cache already holds the applied state; drop it so that it is reloaded as committed. Dirty
    // twins are rebuilt at once, all in one pass over the log (a failed commit may touch thousands).
    const dirty: Array<{ site: string; asset: string; mark: DirtyMark }> = [];
    const seen = new Set<string>();
    for (const { site, asset } of items) {
      const key = twinKey(site, asset);
      if (seen.has(key)) continue;
      seen.add(key);
      this.cache.delete(key);
      const mark = this.dirty.get(key);
      if (mark) dirty.push({ site, asset, mark });
    }
    if (dirty.length === 0) return;
    try {
      const twins = this.rebuild(dirty.map(({ site, asset, mark }) => ({ site, asset, sinceLogId: mark.sinceLogId })));
      dirty.forEach((d, i) => (d.mark.twin = twins[i]));
    } catch (rebuildError) {
      // The twins could not be read back; the commit's own error is the one to report. The changes
      // are redelivered, and a restart applies the log in any case.
      this.log.error(`${dirty.length} dirty twins not rebuilt after a failed commit: ${(rebuildError as Error).message}`);
    }
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

  /** The asset's small integer id, allocated (inside the caller's transaction) when first needed. */
  private assetId(site: string, asset: string): number {
    return this.assetIdOf(twinKey(site, asset), site, asset);
  }

  private assetIdOf(key: string, site: string, asset: string): number {
    let id = this.assetIds.get(key);
    if (id === undefined) {
      id = ++this.lastAssetId;
      this.stmt.insertAssetKey.run(id, site, asset);
      this.assetIds.set(key, id);
      this.assetKeys.set(id, [site, asset]);
    }
    return id;
  }

  /** Drops asset ids a rolled-back transaction inserted: they are handed out again. */
  private forgetAssetIdsAfter(last: number): void {
    if (this.lastAssetId === last) return;
    for (const [key, id] of this.assetIds) {
      if (id <= last) continue;
      this.assetIds.delete(key);
      this.assetKeys.delete(id);
    }
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
    for (const k of this.db.prepare<[], { id: number; site: string; asset: string }>('SELECT id, site, asset FROM asset_key').iterate()) {
      this.assetIds.set(twinKey(k.site, k.asset), k.id);
      this.assetKeys.set(k.id, [k.site, k.asset]);
      if (k.id > this.lastAssetId) this.lastAssetId = k.id;
    }
  }
}
