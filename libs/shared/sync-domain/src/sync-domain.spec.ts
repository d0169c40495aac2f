import { ApiErrorCode, type TwinChangedV1, type TwinDeltaV1 } from '@millwright/contracts';
import { applyDelta, newCentralTwin, type CentralTwinState } from './delta.applier';
import { DeltaCompactor } from './delta.compactor';
import { desiredPatchStatus, mergePatch, patchDesiredDocument } from './desired-document';
import { mergeDesired } from './desired.merge';
import { reconcileDesired, type EdgeDesiredState } from './desired.reconcile';

let version = 0;
function telemetry(seq: number, values: Record<string, number>, asset = 'a', ts = 1000 + seq): TwinChangedV1 {
  const fromVersion = version;
  version += 1;
  return { site: 's', asset, fromVersion, version, cause: 'telemetry', at: seq, lastSeq: seq, changes: { readings: [{ seq, ts, values }] } };
}

describe('DeltaCompactor', () => {
  beforeEach(() => (version = 0));

  it('folds many changes of an asset into one delta with the newest value of each field, grouped by reading', () => {
    const c = new DeltaCompactor(60_000);
    c.add(telemetry(1, { T50: 1, P30: 10 }));
    c.add(telemetry(2, { T50: 2 }));
    c.add({ site: 's', asset: 'a', fromVersion: 2, version: 3, cause: 'derived', at: 3, lastSeq: 2, changes: { derived: { health: { status: 'warning' } } } });
    const [d] = c.take();
    expect(d).toEqual({
      desiredChanged: false,
      delta: { site: 's', asset: 'a', fromVersion: 0, toVersion: 3, lastSeq: 2, reported: [{ seq: 1, ts: 1001, values: { P30: 10 } }, { seq: 2, ts: 1002, values: { T50: 2 } }], derived: { health: { status: 'warning' } } },
    });
    expect(c.take()).toEqual([]);
  });

  it('reports a missed event as a gap and ignores a repeated one', () => {
    const c = new DeltaCompactor(60_000);
    const e1 = telemetry(1, { T50: 1 });
    telemetry(2, { T50: 2 }); // lost
    const e3 = telemetry(3, { T50: 3 });
    expect(c.add(e1)).toBe('added');
    expect(c.add(e1)).toBe('stale');
    expect(c.add(e3)).toBe('gap');
  });

  it('continues the chain with an event that overlaps a snapshot taken while it was in flight', () => {
    const c = new DeltaCompactor(60_000);
    c.restart('s', 'a', 5); // a snapshot at version 5 was sent
    const overlapping: TwinChangedV1 = { site: 's', asset: 'a', fromVersion: 3, version: 8, cause: 'telemetry', at: 1, lastSeq: 8, changes: { readings: [{ seq: 8, ts: 8, values: { T50: 8 } }] } };
    expect(c.add(overlapping)).toBe('added');
    expect(c.take()[0].delta).toMatchObject({ fromVersion: 5, toVersion: 8 });
  });

  it('closes a window once its readings span the window in measurement time, so a fast replay compacts as live', () => {
    const c = new DeltaCompactor(10_000);
    for (let seq = 0; seq < 35; seq++) c.add(telemetry(seq, { T50: seq }, 'a', seq * 1000)); // 1 reading/s for 35 s
    expect(c.closedCount).toBe(3);
    const out = c.take();
    expect(out.map((o) => [o.delta.fromVersion, o.delta.toVersion])).toEqual([[0, 10], [10, 20], [20, 30], [30, 35]]);
  });

  it('marks desired changes for the sender to attach the whole document', () => {
    const c = new DeltaCompactor(60_000);
    c.add({ site: 's', asset: 'a', fromVersion: 0, version: 1, cause: 'desired', at: 1, lastSeq: -1, changes: { desired: { rpm: 5 } } });
    expect(c.take()[0].desiredChanged).toBe(true);
  });

  it('drops what a snapshot covers, open and closed windows alike', () => {
    const c = new DeltaCompactor(1_000);
    for (let seq = 0; seq < 5; seq++) c.add(telemetry(seq, { T50: seq }, 'a', seq * 1000));
    c.add(telemetry(9, { T50: 9 }, 'b'));
    c.restart('s', 'a', 5);
    expect(c.take().map((o) => o.delta.asset)).toEqual(['b']);
  });

  it('is far smaller than the changes it replaces, and the central copy ends up equal', () => {
    const c = new DeltaCompactor(60_000);
    const edge: Record<string, [number, number, number]> = {};
    const sensors = Array.from({ length: 21 }, (_, i) => `s${i}`);
    const deltas: TwinDeltaV1[] = [];
    let raw = 0;
    for (let seq = 1; seq <= 600; seq++) {
      const e = telemetry(seq, Object.fromEntries(sensors.map((n, i) => [n, seq * 0.5 + i])));
      raw += JSON.stringify(e).length;
      c.add(e);
      for (const [n, v] of Object.entries(e.changes.readings![0].values)) edge[n] = [v, 1000 + seq, seq];
      if (seq % 60 === 0) deltas.push(...c.take().map((o) => o.delta));
    }
    const sent = deltas.reduce((n, d) => n + JSON.stringify(d).length, 0);
    expect(raw / sent).toBeGreaterThan(20);
    const copy = newCentralTwin();
    for (const d of deltas) expect(applyDelta(copy, d).outcome).toBe('applied');
    expect(copy.reported).toEqual(edge);
    expect(copy.version).toBe(600);
  });
});

