import type { DataSource } from 'typeorm';
import type { OrderEventV1, SiteHealthV1, TwinDeltaV1 } from '@millwright/contracts';
import { PlatformStore, openPlatformDatabase } from '@millwright/platform-data-access';
import { SiteInboxApplier, type InboxEntry } from './site-inbox.applier';

const SITE = 'plant-1';
const delta = (asset: string, fromVersion: number, toVersion: number, extra: Partial<TwinDeltaV1> = {}): TwinDeltaV1 => ({ site: SITE, asset, fromVersion, toVersion, lastSeq: toVersion, ...extra });
const twins = (seq: number, ...deltas: TwinDeltaV1[]): InboxEntry => ({ item: { kind: 'twins', batch: { site: SITE, deltas } }, outboxSeq: seq });
const order = (orderId: string, step: number, to: string): InboxEntry => ({
  item: { kind: 'order', event: { orderId, site: SITE, asset: 'eng-1', partNumber: 'HPC-1', step, from: null, to, action: to, actor: { kind: 'system', id: 'planner' }, reason: '', at: step * 1000, supplierOrderId: step > 2 ? 'S-9' : null } as OrderEventV1 },
  outboxSeq: null,
});
const health = (seq: number, at: number): InboxEntry => ({ item: { kind: 'health', health: { site: SITE, at, readingsPerSec: at, consumerLag: 0, backlog: { messages: 0, oldestAgeMs: 0 }, twins: 1, modelVersion: null, errors: {}, link: 'up' } as SiteHealthV1 }, outboxSeq: seq });

/** The central apply path on a real SQLite database (in memory): one transaction per batch. */
describe('SiteInboxApplier', () => {
  let ds: DataSource;
  let store: PlatformStore;
  let applier: SiteInboxApplier;

  beforeEach(async () => {
    ds = await openPlatformDatabase({ databaseUrl: '', sqlitePath: ':memory:' });
    store = new PlatformStore(ds);
    await store.registerSite(SITE, SITE, 1);
    applier = new SiteInboxApplier(store);
  });
  afterEach(() => ds.destroy());

  it('applies deltas once, whatever is redelivered, lifts prediction fields and keeps the outbox position', async () => {
    const d1 = delta('eng-1', 0, 3, { reported: [{ seq: 3, ts: 3000, values: { T50: 1400.5 } }], metadata: { assetClass: 'turbofan' } });
    const d2 = delta('eng-1', 3, 5, { derived: { prediction: { rul: 42, failureRisk: 0.2, modelVersion: 'fd001-1' }, health: { status: 'warning' } } });
    expect(await applier.apply(SITE, [twins(7, d1, d2)], 0, 10)).toMatchObject({ applied: 2, duplicates: 0, gaps: [], appliedOutboxSeq: 7 });
    // A redelivery of the same message after a crash changes nothing.
    expect(await applier.apply(SITE, [twins(7, d1, d2)], 7, 11)).toMatchObject({ applied: 0, duplicates: 2 });
    expect(await store.twin(SITE, 'eng-1')).toMatchObject({ version: 5, assetClass: 'turbofan', reported: { T50: [1400.5, 3000, 3] }, health: 'warning', rul: 42, failureRisk: 0.2, modelVersion: 'fd001-1', lastSeenAt: 3000 });
    expect((await store.site(SITE))?.appliedOutboxSeq).toBe(7);
  });

  it('reports a broken chain as a gap for a snapshot, and a snapshot heals it', async () => {
    await applier.apply(SITE, [twins(1, delta('eng-2', 0, 2))], 0, 1);
    expect((await applier.apply(SITE, [twins(2, delta('eng-2', 5, 6))], 1, 2)).gaps).toEqual(['eng-2']);
    expect((await applier.apply(SITE, [twins(3, delta('eng-2', 0, 6))], 2, 3)).applied).toBe(1);
    expect((await store.twin(SITE, 'eng-2'))?.version).toBe(6);
  });

  it('keeps the newest step of each order and the newest health summary, whatever the order of arrival', async () => {
    await applier.apply(SITE, [order('o-1', 1, 'proposed'), order('o-1', 3, 'confirmed'), order('o-1', 2, 'placed'), health(4, 200), health(5, 100)], 0, 1);
    const [orders] = await store.orders({ site: SITE, limit: 10, offset: 0 });
    expect(orders.map((o) => [o.orderId, o.state, o.step, o.supplierOrderId])).toEqual([['o-1', 'confirmed', 3, 'S-9']]);
    expect((await store.site(SITE))?.lastHealth).toMatchObject({ at: 200 });
  });

  it('records each conflict once and accepts an edge desired document made on the current version', async () => {
    const conflicts: InboxEntry = {
      item: { kind: 'conflicts', report: { site: SITE, conflicts: [{ site: SITE, asset: 'eng-3', field: 'mode', base: 'eco', edge: 'off', central: 'boost', kept: 'central', centralVersion: 2, at: 5 }] } },
      outboxSeq: 1,
    };
    await applier.apply(SITE, [conflicts, conflicts], 0, 1);
    expect((await store.conflicts({ site: SITE, limit: 10, offset: 0 }))[1]).toBe(1);
    const s = await applier.apply(SITE, [twins(2, delta('eng-3', 0, 1, { desired: { doc: { limit: 7 }, baseVersion: 0 } }))], 1, 2);
    expect(s.desiredAccepted).toEqual(['eng-3']);
    expect(await store.owedDesired(10)).toEqual([expect.objectContaining({ asset: 'eng-3', desired: { limit: 7 }, desiredVersion: 1 })]);
  });
});
