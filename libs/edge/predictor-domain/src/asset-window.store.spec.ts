import { AssetWindowStore } from './asset-window.store';

describe('AssetWindowStore', () => {
  it('keeps the last `length` readings oldest first across ring wrap-around, normalised', () => {
    const w = new AssetWindowStore(['a', 'b'], 3);
    for (let seq = 1; seq <= 5; seq++) w.append('k', { seq: seq, values: { a: seq, b: seq * 10 } });
    const out = new Float32Array(6);
    w.writeNormalised('k', [1, 0], [2, 10], out, 0);
    // readings 3, 4, 5: a -> (a-1)/2, b -> b/10
    expect(Array.from(out)).toEqual([1, 3, 1.5, 4, 2, 5]);
    expect(w.lastSeq('k')).toBe(5);
  });

  it('ignores readings not newer than the last one and carries missing sensors forward', () => {
    const w = new AssetWindowStore(['a', 'b'], 2);
    expect(w.append('k', { seq: 1, values: { b: 1 } })).toBe(false);
    w.append('k', { seq: 2, values: { a: 2, b: 20 } });
    w.append('k', { seq: 2, values: { a: 99, b: 99 } });
    w.append('k', { seq: 3, values: { a: 3 } });
    const out = new Float32Array(4);
    w.writeNormalised('k', [0, 0], [1, 1], out, 0);
    expect(Array.from(out)).toEqual([2, 20, 3, 20]);
  });

  it('appends feature vectors with NaN as a missing sensor, like partial readings', () => {
    const w = new AssetWindowStore(['a', 'b'], 2);
    expect(w.appendVector('k', 1, [Number.NaN, 1])).toBe(false);
    w.appendVector('k', 2, [2, 20]);
    w.appendVector('k', 3, [3, Number.NaN]);
    w.appendVector('k', 3, [99, 99]);
    const out = new Float32Array(4);
    w.writeNormalised('k', [0, 0], [1, 1], out, 0);
    expect(Array.from(out)).toEqual([2, 20, 3, 20]);
  });

  it('reads packed readings through their sensor names, in any order, missing ones carried forward', () => {
    const w = new AssetWindowStore(['a', 'b'], 2);
    const names = ['b', 'x', 'a'];
    const values = Float64Array.from([0, 0, 10, 7, 1, /* second: */ 20, 7, 2]);
    w.append('k', { seq: 1, ts: 0, names, values, at: 2 });
    w.append('k', { seq: 2, ts: 0, names: ['a'], values, at: 7 });
    const out = new Float32Array(4);
    w.writeNormalised('k', [0, 0], [1, 1], out, 0);
    expect(Array.from(out)).toEqual([1, 10, 2, 10]);
  });

  it('refuses to build a window from too little history', () => {
    const w = new AssetWindowStore(['a'], 3);
    w.append('k', { seq: 1, values: { a: 1 } });
    expect(w.count('k')).toBe(1);
    expect(() => w.writeNormalised('k', [0], [1], new Float32Array(3), 0)).toThrow(/1 of 3/);
  });
});
