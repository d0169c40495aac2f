import { decodeReported, encodeReported, type SensorSetIndex } from './reported.codec';

function sets(): SensorSetIndex & { ids: Map<string, number> } {
  const ids = new Map<string, number>();
  const names = new Map<number, string[]>();
  return {
    ids,
    idOf(n) {
      const key = n.join(',');
      let id = ids.get(key);
      if (id === undefined) {
        ids.set(key, (id = ids.size + 1));
        names.set(id, n);
      }
      return id;
    },
    namesOf: (id) => names.get(id),
  };
}

describe('reported state codec', () => {
  it('stores sensors of one reading with one timestamp and seq, and reads them back exactly', () => {
    const s = sets();
    const reported = { T24: { v: 642.58, ts: 1764000000123, seq: 17 }, P30: { v: -0.1 + 0.2, ts: 1764000000123, seq: 17 } };
    const stored = encodeReported(reported, Object.keys(reported), s);
    expect(Buffer.isBuffer(stored) && stored.length).toBe(5 + 16 + 2 * 8);
    expect(decodeReported(stored, s)).toEqual(reported);
  });

  it('keeps a timestamp and seq per sensor when they differ', () => {
    const s = sets();
    const reported = { T24: { v: 1, ts: 10, seq: 1 }, P30: { v: 2, ts: 20, seq: 2 }, Nf: { v: 3, ts: 10, seq: 1 } };
    const stored = encodeReported(reported, Object.keys(reported), s);
    expect(Buffer.isBuffer(stored) && stored.length).toBe(5 + 3 * 24);
    expect(decodeReported(stored, s)).toEqual(reported);
  });

  it('reads the JSON text that rows written by earlier versions hold', () => {
    expect(decodeReported('{"T24":[642.5,1000,3]}', sets())).toEqual({ T24: { v: 642.5, ts: 1000, seq: 3 } });
    expect(encodeReported({}, [], sets())).toBe('{}');
  });

  it('refuses a blob whose sensor set it does not know, rather than guessing names', () => {
    const a = sets();
    const stored = encodeReported({ T24: { v: 1, ts: 1, seq: 1 } }, ['T24'], a);
    expect(() => decodeReported(stored, sets())).toThrow(/unknown sensor set 1/);
  });
});
