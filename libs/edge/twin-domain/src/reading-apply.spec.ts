import type { Reading } from '@millwright/contracts';
import { newTwin, type AssetTwin } from './asset-twin';
import { applyReading, ReadingEffect } from './reading-apply';

const r = (seq: number, values: Record<string, number>, asset = 'a1'): Reading => ({ site: 's', asset, seq, ts: 1_700_000_000_000 + seq * 1000, values });

function fleet() {
  const twins = new Map<string, AssetTwin>();
  const apply = (readings: Reading[], now = 10) =>
    readings.map((x) => {
      let t = twins.get(x.asset);
      if (!t) twins.set(x.asset, (t = newTwin(x.site, x.asset, 0)));
      return applyReading(t, x, now);
    });
  return { twins, apply, twin: (asset = 'a1') => twins.get(asset)! };
}

describe('applyReading', () => {
  it('keeps the newest value per sensor and counts one version per reading that changed something', () => {
    const f = fleet();
    expect(f.apply([r(1, { T50: 1 }), r(2, { T50: 2, P30: 5 })])).toEqual([ReadingEffect.Moved, ReadingEffect.Moved]);
    const t = f.twin();
    expect(t.version).toBe(2);
    expect(t.lastSeq).toBe(2);
    expect(t.reported).toEqual({ T50: { v: 2, ts: r(2, {}).ts, seq: 2 }, P30: { v: 5, ts: r(2, {}).ts, seq: 2 } });
  });

  it('ignores a duplicate: the twin does not move', () => {
    const f = fleet();
    f.apply([r(1, { T50: 1 }), r(2, { T50: 2 })]);
    expect(f.apply([r(2, { T50: 2 }), r(1, { T50: 1 })], 20)).toEqual([ReadingEffect.None, ReadingEffect.None]);
    expect(f.twin()).toMatchObject({ version: 2, updatedAt: 10, reported: { T50: { v: 2 } } });
  });

  it('takes from a late reading only the sensors that no newer reading has set', () => {
    const f = fleet();
    f.apply([r(5, { T50: 50 })]);
    expect(f.apply([r(4, { T50: 40, P30: 4 })], 20)).toEqual([ReadingEffect.Moved]);
    const t = f.twin();
    expect(t.reported.T50.v).toBe(50);
    expect(t.reported.P30).toEqual({ v: 4, ts: r(4, {}).ts, seq: 4 });
    expect(t.lastSeq).toBe(5);
    expect(t.version).toBe(2);
  });

  it('ends in the same state whatever order the same readings arrive in', () => {
    const readings = Array.from({ length: 30 }, (_, i) => r(i, { T50: i, [`x${i % 3}`]: i * 2 }, `a${i % 4}`));
    const shuffled = [...readings].sort((a, b) => ((a.seq * 7919) % 31) - ((b.seq * 7919) % 31));
    const a = fleet();
    const b = fleet();
    a.apply(readings);
    b.apply(shuffled);
    for (const [k, t] of a.twins) expect(b.twins.get(k)?.reported).toEqual(t.reported);
  });

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
