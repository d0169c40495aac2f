import { join } from 'node:path';
import type { PredictionV1, Reading } from '@millwright/contracts';
import { makeTempDir, type TempDir } from '@millwright/testing';
import { applyPrediction } from '@millwright/twin-domain';
import { DataSource } from 'typeorm';
import { nativeConnection, openTwinDatabase, twinDataSourceOptions, TWIN_MIGRATIONS } from './sqlite.data-source';
import { StaleVersionError, TwinSqliteStore, type TwinStoreOptions } from './twin.sqlite-store';

const T0 = 1_764_000_000_000;
const r = (asset: string, seq: number, values: Record<string, number>): Reading => ({ site: 's1', asset, seq, ts: T0 + seq * 1000, values });
/** Rows written behind: nothing is due for an hour. */
const BEHIND = { flushDelayMs: 3_600_000 };
const FLEET = Array.from({ length: 8 }, (_, i) => `m${i}`);

/**
 * Batch k of a small fleet: three readings per asset with changing sensor sets, a late reading that
 * fills a sensor no newer one set (logged), and from the third batch on a gateway that reuses an
 * old seq for another sensor (refused by the log, moves the twin).
 */
function fleetBatch(k: number): Reading[] {
  const out: Reading[] = [];
  FLEET.forEach((asset, i) => {
    for (let j = 0; j < 3; j++) {
      const seq = k * 10 + j + 1;
      out.push(r(asset, seq, j === 1 ? { T50: seq + i, P30: i + 0.5 } : { T50: seq * 2 + i, [`x${(seq + i) % 3}`]: seq / 4 }));
    }
    if (k > 0 && i % 2 === 0) out.push(r(asset, k * 10 - 5, { late: k + i }));
    if (k > 1 && i % 3 === 1) out.push(r(asset, k * 10 - 8, { reused: k * i }));
    // A sensor only this batch sets: a row that missed it would show.
    if (k === 1 && i % 3 !== 1) out.push(r(asset, 14, { once: i }));
  });
  if (k === 3) out.push({ ...r('m5', 39, { T50: 1 }), assetClass: 'pump' });
  return out;
}

/** What a twin is, all but its updatedAt (replay stamps the time it ran). */
function snapshot(store: TwinSqliteStore, assets: readonly string[] = FLEET) {
  return assets.map((a) => {
    const t = store.get('s1', a);
    if (!t) return undefined;
    const { updatedAt: _, ...rest } = structuredClone(t);
    return { ...rest, historyCount: store.historyCount('s1', a) };
  });
}

const prediction = (asset: string, basedOnSeq: number): PredictionV1 => ({ site: 's1', asset, status: 'ok', rul: 90 - basedOnSeq, failureRisk: 0.1, health: 'ok', modelVersion: 'm1', at: T0 + basedOnSeq, basedOnSeq });

