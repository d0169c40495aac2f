import { decodeTwinChangeFrame, decodeTwinChangeFramePacked, encodeTwinChangeFrame, readTwinChangeHeads, TwinChangeFrameError, TwinChangeFrameWriter } from './twin-change.codec';
import type { TwinChangedV1 } from './twin-events.schema';

const telemetry = (asset: string, version: number, readings: Array<{ seq: number; ts: number; values: Record<string, number> }>, assetClass?: string): TwinChangedV1 => ({
  site: 'plant-1',
  asset,
  version,
  fromVersion: version - readings.length - (assetClass ? 1 : 0),
  cause: 'telemetry',
  at: 1_764_000_000_123,
  changes: { readings, ...(assetClass ? { metadata: { assetClass } } : {}) },
  lastSeq: Math.max(...readings.map((r) => r.seq)),
});

describe('twin change frames', () => {
  it('carry every event of a commit exactly, numbers bit for bit', () => {
    const events: TwinChangedV1[] = [
      telemetry('pump-1', 2, [
        { seq: 1, ts: 1_764_000_000_000, values: { T50: 1400.25, P30: 553.1 } },
        { seq: 2, ts: 1_764_000_001_000, values: { T50: 0.1 + 0.2, P30: -0 } },
      ]),
      // Another sensor set, a new asset class, extreme but finite values.
      telemetry('pump-2', 2, [{ seq: 9_007_199_254_740_991, ts: 1_764_000_000_000, values: { a: Number.MAX_VALUE, b: Number.MIN_VALUE, 'x.y:z-1': 5e-324 } }], 'turbofan'),
      { site: 'plant-1', asset: 'pump-1', version: 3, fromVersion: 2, cause: 'desired', at: 5, changes: { desired: { rpm: 1200, mode: null } }, lastSeq: 2 },
      { site: 'plant-1', asset: 'pump-3', version: 7, fromVersion: 6, cause: 'derived', at: 6, changes: { derived: { prediction: { rul: 80.5, status: 'ok' } } }, lastSeq: -1 },
      // Every JSON section at once, with text of 2, 3 and 4 UTF-8 bytes per character.
      {
        site: 'plant-1',
        asset: 'pump-4',
        version: 2,
        fromVersion: 1,
        cause: 'desired',
        at: 7,
        changes: { desired: { note: 'Größe über 5 €, 🔧 tauschen' }, derived: { health: { status: 'ok' } }, metadata: { assetClass: 'pump' } },
        lastSeq: 0,
      },
    ];
    const frame = encodeTwinChangeFrame('plant-1', events);
    const back = decodeTwinChangeFrame(frame);
    expect(back.site).toBe('plant-1');
    expect(back.events).toEqual(events);
    expect(Object.is(back.events[0].changes.readings![1].values.P30, -0)).toBe(true);
    expect(Object.keys(back.events[0].changes.readings![0].values)).toEqual(['T50', 'P30']);
  });

  it('carry events as small as the layout allows: one-letter assets with no readings and no JSON', () => {
    // Valid ids may be one character; a frame of such events is shorter per event than most.
    const events: TwinChangedV1[] = ['a', 'b', 'c'].map((asset, i) => ({ site: 'p', asset, version: i + 1, fromVersion: i, cause: 'telemetry', at: 1, changes: {}, lastSeq: 0 }));
    expect(decodeTwinChangeFrame(encodeTwinChangeFrame('p', events)).events).toEqual(events);
  });

  it('give their readings packed, with one names list per sensor set shared across frames', () => {
    const frame = () =>
      encodeTwinChangeFrame('plant-1', [
        telemetry('pump-1', 2, [
          { seq: 1, ts: 10, values: { T50: 1.5, P30: 2.5 } },
          { seq: 2, ts: 20, values: { T50: 3.5, P30: 4.5, Nf: 5.5 } },
        ]),
        telemetry('pump-2', 1, [{ seq: 7, ts: 30, values: { T50: 6.5, P30: 7.5 } }]),
      ]);
    const a = decodeTwinChangeFramePacked(frame());
    const b = decodeTwinChangeFramePacked(frame());
    const [r1, r2] = a.events[0].changes.readings!;
    const r3 = a.events[1].changes.readings![0];
    expect([r1.seq, r1.ts, r1.names, [...r1.values.subarray(r1.at, r1.at + 2)]]).toEqual([1, 10, ['T50', 'P30'], [1.5, 2.5]]);
    expect([r2.names, [...r2.values.subarray(r2.at, r2.at + 3)]]).toEqual([['T50', 'P30', 'Nf'], [3.5, 4.5, 5.5]]);
    expect(r3.values[r3.at + 1]).toBe(7.5);
    expect(r3.names).toBe(r1.names);
    expect(b.events[0].changes.readings![0].names).toBe(r1.names);
    expect(a.events[0]).toMatchObject({ asset: 'pump-1', version: 2, cause: 'telemetry', lastSeq: 2 });
  });

  it('give the readings alone when asked, with every version, however much JSON the events carry', () => {
    const events: TwinChangedV1[] = [
      telemetry('pump-1', 5, [{ seq: 4, ts: 1, values: { a: 1.25 } }], 'turbofan'),
      { site: 'plant-1', asset: 'pump-1', version: 6, fromVersion: 5, cause: 'derived', at: 6, changes: { derived: { prediction: { rul: 80.5 } } }, lastSeq: 4 },
    ];
    const [t, d] = decodeTwinChangeFramePacked(encodeTwinChangeFrame('plant-1', events), { readingsOnly: true }).events;
    expect(t).toMatchObject({ asset: 'pump-1', version: 5, fromVersion: 3, cause: 'telemetry', lastSeq: 4 });
    expect(Object.keys(t.changes)).toEqual(['readings']);
    expect(t.changes.readings![0].values[t.changes.readings![0].at]).toBe(1.25);
    expect(d).toEqual({ site: 'plant-1', asset: 'pump-1', version: 6, fromVersion: 5, cause: 'derived', at: 6, changes: {}, lastSeq: 4 });
  });

  it('refuse a frame cut inside a JSON part also when JSON parts are skipped', () => {
    const frame = encodeTwinChangeFrame('plant-1', [{ site: 'plant-1', asset: 'p', version: 2, fromVersion: 1, cause: 'derived', at: 1, changes: { derived: { x: 1 } }, lastSeq: 0 }]);
    // Cut inside the event's JSON part (only its 4-byte reading count follows it).
    expect(() => decodeTwinChangeFramePacked(frame.subarray(0, frame.length - 8), { readingsOnly: true })).toThrow(TwinChangeFrameError);
  });

  it('keep sensor sets apart whose names differ only by where a comma falls', () => {
    const one = decodeTwinChangeFramePacked(encodeTwinChangeFrame('plant-1', [telemetry('p', 1, [{ seq: 1, ts: 1, values: { 'a,b': 1 } }])]));
    const two = decodeTwinChangeFramePacked(encodeTwinChangeFrame('plant-1', [telemetry('p', 1, [{ seq: 1, ts: 1, values: { a: 1, b: 2 } }])]));
    expect(one.events[0].changes.readings![0].names).toEqual(['a,b']);
    expect(two.events[0].changes.readings![0].names).toEqual(['a', 'b']);
  });

  it('give their event heads without the readings', () => {
    const events = [
      telemetry('pump-1', 12, [{ seq: 4, ts: 1, values: { a: 1 } }, { seq: 5, ts: 2, values: { a: 2, b: 3 } }]),
      { site: 'plant-1', asset: 'pump-2', version: 3, fromVersion: 2, cause: 'derived' as const, at: 6, changes: { derived: { x: 1 } }, lastSeq: 8 },
    ];
    expect(readTwinChangeHeads(encodeTwinChangeFrame('plant-1', events))).toEqual({
      site: 'plant-1',
      heads: [
        { asset: 'pump-1', cause: 'telemetry', version: 12, fromVersion: 10, lastSeq: 5, at: events[0].at, readingCount: 2 },
        { asset: 'pump-2', cause: 'derived', version: 3, fromVersion: 2, lastSeq: 8, at: 6, readingCount: 0 },
      ],
    });
  });

  it('are read from a view into a larger buffer, as NATS hands them over', () => {
    const frame = encodeTwinChangeFrame('s', [telemetry('a', 1, [{ seq: 1, ts: 2, values: { v: 3 } }])].map((e) => ({ ...e, site: 's' })));
    const padded = new Uint8Array(frame.length + 13);
    padded.set(frame, 7);
    expect(decodeTwinChangeFrame(padded.subarray(7, 7 + frame.length)).events[0].changes.readings).toEqual([{ seq: 1, ts: 2, values: { v: 3 } }]);
  });

  it('refuse to frame what the layout cannot carry', () => {
    const e = telemetry('pump-1', 1, [{ seq: 1, ts: 1, values: { T50: 1 } }]);
    expect(() => encodeTwinChangeFrame('plant-2', [e])).toThrow(TwinChangeFrameError);
    expect(() => encodeTwinChangeFrame('plant-1', [{ ...e, asset: 'pümpe' }])).toThrow(/ASCII/);
    expect(() => encodeTwinChangeFrame('plant-1', [{ ...e, cause: 'other' as never }])).toThrow(/cause/);
  });

  describe('refuse anything that is not a whole frame', () => {
    const good = encodeTwinChangeFrame('plant-1', [telemetry('pump-1', 2, [{ seq: 1, ts: 1, values: { T50: 1, P30: 2 } }, { seq: 2, ts: 2, values: { T50: 3, P30: 4 } }])]);

    it.each([
      ['empty', new Uint8Array(0)],
      ['JSON', new TextEncoder().encode('{"site":"plant-1"}')],
      ['cut short', good.subarray(0, good.length - 3)],
      ['trailing bytes', new Uint8Array([...good, 0])],
    ])('%s', (_name, data) => {
      expect(() => decodeTwinChangeFrame(data)).toThrow(expect.objectContaining({ code: 'invalid_twin_change_frame' }));
    });

    it('an unknown cause, sensor set or a lying count', () => {
      const bytes = Uint8Array.from(good);
      const view = new DataView(bytes.buffer);
      // magic 4, site 1+7, sets 2 + (1 + 1+3 + 1+3), event count 4, asset 1+6 -> cause at 34.
      const cause = 4 + 8 + 2 + 9 + 4 + 7;
      const wrongCause = Uint8Array.from(bytes);
      wrongCause[cause] = 9;
      expect(() => decodeTwinChangeFrame(wrongCause)).toThrow(/cause/);
      const manyEvents = Uint8Array.from(bytes);
      new DataView(manyEvents.buffer).setUint32(4 + 8 + 2 + 9, 1_000_000, true);
      expect(() => decodeTwinChangeFrame(manyEvents)).toThrow(/cannot fit/);
      const setOfFirstReading = cause + 2 + 32 + 4 + 16;
      view.setUint16(setOfFirstReading, 5, true);
      expect(() => decodeTwinChangeFrame(bytes)).toThrow(/sensor set/);
    });

    it('a sensor name that would replace a prototype', () => {
      const frame = encodeTwinChangeFrame('p', [{ ...telemetry('a', 1, [{ seq: 1, ts: 1, values: { ['__proto__']: 1 } as Record<string, number> }]), site: 'p' }]);
      expect(() => decodeTwinChangeFrame(frame)).toThrow(/not allowed/);
    });
  });
});