describe('applyDelta', () => {
  const d = (fromVersion: number, toVersion: number, extra: Partial<TwinDeltaV1> = {}): TwinDeltaV1 => ({ site: 's', asset: 'a', fromVersion, toVersion, lastSeq: toVersion, ...extra });

  it('applies each delta once, whatever is redelivered, and stops at a gap', () => {
    const twin = newCentralTwin();
    const d1 = d(0, 5, { reported: [{ seq: 5, ts: 1, values: { T50: 5 } }] });
    const d2 = d(5, 9, { reported: [{ seq: 9, ts: 2, values: { T50: 9 } }] });
    expect(applyDelta(twin, d1).outcome).toBe('applied');
    expect(applyDelta(twin, d2).outcome).toBe('applied');
    expect(applyDelta(twin, d1).outcome).toBe('duplicate');
    expect(applyDelta(twin, d2).outcome).toBe('duplicate');
    expect(applyDelta(twin, d(12, 14)).outcome).toBe('gap');
    expect(twin).toMatchObject({ version: 9, lastSeq: 9, reported: { T50: [9, 2, 9] } });
  });

  it("accepts the edge's desired document only when made on the current central version", () => {
    const twin = { ...newCentralTwin(), desired: { rpm: 100 }, desiredVersion: 3 };
    expect(applyDelta(twin, d(0, 1, { desired: { doc: { rpm: 90 }, baseVersion: 2 } })).desiredAccepted).toBe(false);
    expect(twin.desired).toEqual({ rpm: 100 });
    expect(applyDelta(twin, d(1, 2, { desired: { doc: { rpm: 100, mode: 'eco' }, baseVersion: 3 } })).desiredAccepted).toBe(true);
    expect(twin).toMatchObject({ desired: { rpm: 100, mode: 'eco' }, desiredVersion: 4 });
    // The edge echoing the central document back changes nothing.
    expect(applyDelta(twin, d(2, 3, { desired: { doc: { rpm: 100, mode: 'eco' }, baseVersion: 4 } })).desiredAccepted).toBe(false);
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

  it('converges: edge and central agree after the edge merges and the central side accepts the result', () => {
    const central: CentralTwinState = { ...newCentralTwin(), desired: { rpm: 100, mode: 'eco' }, desiredVersion: 1 };
    let edge: EdgeDesiredState = { desired: { rpm: 100, mode: 'eco' }, base: { rpm: 100, mode: 'eco' }, baseVersion: 1 };
    // During a cut: the edge sets a limit and changes mode; central changes mode too.
    edge = { ...edge, desired: { rpm: 100, mode: 'off', limit: 7 } };
    central.desired = { rpm: 100, mode: 'boost' };
    central.desiredVersion = 2;
    // The edge's delta made on version 1 arrives first and is ignored.
    expect(applyDelta(central, d0(1, { doc: edge.desired, baseVersion: 1 })).desiredAccepted).toBe(false);
    // Then the edge takes version 2.
    const r = reconcileDesired(edge, { version: 2, desired: central.desired });
    if (r.kind !== 'merged') throw new Error('expected a merge');
    expect(r.state.desired).toEqual({ rpm: 100, mode: 'boost', limit: 7 });
    expect(r.conflicts).toEqual([{ field: 'mode', base: 'eco', edge: 'off', central: 'boost', kept: 'central' }]);
    expect(r.edgeKeepsChanges).toBe(true);
    // Its next delta carries the merged document on version 2, which the central side accepts.
    expect(applyDelta(central, d0(2, { doc: r.state.desired, baseVersion: 2 })).desiredAccepted).toBe(true);
    expect(central).toMatchObject({ desired: { rpm: 100, mode: 'boost', limit: 7 }, desiredVersion: 3 });
    // Version 3 coming down changes nothing at the edge.
    const back = reconcileDesired(r.state, { version: 3, desired: central.desired });
    expect(back).toMatchObject({ kind: 'merged', desiredChanged: false, edgeKeepsChanges: false, conflicts: [] });
    expect(reconcileDesired(r.state, { version: 2, desired: {} })).toEqual({ kind: 'stale' });
  });
});

function d0(n: number, desired: TwinDeltaV1['desired']): TwinDeltaV1 {
  return { site: 's', asset: 'a', fromVersion: n - 1, toVersion: n, lastSeq: -1, desired };
}

describe('JSON merge patch (RFC 7396)', () => {
  it('follows the RFC examples', () => {
    expect(mergePatch({ a: 'b' }, { a: 'c' })).toEqual({ a: 'c' });
    expect(mergePatch({ a: 'b' }, { b: 'c' })).toEqual({ a: 'b', b: 'c' });
    expect(mergePatch({ a: 'b' }, { a: null })).toEqual({});
    expect(mergePatch({ a: { b: 'c' } }, { a: { b: 'd', c: null } })).toEqual({ a: { b: 'd' } });
    expect(mergePatch({ a: [{ b: 'c' }] }, { a: [1] })).toEqual({ a: [1] });
    expect(mergePatch({ e: null }, { a: 1 })).toEqual({ e: null, a: 1 });
  });

  it('answers a refused patch with 413 when too large and 400 otherwise', () => {
    const refused = (patch: unknown) => {
      const r = patchDesiredDocument({}, patch);
      if (r.ok) throw new Error('patch accepted');
      return desiredPatchStatus(r.code);
    };
    expect(refused({ big: 'x'.repeat(9000) })).toBe(413);
    expect(refused({ a: { b: { c: { d: { e: { f: { g: 1 } } } } } } })).toBe(400);
    expect(refused([1])).toBe(400);
    expect(desiredPatchStatus(ApiErrorCode.InvalidMergePatch)).toBe(400);
  });
});
