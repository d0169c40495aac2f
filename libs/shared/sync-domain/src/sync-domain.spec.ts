import type { TwinChangedV1, TwinDeltaV1 } from '@millwright/contracts';
import { applyDelta, type CentralTwinState } from './delta.applier';
import { DeltaCompactor } from './delta.compactor';
import { mergeDesired } from './desired.merge';
import { composePatches } from './merge-patch.compose';

let version = 0;
function telemetry(seq: number, values: Record<string, number>, asset = 'a'): TwinChangedV1 {
  const fromVersion = version;
  version += 1;
  return { site: 's', asset, fromVersion, version, cause: 'telemetry', at: seq, lastSeq: seq, changes: { readings: [{ seq, ts: 1000 + seq, values }] } };
}
const central = (): CentralTwinState => ({ version: 0, lastSeq: -1, reported: {}, derived: {}, metadata: {} });

describe('DeltaCompactor', () => {
  beforeEach(() => (version = 0));

  it('folds many changes of an asset into one delta with the newest value of each field', () => {
    const c = new DeltaCompactor();
    c.add(telemetry(1, { T50: 1, P30: 10 }));
    c.add(telemetry(2, { T50: 2 }));
    c.add({ site: 's', asset: 'a', fromVersion: 2, version: 3, cause: 'derived', at: 3, lastSeq: 2, changes: { derived: { health: { status: 'warning' } } } });
    const [d] = c.take();
    expect(d).toEqual({ site: 's', asset: 'a', fromVersion: 0, toVersion: 3, lastSeq: 2, reported: { T50: [2, 1002, 2], P30: [10, 1001, 1] }, derived: { health: { status: 'warning' } } });
    expect(c.take()).toEqual([]);
  });

  it('reports a missed event as a gap and ignores a repeated one', () => {
    const c = new DeltaCompactor();
    const e1 = telemetry(1, { T50: 1 });
    telemetry(2, { T50: 2 }); // lost
    const e3 = telemetry(3, { T50: 3 });
    expect(c.add(e1)).toBe('added');
    expect(c.add(e1)).toBe('stale');
    expect(c.add(e3)).toBe('gap');
  });

  it('is far smaller than the changes it replaces, and the central copy ends up equal', () => {
    const c = new DeltaCompactor();
    const edge = central();
    const sensors = Array.from({ length: 21 }, (_, i) => `s${i}`);
    const deltas: TwinDeltaV1[] = [];
    let raw = 0;
    for (let seq = 1; seq <= 600; seq++) {
      const e = telemetry(seq, Object.fromEntries(sensors.map((n, i) => [n, seq * 0.5 + i])));
      raw += JSON.stringify(e).length;
      c.add(e);
      for (const [n, v] of Object.entries(e.changes.readings![0].values)) edge.reported[n] = [v, 1000 + seq, seq];
      if (seq % 60 === 0) deltas.push(...c.take());
    }
    const sent = deltas.reduce((n, d) => n + JSON.stringify(d).length, 0);
    expect(raw / sent).toBeGreaterThan(20);
    const copy = central();
    for (const d of deltas) expect(applyDelta(copy, d)).toBe('applied');
    expect(copy.reported).toEqual(edge.reported);
    expect(copy.version).toBe(600);
  });
});

describe('applyDelta', () => {
  it('applies each delta once, whatever is redelivered, and stops at a gap', () => {
    const twin = central();
    const d1: TwinDeltaV1 = { site: 's', asset: 'a', fromVersion: 0, toVersion: 5, lastSeq: 5, reported: { T50: [5, 1, 5] } };
    const d2: TwinDeltaV1 = { site: 's', asset: 'a', fromVersion: 5, toVersion: 9, lastSeq: 9, reported: { T50: [9, 2, 9] } };
    const d4: TwinDeltaV1 = { site: 's', asset: 'a', fromVersion: 12, toVersion: 14, lastSeq: 14 };
    expect(applyDelta(twin, d1)).toBe('applied');
    expect(applyDelta(twin, d2)).toBe('applied');
    expect(applyDelta(twin, d1)).toBe('duplicate');
    expect(applyDelta(twin, d2)).toBe('duplicate');
    expect(applyDelta(twin, d4)).toBe('gap');
    expect(twin).toMatchObject({ version: 9, lastSeq: 9, reported: { T50: [9, 2, 9] } });
  });
});

describe('desired state after an outage', () => {
  it('keeps what only one side changed and records real conflicts, central winning', () => {
    const base = { rpm: 100, mode: 'eco', limit: 5 };
    const edge = { rpm: 120, mode: 'eco', limit: 7 }; // changed rpm and limit at the edge
    const central = { rpm: 100, mode: 'boost', limit: 9 }; // changed mode and limit centrally
    expect(mergeDesired(base, edge, central)).toEqual({
      merged: { rpm: 120, mode: 'boost', limit: 9 },
      conflicts: [{ field: 'limit', base: 5, edge: 7, central: 9, kept: 'central' }],
    });
  });

  it('treats the same change on both sides, and deletions, as agreement', () => {
    expect(mergeDesired({ a: 1, b: 2 }, { a: 3 }, { a: 3, b: 2 })).toEqual({ merged: { a: 3 }, conflicts: [] });
  });

  it('composes merge patches so that deletions survive', () => {
    expect(composePatches({ a: 1, b: { c: 1 } }, { a: null, b: { d: 2 } })).toEqual({ a: null, b: { c: 1, d: 2 } });
  });
});