describe('TwinSqliteStore on a real SQLite file', () => {
  let dir: TempDir;
  let closers: Array<() => Promise<unknown>> = [];
  beforeEach(() => (dir = makeTempDir('mw-store-')));
  afterEach(async () => {
    for (const c of closers) await c();
    closers = [];
    dir.remove();
  });

  async function open(cacheSize = 100, opts: Partial<TwinStoreOptions> = {}, file = 'twins.db') {
    const { dataSource, db } = await openTwinDatabase({ path: join(dir.path, file), synchronous: 'full' });
    closers.push(() => (dataSource.isInitialized ? dataSource.destroy() : Promise.resolve()));
    // Closing without flush() is what a kill -9 leaves: committed transactions only.
    return { store: new TwinSqliteStore(db, { cacheSize, ...opts }), db, close: () => dataSource.destroy() };
  }

  function ingest(store: TwinSqliteStore, readings: Reading[], now = T0) {
    return store.commitTelemetry(now, (batch) => {
      for (const x of readings) batch.add(x);
    });
  }

  it('keeps twins and history across a reopen, with exact values', async () => {
    const a = await open();
    ingest(a.store, [r('e1', 1, { T50: 1400.25, P30: 553.1 }), r('e1', 2, { T50: 1401.5, P30: 553.9 }), r('e2', 1, { T50: 1399 })]);
    await a.close();
    closers = [];

    const b = await open();
    const e1 = b.store.get('s1', 'e1')!;
    expect(e1.version).toBe(2);
    expect(e1.lastSeq).toBe(2);
    expect(e1.reported.T50).toEqual({ v: 1401.5, ts: T0 + 2000, seq: 2 });
    expect(b.store.history('s1', 'e1', 10)).toEqual([
      { seq: 1, ts: T0 + 1000, values: { T50: 1400.25, P30: 553.1 } },
      { seq: 2, ts: T0 + 2000, values: { T50: 1401.5, P30: 553.9 } },
    ]);
    expect(b.store.historyCount('s1', 'e1')).toBe(2);
    expect(b.store.count()).toBe(2);
  });

  it('stores a redelivered batch once', async () => {
    const { store } = await open();
    const batch = [r('e1', 1, { T50: 1 }), r('e1', 2, { T50: 2 })];
    expect(ingest(store, batch).historyInserted).toBe(2);
    expect(ingest(store, batch).historyInserted).toBe(0);
    expect(store.get('s1', 'e1')!.version).toBe(2);
    expect(store.history('s1', 'e1', 10)).toHaveLength(2);
  });

  it('rolls a failed commit back and reloads the committed twin', async () => {
    const a = await open();
    ingest(a.store, [r('e1', 1, { T50: 1 })]);
    a.db.exec(`CREATE TRIGGER fail_next BEFORE INSERT ON twin_log BEGIN SELECT RAISE(ABORT, 'disk full'); END`);
    // e9 is new: its asset id and the new sensor set are allocated inside the failing transaction.
    expect(() => ingest(a.store, [r('e1', 2, { T50: 2, P30: 3 }), r('e9', 1, { T50: 9, P30: 9 })])).toThrow('disk full');
    a.db.exec('DROP TRIGGER fail_next');
    const t = a.store.get('s1', 'e1')!;
    expect(t.version).toBe(1);
    expect(t.reported.T50.v).toBe(1);
    expect(a.store.historyCount('s1', 'e1')).toBe(1);
    expect(a.store.get('s1', 'e9')).toBeUndefined();
    // The redelivered readings then apply normally, the new sensor set and asset ids included.
    ingest(a.store, [r('e1', 2, { T50: 2, P30: 3 }), r('e9', 1, { T50: 9, P30: 9 }), r('e10', 1, { T50: 10 })]);
    expect(a.store.get('s1', 'e1')!.reported.T50.v).toBe(2);
    await a.close();
    closers = [];

    const b = await open();
    expect(b.store.history('s1', 'e1', 10).map((h) => h.values)).toEqual([{ T50: 1 }, { T50: 2, P30: 3 }]);
    expect(b.store.historyCount('s1', 'e1')).toBe(2);
    expect(b.store.history('s1', 'e9', 10).map((h) => h.values)).toEqual([{ T50: 9, P30: 9 }]);
    expect(b.store.history('s1', 'e10', 10).map((h) => h.values)).toEqual([{ T50: 10 }]);
    expect(b.store.get('s1', 'e9')!.reported.P30.v).toBe(9);
  });

  it('counts history that did not move a twin, even one no longer cached', async () => {
    const a = await open(1);
    ingest(a.store, [r('e1', 2, { T50: 2 })]);
    // e1's late reading only adds history; looking up e2 afterwards evicts e1 from the cache.
    ingest(a.store, [r('e1', 1, { T50: 1 }), r('e2', 1, { T50: 1 })]);
    expect(a.store.historyCount('s1', 'e1')).toBe(2);
    await a.close();
    closers = [];

    const b = await open();
    expect(b.store.historyCount('s1', 'e1')).toBe(2);
    expect(b.store.get('s1', 'e1')!.version).toBe(1);
  });

  it('names the twins committed since a time, without loading them', async () => {
    const { store } = await open();
    ingest(store, [r('e1', 1, { T50: 1 }), r('e2', 1, { T50: 1 })]);
    store.update('s1', 'e2', undefined, (d) => (d.desired = { rpm: 1 }), T0 + 60_000);
    expect(store.keysChangedSince(T0 + 1)).toEqual([{ site: 's1', asset: 'e2' }]);
    expect(store.keysChangedSince(T0).map((k) => k.asset).sort()).toEqual(['e1', 'e2']);
  });

  it('refuses an update made against a stale version', async () => {
    const { store } = await open();
    ingest(store, [r('e1', 1, { T50: 1 })]);
    const next = store.update('s1', 'e1', 1, (d) => (d.desired = { rpm: 10 }), T0);
    expect(next.version).toBe(2);
    expect(() => store.update('s1', 'e1', 1, (d) => (d.desired = { rpm: 20 }), T0)).toThrow(StaleVersionError);
    expect(store.get('s1', 'e1')!.desired).toEqual({ rpm: 10 });
  });

  it('prunes history by count and by age, whole chunks, a few assets per call', async () => {
    const { store } = await open(100, { historyChunkSize: 5 });
    for (const asset of ['a', 'b', 'c']) ingest(store, Array.from({ length: 20 }, (_, i) => r(asset, i + 1, { x: i })));
    let cursor: string | undefined;
    let deleted = 0;
    let calls = 0;
    do {
      const res = store.pruneHistory(5, T0 + 3_500, 2, cursor);
      deleted += res.deleted;
      cursor = res.cursor;
      calls++;
    } while (cursor !== undefined);
    expect(calls).toBe(2);
    expect(deleted).toBe(45);
    expect(store.history('s1', 'a', 100).map((h) => h.seq)).toEqual([16, 17, 18, 19, 20]);
    expect(store.historyCount('s1', 'b')).toBe(5);
    // By age a chunk goes once its newest reading is too old.
    expect(store.pruneHistory(5, T0 + 20_000, 10, undefined).deleted).toBe(0);
    expect(store.pruneHistory(5, T0 + 20_001, 10, undefined).deleted).toBe(15);
    expect(store.history('s1', 'c', 100)).toEqual([]);
  });

  it('lists twins by filter with keyset paging', async () => {
    const { store } = await open();
    ingest(store, ['e1', 'e2', 'e3', 'p1'].map((a, i) => ({ ...r(a, 1, { x: 1 }), ts: T0 + i, assetClass: a.startsWith('e') ? 'turbofan' : 'pump' })));
    const page1 = store.list({ assetClass: 'turbofan', limit: 2 });
    expect(page1.map((t) => t.asset)).toEqual(['e1', 'e2']);
    const page2 = store.list({ assetClass: 'turbofan', limit: 2, after: 's1/e2' });
    expect(page2.map((t) => t.asset)).toEqual(['e3']);
    expect(store.list({ assetPrefix: 'p', limit: 10 }).map((t) => t.asset)).toEqual(['p1']);
    expect(store.list({ seenBefore: T0 + 2, limit: 10 }).map((t) => t.asset)).toEqual(['e1', 'e2']);
  });

  it('carries history and twins written by the previous schema (per-asset rows, JSON reported) over to the log', async () => {
    const path = join(dir.path, 'twins.db');
    // The database as the release before the reading log left it: first two migrations only.
    const old = await new DataSource({ ...twinDataSourceOptions({ path, synchronous: 'full' }), migrations: TWIN_MIGRATIONS.slice(0, 2) } as never).initialize();
    const raw = nativeConnection(old);
    raw.prepare('INSERT INTO sensor_set (id, names) VALUES (1, ?)').run('T50,P30');
    raw.prepare(`INSERT INTO asset_twin (site, asset, reported, version, last_seq, last_seen_at, history_count, created_at, updated_at)
      VALUES ('s1', 'e1', '{"T50":[1401.5,${T0 + 2000},2],"P30":[553.9,${T0 + 2000},2]}', 2, 2, ${T0 + 2000}, 2, ${T0}, ${T0})`).run();
    const vals = (a: number, b: number) => {
      const buf = Buffer.alloc(16);
      buf.writeDoubleLE(a, 0);
      buf.writeDoubleLE(b, 8);
      return buf;
    };
    const insert = raw.prepare('INSERT INTO reading_history (site, asset, seq, ts, sensor_set, vals) VALUES (?, ?, ?, ?, 1, ?)');
    insert.run('s1', 'e1', 2, T0 + 2000, vals(1401.5, 553.9));
    insert.run('s1', 'e1', 1, T0 + 1000, vals(1400.25, 553.1));
    await old.destroy();

    const b = await open();
    expect(b.store.get('s1', 'e1')!.reported.T50).toEqual({ v: 1401.5, ts: T0 + 2000, seq: 2 });
    expect(b.store.history('s1', 'e1', 10).map((p) => [p.seq, p.values.T50, p.values.P30])).toEqual([
      [1, 1400.25, 553.1],
      [2, 1401.5, 553.9],
    ]);
    // New readings append to the carried-over history and a duplicate of an old one is still refused.
    const { historyInserted } = ingest(b.store, [r('e1', 1, { T50: 1, P30: 1 }), r('e1', 3, { T50: 1402, P30: 554 })]);
    expect(historyInserted).toBe(1);
    expect(b.store.historyCount('s1', 'e1')).toBe(3);
    expect(b.store.get('s1', 'e1')!.reported.T50.v).toBe(1402);
  });

  it('undoes the reading log: history back in per-asset rows, reported state back to the JSON text the release before reads', async () => {
    const { dataSource, db } = await openTwinDatabase({ path: join(dir.path, 'twins.db'), synchronous: 'full' });
    closers.push(() => dataSource.destroy());
    const store = new TwinSqliteStore(db);
    ingest(store, [r('e1', 1, { T50: 1400.25, P30: 553.1 }), r('e1', 2, { T50: 1401.5 })]);
    store.flush();
    await dataSource.undoLastMigration(); // twin log and chunks
    await dataSource.undoLastMigration(); // the twin checkpoint
    await dataSource.undoLastMigration();

    const row = db.prepare(`SELECT reported FROM asset_twin WHERE asset = 'e1'`).get() as { reported: unknown };
    expect(JSON.parse(row.reported as string)).toEqual({ T50: [1401.5, T0 + 2000, 2], P30: [553.1, T0 + 1000, 1] });
    expect(db.prepare('SELECT seq FROM reading_history ORDER BY seq').all()).toEqual([{ seq: 1 }, { seq: 2 }]);
  });

  describe('rows and history written behind the twin log', () => {
    it('gives every twin back exactly after a crash that left rows behind, and goes on as a store that never crashed', async () => {
      const a = await open(100, BEHIND);
      const ref = await open(100, { flushDelayMs: 0 }, 'ref.db');
      let now = T0;
      const both = (fn: (s: TwinSqliteStore) => void) => {
        now += 1000;
        fn(a.store);
        fn(ref.store);
      };
      both((s) => ingest(s, fleetBatch(0), now));
      both((s) => ingest(s, fleetBatch(1), now));
      // m0, m2 and m3 are dirty and no reading refused by the log writes them meanwhile.
      both((s) => {
        // Two predictions for one twin in one commit, each logged as the fields it set.
        const t = s.get('s1', 'm0')!;
        const first = applyPrediction(t, prediction('m0', 12), now)!;
        const v1 = t.version;
        const second = applyPrediction(t, prediction('m0', 13), now)!;
        s.commitDerived([
          { twin: t, version: v1, derived: first },
          { twin: t, version: t.version, derived: second },
        ]);
      });
      both((s) => ingest(s, fleetBatch(2), now));
      both((s) => s.update('s1', 'm2', undefined, (d) => (d.desired = { rpm: 1200 }), now));
      both((s) => s.commitCentralDesired('s1', 'm3', { mode: 'eco' }, 4, { mode: 'eco' }, now));
      both((s) => ingest(s, fleetBatch(3), now));
      both((s) => ingest(s, fleetBatch(4), now));
      expect(a.store.dirtyCount()).toBeGreaterThanOrEqual(4);

      const before = snapshot(a.store);
      expect(before).toEqual(snapshot(ref.store));
      expect(before[0]!.derived).toMatchObject({ prediction: { basedOnSeq: 13 } });
      expect(before[5]!.assetClass).toBe('pump');
      await a.close();

      const b = await open(100, BEHIND);
      expect(snapshot(b.store)).toEqual(before);
      // The rows themselves caught up: a SQL read sees the same twins.
      expect(b.store.dirtyCount()).toBe(0);
      const rows = b.store.list({ limit: 100 }).map((t) => ({ asset: t.asset, version: t.version, reported: t.reported, desired: t.desired, derived: t.derived }));
      expect(rows).toEqual(before.map((t) => ({ asset: t!.asset, version: t!.version, reported: t!.reported, desired: t!.desired, derived: t!.derived })));

      // The last batch is redelivered (it was never acked), then the fleet goes on; a second crash.
      now += 1000;
      ingest(b.store, fleetBatch(4), now);
      ingest(ref.store, fleetBatch(4), now);
      now += 1000;
      ingest(b.store, fleetBatch(5), now);
      ingest(ref.store, fleetBatch(5), now);
      expect(snapshot(b.store)).toEqual(snapshot(ref.store));
      await b.close();
      const c = await open(100, BEHIND);
      expect(snapshot(c.store)).toEqual(snapshot(ref.store));
      for (const asset of FLEET) expect(c.store.history('s1', asset, 1000)).toEqual(ref.store.history('s1', asset, 1000));
    });

    it('keeps a reading that reuses a seq for other sensors through a crash: history has the first, the twin both', async () => {
      const a = await open(100, BEHIND);
      ingest(a.store, [r('e1', 1, { T50: 1 })]);
      ingest(a.store, [r('e1', 2, { T50: 2 })]);
      expect(a.store.dirtyCount()).toBe(1);
      // A gateway reusing seq 2 for another sensor: history keeps the first reading with that seq only.
      expect(ingest(a.store, [r('e1', 2, { P30: 7 })]).historyInserted).toBe(0);
      // Within one batch too.
      ingest(a.store, [r('e1', 3, { T50: 3 }), r('e1', 3, { N1: 9 })]);
      expect(a.store.dirtyCount()).toBe(1);
      const before = snapshot(a.store, ['e1']);
      await a.close();

      const b = await open(100, BEHIND);
      expect(snapshot(b.store, ['e1'])).toEqual(before);
      expect(b.store.get('s1', 'e1')).toMatchObject({ version: 5, lastSeq: 3, reported: { T50: { v: 3 }, P30: { v: 7, seq: 2 }, N1: { v: 9, seq: 3 } } });
      expect(b.store.history('s1', 'e1', 10).map((h) => h.values)).toEqual([{ T50: 1 }, { T50: 2 }, { T50: 3 }]);
    });

    it('lets list and keysChangedSince see the newest state of dirty twins', async () => {
      const { store } = await open(100, BEHIND);
      ingest(store, [r('e1', 1, { T50: 1 }), r('e2', 1, { T50: 1 })], T0);
      ingest(store, [r('e1', 2, { T50: 5 })], T0 + 60_000);
      expect(store.dirtyCount()).toBe(1);
      expect(store.keysChangedSince(T0 + 1)).toEqual([{ site: 's1', asset: 'e1' }]);
      ingest(store, [r('e2', 3, { T50: 6 })], T0 + 120_000);
      expect(store.list({ seenSince: T0 + 2000, limit: 10 }).map((t) => [t.asset, t.version, t.reported.T50.v])).toEqual([
        ['e1', 2, 5],
        ['e2', 2, 6],
      ]);
      expect(store.dirtyCount()).toBe(0);

      // Every other write of a dirty twin writes all of it and takes it off the dirty list.
      ingest(store, [r('e1', 4, { T50: 7 }), r('e2', 4, { T50: 7 })], T0 + 180_000);
      store.update('s1', 'e1', undefined, (d) => (d.desired = { rpm: 1 }), T0 + 180_000);
      store.commitCentralDesired('s1', 'e2', { rpm: 2 }, 1, { rpm: 2 }, T0 + 180_000);
      expect(store.dirtyCount()).toBe(0);
      expect(store.list({ limit: 10 }).map((t) => [t.asset, t.version, t.reported.T50.v, t.desired])).toEqual([
        ['e1', 4, 7, { rpm: 1 }],
        ['e2', 4, 7, { rpm: 2 }],
      ]);
    });

    it('keeps a dirty twin in memory when the cache is full, and rebuilds it when a failed commit evicts it', async () => {
      const a = await open(1, BEHIND);
      ingest(a.store, [r('e1', 1, { T50: 1 }), r('e2', 1, { T50: 1 })]);
      ingest(a.store, [r('e1', 2, { T50: 2 }), r('e2', 2, { T50: 2 })]);
      ingest(a.store, [r('e3', 1, { T50: 3 })]);
      // The cache holds one twin; the other two are dirty and their rows are at version 1.
      expect(a.store.get('s1', 'e1')).toMatchObject({ version: 2, reported: { T50: { v: 2 } } });
      expect(a.store.get('s1', 'e2')).toMatchObject({ version: 2, reported: { T50: { v: 2 } } });

      a.db.exec(`CREATE TRIGGER fail_next BEFORE INSERT ON twin_log BEGIN SELECT RAISE(ABORT, 'disk full'); END`);
      // Both dirty twins in the failed commit: both rebuilt from their rows and the log, in one pass.
      expect(() => ingest(a.store, [r('e1', 3, { T50: 3, P30: 1 }), r('e2', 3, { T50: 7 })])).toThrow('disk full');
      a.db.exec('DROP TRIGGER fail_next');
      expect(a.store.get('s1', 'e1')).toMatchObject({ version: 2, lastSeq: 2, reported: { T50: { v: 2 } } });
      expect(a.store.get('s1', 'e1')!.reported.P30).toBeUndefined();
      expect(a.store.get('s1', 'e2')).toMatchObject({ version: 2, lastSeq: 2, reported: { T50: { v: 2 } } });
      ingest(a.store, [r('e1', 3, { T50: 3, P30: 1 })]);
      const before = snapshot(a.store, ['e1', 'e2', 'e3']);
      await a.close();

      const b = await open(1, BEHIND);
      expect(snapshot(b.store, ['e1', 'e2', 'e3'])).toEqual(before);
      expect(before[0]).toMatchObject({ version: 3, historyCount: 3 });
    });

    it('writes dirty twins once older than the flush delay and stores the checkpoint only when it moves', async () => {
      let now = T0;
      // History tails go to chunks at every commit here: the checkpoint follows the dirty twins alone.
      const { store, db } = await open(100, { flushDelayMs: 1000, historyTailMaxAgeMs: 0, now: () => now });
      const checkpoint = () => (db.prepare('SELECT log_id FROM twin_checkpoint').get() as { log_id: number }).log_id;
      const rowVersion = (asset: string) => (db.prepare('SELECT version FROM asset_twin WHERE asset = ?').get(asset) as { version: number }).version;
      const logged = () => (db.prepare('SELECT count(*) AS n FROM twin_log').get() as { n: number }).n;
      ingest(store, [r('e1', 1, { T50: 1 }), r('e2', 1, { T50: 1 })]); // log id 1: new twins, written at once
      expect(checkpoint()).toBe(1);
      db.exec(`CREATE TABLE checkpoint_writes (n integer);
        CREATE TRIGGER count_checkpoint_writes AFTER UPDATE ON twin_checkpoint BEGIN INSERT INTO checkpoint_writes VALUES (1); END`);
      ingest(store, [r('e1', 2, { T50: 2 })]); // log id 2: e1 dirty since 2
      now += 500;
      ingest(store, [r('e2', 2, { T50: 2 }), r('e1', 3, { T50: 3 })]); // log id 3: e2 dirty since 3
      expect([rowVersion('e1'), rowVersion('e2'), store.dirtyCount(), checkpoint(), logged()]).toEqual([1, 1, 2, 1, 2]);
      expect(db.prepare('SELECT count(*) AS n FROM checkpoint_writes').get()).toEqual({ n: 0 });

      now += 600; // e1 has been dirty for 1.1 s, e2 for 0.6 s
      ingest(store, [r('e3', 1, { T50: 1 })]); // log id 4
      expect([rowVersion('e1'), rowVersion('e2'), store.dirtyCount(), checkpoint()]).toEqual([3, 1, 1, 2]);
      now += 1000;
      ingest(store, [r('e3', 1, { T50: 1 })]); // a duplicate, logged all the same (log id 5); the commit writes what is due
      expect([rowVersion('e2'), store.dirtyCount(), checkpoint()]).toEqual([2, 0, 5]);
      expect(db.prepare('SELECT count(*) AS n FROM checkpoint_writes').get()).toEqual({ n: 2 });
      // The log behind the checkpoint is gone.
      expect(logged()).toBe(0);
    });

    it('writes what is due without a commit to carry it, so a quiet store does not keep its log', async () => {
      let now = T0;
      const { store, db } = await open(100, { flushDelayMs: 1000, historyTailMaxAgeMs: 2000, now: () => now });
      ingest(store, [r('e1', 1, { T50: 1 })]);
      ingest(store, [r('e1', 2, { T50: 2 })]); // e1 dirty, both readings in its history tail
      const state = () => ({
        dirty: store.dirtyCount(),
        log: (db.prepare('SELECT count(*) AS n FROM twin_log').get() as { n: number }).n,
        chunks: (db.prepare('SELECT count(*) AS n FROM reading_chunk').get() as { n: number }).n,
      });
      store.flushDue();
      expect(state()).toEqual({ dirty: 1, log: 2, chunks: 0 });
      now += 1500;
      store.flushDue(); // the twin is due, the tail not yet
      expect(state()).toEqual({ dirty: 0, log: 2, chunks: 0 });
      now += 1000;
      store.flushDue();
      expect(state()).toEqual({ dirty: 0, log: 0, chunks: 1 });
      expect(store.history('s1', 'e1', 10).map((h) => h.seq)).toEqual([1, 2]);
    });

    it('writes more than the due twins while too many are dirty, a bounded number per commit', async () => {
      const { store } = await open(100, { ...BEHIND, maxDirty: 3, maxFlushPerCommit: 2 });
      const assets = ['a', 'b', 'c', 'd', 'e', 'f'];
      ingest(store, assets.map((a) => r(a, 1, { T50: 1 })));
      ingest(store, assets.map((a) => r(a, 2, { T50: 2 })));
      expect(store.dirtyCount()).toBe(6);
      ingest(store, [r('a', 3, { T50: 3 })]);
      expect(store.dirtyCount()).toBe(4);
      ingest(store, [r('a', 4, { T50: 4 })]);
      expect(store.dirtyCount()).toBe(3);
      expect(store.flush()).toBe(3);
      expect(store.dirtyCount()).toBe(0);
    });

    it('keeps history chunks that recovery still counts on, and keeps the log until tails are chunks', async () => {
      let now = T0;
      const a = await open(100, { ...BEHIND, historyChunkSize: 4, historyTailMaxAgeMs: 1000, now: () => now });
      const each = (seqs: number[]) => ['a', 'b', 'c'].flatMap((asset) => seqs.map((seq) => r(asset, seq, { T50: seq })));
      const cp = () => a.db.prepare('SELECT log_id, chunk_id FROM twin_checkpoint').get() as { log_id: number; chunk_id: number };
      ingest(a.store, each([1, 2, 3, 4, 5])); // log 1: a chunk (1-4) and a tail (5) per asset
      // The tails hold the checkpoint before log 1, and with it every chunk.
      expect(cp()).toEqual({ log_id: 0, chunk_id: 0 });
      expect(a.store.pruneHistory(1, T0 + 1e9, 10, undefined).deleted).toBe(0);
      ingest(a.store, each([6, 7, 8, 9, 10])); // log 2: chunks (5-8), tails (9, 10), the twins dirty
      expect(cp()).toEqual({ log_id: 1, chunk_id: 3 });
      // Chunks cut by log 1 may go; later ones name readings recovery would otherwise look up.
      expect(a.store.pruneHistory(1, T0 + 1e9, 10, undefined).deleted).toBe(12);
      now += 1500; // the tails are due; the dirty twins are not
      ingest(a.store, each([11])); // log 3: tails (9, 10, 11) chunked
      expect(cp()).toEqual({ log_id: 1, chunk_id: 3 });
      expect(a.store.pruneHistory(1, T0 + 1e9, 10, undefined).deleted).toBe(0);
      expect(a.store.history('s1', 'c', 100).map((h) => h.seq)).toEqual([5, 6, 7, 8, 9, 10, 11]);
      const before = snapshot(a.store, ['a', 'b', 'c']);
      expect(before[2]).toMatchObject({ version: 11, historyCount: 7 });
      await a.close();

      const b = await open(100, BEHIND);
      expect(snapshot(b.store, ['a', 'b', 'c'])).toEqual(before);
      // Once rows and chunks hold everything, retention may take all it wants.
      expect(b.store.pruneHistory(1, T0 + 1e9, 10, undefined).deleted).toBe(21);
    });

    it('undoes the twin log after a clean stop, and refuses while the log holds what rows and history lack', async () => {
      const a = await open(100, BEHIND);
      ingest(a.store, [r('e1', 1, { T50: 1 })]);
      ingest(a.store, [r('e1', 2, { T50: 2, P30: 3 })]);
      await a.close(); // a crash: e1's row is still at version 1, seq 2 only in the log

      const { dataSource, db } = await openTwinDatabase({ path: join(dir.path, 'twins.db'), synchronous: 'full' });
      closers.push(() => dataSource.destroy());
      await expect(dataSource.undoLastMigration()).rejects.toThrow(/start and stop this release once/);
      // A start (which applies the log) and a clean stop.
      new TwinSqliteStore(db, BEHIND).flush();
      await dataSource.undoLastMigration(); // twin log and chunks
      expect(db.prepare(`SELECT version, last_seq, history_count FROM asset_twin WHERE asset = 'e1'`).get()).toEqual({ version: 2, last_seq: 2, history_count: 2 });
      expect(db.prepare('SELECT seq FROM reading_log ORDER BY seq').all()).toEqual([{ seq: 1 }, { seq: 2 }]);
      expect(db.prepare('SELECT log_id FROM twin_checkpoint').get()).toEqual({ log_id: 2 });
      await dataSource.undoLastMigration(); // the checkpoint: nothing behind it
      expect(db.prepare(`SELECT name FROM sqlite_master WHERE name = 'twin_checkpoint'`).all()).toEqual([]);
      // And up again: history back in chunks.
      await dataSource.runMigrations();
      expect(new TwinSqliteStore(db).history('s1', 'e1', 10).map((h) => h.values)).toEqual([{ T50: 1 }, { T50: 2, P30: 3 }]);
    });

    it('takes readings the reading-log release had not yet written to rows into the twin log, and applies them on start', async () => {
      const path = join(dir.path, 'twins.db');
      const old = await new DataSource({ ...twinDataSourceOptions({ path, synchronous: 'full' }), migrations: TWIN_MIGRATIONS.slice(0, 4) } as never).initialize();
      const raw = nativeConnection(old);
      raw.prepare('INSERT INTO sensor_set (id, names) VALUES (1, ?)').run('T50');
      raw.prepare(`INSERT INTO asset_key (id, site, asset) VALUES (1, 's1', 'e1')`).run();
      raw.prepare(`INSERT INTO asset_twin (site, asset, reported, version, last_seq, last_seen_at, history_count, created_at, updated_at)
        VALUES ('s1', 'e1', '{}', 0, -1, NULL, 0, ${T0}, ${T0})`).run();
      const insert = raw.prepare('INSERT INTO reading_log (id, asset_id, seq, ts, sensor_set, vals) VALUES (?, 1, ?, ?, 1, ?)');
      const v = (x: number) => {
        const b = Buffer.alloc(8);
        b.writeDoubleLE(x, 0);
        return b;
      };
      // Twenty readings, in chunks of eight; the last one logged but not yet in the row (checkpoint 19).
      for (let seq = 1; seq <= 20; seq++) insert.run(seq, seq, T0 + seq * 1000, v(seq));
      raw.prepare(`UPDATE asset_twin SET reported = '{"T50":[19,${T0 + 19_000},19]}', version = 19, last_seq = 19, history_count = 20`).run();
      raw.prepare('UPDATE twin_checkpoint SET log_id = 19').run();
      await old.destroy();

      const b = await open();
      expect(b.store.get('s1', 'e1')).toMatchObject({ version: 20, lastSeq: 20, reported: { T50: { v: 20, seq: 20 } } });
      expect(b.store.history('s1', 'e1', 100).map((h) => [h.seq, h.values.T50])).toEqual(Array.from({ length: 20 }, (_, i) => [i + 1, i + 1]));
      expect(b.store.historyCount('s1', 'e1')).toBe(20);
      expect(b.db.prepare('SELECT count, first_seq, last_seq FROM reading_chunk ORDER BY id').all()).toEqual([
        { count: 8, first_seq: 1, last_seq: 8 },
        { count: 8, first_seq: 9, last_seq: 16 },
        { count: 4, first_seq: 17, last_seq: 20 },
      ]);
    });
  });
});