describe('TwinChangeFrameWriter', () => {
  const f64le = (...v: number[]) => new Uint8Array(Float64Array.from(v).buffer);
  const names = ['T50', 'P30'];

  it('writes from value bytes the same frame as from value objects, and starts clean after reset', () => {
    const w = new TwinChangeFrameWriter('plant-1');
    w.event('pump-1', 'telemetry', 2, 0, 2, 9, undefined, 2);
    w.reading(1, 100, names, f64le(1400.25, 553.1));
    w.reading(2, 200, names, f64le(0.1 + 0.2, -0));
    w.event('pump-2', 'telemetry', 1, 0, 7, 9, { metadata: { assetClass: 'turbofan' } }, 1);
    w.reading(7, 300, ['x.y:z-1'], f64le(5e-324));
    const frame = w.finish();
    const expected = encodeTwinChangeFrame('plant-1', [
      { site: 'plant-1', asset: 'pump-1', version: 2, fromVersion: 0, cause: 'telemetry', at: 9, lastSeq: 2, changes: { readings: [{ seq: 1, ts: 100, values: { T50: 1400.25, P30: 553.1 } }, { seq: 2, ts: 200, values: { T50: 0.1 + 0.2, P30: -0 } }] } },
      { site: 'plant-1', asset: 'pump-2', version: 1, fromVersion: 0, cause: 'telemetry', at: 9, lastSeq: 7, changes: { metadata: { assetClass: 'turbofan' }, readings: [{ seq: 7, ts: 300, values: { 'x.y:z-1': 5e-324 } }] } },
    ]);
    expect(Buffer.from(frame)).toEqual(Buffer.from(expected));
    expect(Object.is(decodeTwinChangeFrame(frame).events[0].changes.readings![1].values.P30, -0)).toBe(true);

    w.reset('plant-2');
    expect([w.eventCount, w.byteLength]).toEqual([0, 0]);
    w.event('m1', 'telemetry', 1, 0, 1, 9, undefined, 1);
    w.reading(1, 100, ['N1'], f64le(3));
    expect(decodeTwinChangeFrame(w.finish())).toEqual({ site: 'plant-2', events: [expect.objectContaining({ asset: 'm1', changes: { readings: [{ seq: 1, ts: 100, values: { N1: 3 } }] } })] });
  });

  it('holds each event to the reading count it announced', () => {
    const w = new TwinChangeFrameWriter('plant-1');
    w.event('pump-1', 'telemetry', 1, 0, 1, 9, undefined, 1);
    expect(() => w.finish()).toThrow(TwinChangeFrameError);
    expect(() => w.event('pump-2', 'telemetry', 1, 0, 1, 9, undefined, 0)).toThrow(/remaining readings/);
    w.reading(1, 100, names, f64le(1, 2));
    expect(() => w.reading(2, 100, names, f64le(1, 2))).toThrow(/more readings/);
    expect(() => new TwinChangeFrameWriter('plant-1').reading(1, 1, names, f64le(1))).toThrow(TwinChangeFrameError);
  });
});
