import type { Reading } from '@millwright/contracts';
import { newTwin, twinKey, type AssetTwin } from './asset-twin';
import { applyReading, applyReadings, ReadingEffect } from './reading-apply';

const r = (seq: number, values: Record<string, number>, asset = 'a1'): Reading => ({ site: 's', asset, seq, ts: 1_700_000_000_000 + seq * 1000, values });

function fleet() {
  const twins = new Map<string, AssetTwin>();
  const lookup = (site: string, asset: string) => {
    const k = twinKey(site, asset);
    let t = twins.get(k);
    if (!t) twins.set(k, (t = newTwin(site, asset, 0)));
    return t;
  };
  return { twins, lookup };
}

describe('applyReadings', () => {
  it('keeps the newest value per sensor and counts one version per reading that changed something', () => {
    const { lookup } = fleet();
    const changes = applyReadings([r(1, { T50: 1 }), r(2, { T50: 2, P30: 5 })], lookup, 10);
    expect(changes).toHaveLength(1);
    const c = changes[0];
    expect(c.fromVersion).toBe(0);
    expect(c.twin.version).toBe(2);
    expect(c.twin.lastSeq).toBe(2);
    expect(c.twin.reported).toEqual({ T50: { v: 2, ts: r(2, {}).ts, seq: 2 }, P30: { v: 5, ts: r(2, {}).ts, seq: 2 } });
    expect(c.applied.map((a) => a.seq)).toEqual([1, 2]);
  });

  it('ignores a duplicate: the twin does not move and no change is reported', () => {
    const { lookup } = fleet();
    applyReadings([r(1, { T50: 1 }), r(2, { T50: 2 })], lookup, 10);
    const again = applyReadings([r(2, { T50: 2 }), r(1, { T50: 1 })], lookup, 20);
    expect(again).toEqual([]);
    expect(lookup('s', 'a1').version).toBe(2);
    expect(lookup('s', 'a1').reported.T50.v).toBe(2);
  });

  it('takes from a late reading only the sensors that no newer reading has set', () => {
    const { lookup } = fleet();
    applyReadings([r(5, { T50: 50 })], lookup, 10);
    const late = applyReadings([r(4, { T50: 40, P30: 4 })], lookup, 20);
    const twin = lookup('s', 'a1');
    expect(twin.reported.T50.v).toBe(50);
    expect(twin.reported.P30).toEqual({ v: 4, ts: r(4, {}).ts, seq: 4 });
    expect(twin.lastSeq).toBe(5);
    expect(late[0].applied.map((a) => a.seq)).toEqual([4]);
    expect(late[0].fromVersion).toBe(1);
  });

  it('ends in the same state whatever order the same readings arrive in', () => {
    const readings = Array.from({ length: 30 }, (_, i) => r(i, { T50: i, [`x${i % 3}`]: i * 2 }, `a${i % 4}`));
    const shuffled = [...readings].sort((a, b) => ((a.seq * 7919) % 31) - ((b.seq * 7919) % 31));
    const a = fleet();
    const b = fleet();
    applyReadings(readings, a.lookup, 0);
    applyReadings(shuffled, b.lookup, 0);
    for (const [k, t] of a.twins) expect(b.twins.get(k)?.reported).toEqual(t.reported);
  });

  it('records a new asset class as a metadata change', () => {
    const { lookup } = fleet();
    applyReadings([{ ...r(1, { T50: 1 }), assetClass: 'turbofan' }], lookup, 0);
    const c = applyReadings([{ ...r(1, { T50: 1 }), assetClass: 'pump' }], lookup, 0);
    expect(c[0].assetClass).toBe('pump');
    expect(c[0].applied).toEqual([]);
    expect(lookup('s', 'a1').version).toBe(2);
  });
});

describe('applyReading', () => {
  it('says what a reading did: moved sensors, a new asset class, both, or nothing', () => {
    const twin = newTwin('s', 'a1', 0);
    expect(applyReading(twin, { ...r(2, { T50: 2 }), assetClass: 'pump' }, 10)).toBe(ReadingEffect.Moved | ReadingEffect.Reclassified);
    expect(applyReading(twin, r(2, { T50: 2 }), 11)).toBe(ReadingEffect.None);
    expect(applyReading(twin, { ...r(1, { T50: 1 }), assetClass: 'turbofan' }, 12)).toBe(ReadingEffect.Reclassified);
    // The class alone counts a version but moves neither the last seq nor the last-seen time.
    expect(twin).toMatchObject({ assetClass: 'turbofan', version: 2, lastSeq: 2, lastSeenAt: r(2, {}).ts, updatedAt: 12, reported: { T50: { v: 2, seq: 2 } } });
    expect(applyReading(twin, r(3, { T50: 3 }), 13)).toBe(ReadingEffect.Moved);
    expect(twin).toMatchObject({ version: 3, lastSeq: 3, updatedAt: 13 });
  });
});
