import { join } from 'node:path';
import type { Reading } from '@millwright/contracts';
import { makeTempDir, type TempDir } from '@millwright/testing';
import { applyReadings } from '@millwright/twin-domain';
import { DataSource } from 'typeorm';
import { nativeConnection, openTwinDatabase, twinDataSourceOptions, TWIN_MIGRATIONS } from './sqlite.data-source';
import { StaleVersionError, TwinSqliteStore } from './twin.sqlite-store';

const T0 = 1_764_000_000_000;
const r = (asset: string, seq: number, values: Record<string, number>): Reading => ({ site: 's1', asset, seq, ts: T0 + seq * 1000, values });

describe('TwinSqliteStore on a real SQLite file', () => {
  let dir: TempDir;
  let closers: Array<() => Promise<unknown>> = [];
  beforeEach(() => (dir = makeTempDir('mw-store-')));
  afterEach(async () => {
    for (const c of closers) await c();
    closers = [];
    dir.remove();
  });

  async function open(cacheSize = 100) {
    const { dataSource, db } = await openTwinDatabase({ path: join(dir.path, 'twins.db'), synchronous: 'full' });
    closers.push(() => dataSource.destroy());
    return { store: new TwinSqliteStore(db, { cacheSize }), db, close: () => dataSource.destroy() };
  }

  function ingest(store: TwinSqliteStore, readings: Reading[]) {
    const changes = applyReadings(readings, (s, a) => store.getOrCreate(s, a, T0), T0);
    return store.commitIngest(changes, readings);
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
    a.db.exec(`CREATE TRIGGER fail_next BEFORE INSERT ON reading_log BEGIN SELECT RAISE(ABORT, 'disk full'); END`);
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

  it('prunes history by count and by age, a few assets per call', async () => {
    const { store } = await open();
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
    const byAge = store.pruneHistory(5, T0 + 18_500, 10, undefined);
    expect(byAge.deleted).toBe(9);
    expect(store.history('s1', 'c', 100).map((h) => h.seq)).toEqual([19, 20]);
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
    await dataSource.undoLastMigration();

    const row = db.prepare(`SELECT reported FROM asset_twin WHERE asset = 'e1'`).get() as { reported: unknown };
    expect(JSON.parse(row.reported as string)).toEqual({ T50: [1401.5, T0 + 2000, 2], P30: [553.1, T0 + 1000, 1] });
    expect(db.prepare('SELECT seq FROM reading_history ORDER BY seq').all()).toEqual([{ seq: 1 }, { seq: 2 }]);
  });
});
