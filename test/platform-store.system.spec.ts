import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { CentralTwinEntity, PlatformStore, openPlatformDatabase } from '@millwright/platform-data-access';
import { makeTempDir, startPostgres, type PostgresHandle, type TempDir } from '@millwright/testing';

/**
 * The platform's storage on both databases it supports: the same entities, the same migration, the
 * same fleet queries, against a SQLite file and a real PostgreSQL 15 server started for the test.
 */
describe.each(['sqlite', 'postgres'] as const)('platform store on %s', (kind) => {
  let pg: PostgresHandle | undefined;
  let dir: TempDir;
  let ds: DataSource;
  let store: PlatformStore;
  const now = Date.UTC(2026, 10, 25);

  beforeAll(async () => {
    dir = makeTempDir('mw-platform-');
    if (kind === 'postgres') pg = await startPostgres();
    ds = await openPlatformDatabase({ databaseUrl: pg?.url ?? '', sqlitePath: join(dir.path, 'platform.db') });
    store = new PlatformStore(ds);
    await store.registerSite('site-a', 'site-a', now);
    await store.registerSite('site-b', 'dom_b', now);
    const twins: CentralTwinEntity[] = [];
    for (let i = 0; i < 30; i++) {
      const site = i % 2 === 0 ? 'site-a' : 'site-b';
      twins.push(
        Object.assign(new CentralTwinEntity(), {
          site,
          asset: `eng-${String(i).padStart(2, '0')}`,
          assetClass: i % 3 === 0 ? 'pump' : 'turbofan',
          version: i + 1,
          lastSeq: i,
          reported: { T50: [1400 + i, now - i * 60_000, i] },
          derived: {},
          metadata: {},
          desired: {},
          desiredVersion: 0,
          desiredPublishedVersion: 0,
          health: i < 5 ? 'critical' : i < 12 ? 'warning' : i < 28 ? 'ok' : null,
          rul: i < 28 ? i * 5 : null,
          failureRisk: i < 28 ? 1 - i / 30 : null,
          modelVersion: 'fd001-1',
          lastSeenAt: now - i * 60_000,
          updatedAt: now,
        }),
      );
    }
    // Written through the sync path's batch commit, as the inbox consumer does.
    await store.commitSync({ site: 'site-a', twins, acceptedDesired: [], conflicts: [], orders: [], appliedOutboxSeq: 42, now });
  }, 60_000);

  afterAll(async () => {
    await ds?.destroy();
    await pg?.stop();
    dir?.remove();
  });

  const q = (over: Partial<Parameters<PlatformStore['queryAssets']>[0]>) => store.queryAssets({ sort: 'site', order: 'asc', limit: 100, offset: 0, ...over });

  it('migrates and keeps the sync position and numbers exactly', async () => {
    expect((await store.site('site-a'))?.appliedOutboxSeq).toBe(42);
    expect((await store.site('site-b'))?.domain).toBe('dom_b');
    const t = await store.twin('site-a', 'eng-04');
    expect(t).toMatchObject({ version: 5, lastSeq: 4, reported: { T50: [1404, now - 4 * 60_000, 4] }, lastSeenAt: now - 4 * 60_000, rul: 20 });
  });

  it('filters by site, class, health, RUL and last seen', async () => {
    expect((await q({ site: 'site-b' })).total).toBe(15);
    expect((await q({ assetClass: 'pump' })).total).toBe(10);
    expect((await q({ health: 'critical' })).items.map((t) => t.asset)).toEqual(['eng-00', 'eng-02', 'eng-04', 'eng-01', 'eng-03']);
    expect((await q({ rulBelow: 25 })).total).toBe(5);
    expect((await q({ lastSeenBefore: now - 25 * 60_000 })).items.map((t) => t.asset).sort()).toEqual(['eng-26', 'eng-27', 'eng-28', 'eng-29']);
    expect((await q({ site: 'site-a', health: 'warning', rulBelow: 50 })).items.map((t) => t.asset)).toEqual(['eng-06', 'eng-08']);
  });

  it('sorts with unknown values last either way and pages without overlap', async () => {
    const byRul = await q({ sort: 'rul', order: 'desc', limit: 3 });
    expect(byRul.items.map((t) => t.rul)).toEqual([135, 130, 125]);
    const asc = await q({ sort: 'rul', order: 'asc', limit: 100 });
    expect(asc.items.slice(-2).map((t) => t.rul)).toEqual([null, null]);
    const seen = new Set<string>();
    for (let offset = 0; offset < 30; offset += 7) {
      const page = await q({ sort: 'health', order: 'asc', limit: 7, offset });
      expect(page.total).toBe(30);
      for (const t of page.items) seen.add(`${t.site}/${t.asset}`);
    }
    expect(seen.size).toBe(30);
  });

  it('changes desired state under optimistic concurrency, and knows what is owed to the site', async () => {
    const r = await store.updateDesired('site-a', 'eng-00', 0, (d) => ({ ok: true, doc: { ...d, mode: 'eco' } }), now);
    expect('twin' in r && r.twin.desiredVersion).toBe(1);
    expect(await store.updateDesired('site-a', 'eng-00', 0, (d) => ({ ok: true, doc: d }), now)).toEqual({ stale: 1 });
    expect((await store.owedDesired(10)).map((t) => [t.asset, t.desiredVersion])).toEqual([['eng-00', 1]]);
    await store.markDesiredPublished('site-a', 'eng-00', 1);
    expect(await store.owedDesired(10)).toEqual([]);
    // Desired state may be set for an asset before it ever reports.
    const fresh = await store.updateDesired('site-b', 'new-pump', undefined, () => ({ ok: true, doc: { rpm: 10 } }), now);
    expect('twin' in fresh && fresh.twin).toMatchObject({ version: 0, desired: { rpm: 10 }, desiredVersion: 1 });
  });

  it('never writes the sync path\'s older desired state over a central change made meanwhile', async () => {
    const loaded = (await store.loadTwins('site-a', ['eng-02'])).get('eng-02')!;
    expect('twin' in (await store.updateDesired('site-a', 'eng-02', undefined, () => ({ ok: true, doc: { mode: 'boost' } }), now))).toBe(true);
    // The inbox applier commits what it loaded before the PATCH, with new reported state.
    await store.commitSync({ site: 'site-a', twins: [{ ...loaded, version: loaded.version + 1, lastSeq: 99 }], acceptedDesired: [], conflicts: [], orders: [], appliedOutboxSeq: 43, now });
    expect(await store.twin('site-a', 'eng-02')).toMatchObject({ lastSeq: 99, desired: { mode: 'boost' }, desiredVersion: 1 });
    // An edge document accepted on the version the applier had loaded is dropped: central moved on.
    await store.commitSync({ site: 'site-a', twins: [], acceptedDesired: [{ asset: 'eng-02', doc: { mode: 'eco' }, version: 1, base: 0 }], conflicts: [], orders: [], appliedOutboxSeq: 44, now });
    expect((await store.twin('site-a', 'eng-02'))?.desired).toEqual({ mode: 'boost' });
  });

  it('writes nothing for a refused patch, not even a new asset', async () => {
    expect(await store.updateDesired('site-b', 'ghost', undefined, () => ({ ok: false, error: 'bad' }), now)).toEqual({ invalid: 'bad' });
    expect(await store.twin('site-b', 'ghost')).toBeNull();
  });
});
