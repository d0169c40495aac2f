import { HeldReadings } from './held-readings.buffer';
import { FeatureReader } from './reading-values';

const held = (h: HeldReadings) => [...h.inOrder()].map((r) => [r.seq, ...Array.from(r.vector)]);

describe('HeldReadings', () => {
  it('keeps the newest `capacity` readings by seq, oldest first, missing sensors as NaN', () => {
    const h = new HeldReadings(new FeatureReader(['a', 'b']), 3);
    h.add({ seq: 5, values: { a: 5, b: 50 } });
    h.add({ seq: 2, values: { a: 2 } });
    h.add({ seq: 7, values: { a: 7, b: 70, other: 1 } });
    h.add({ seq: 1, values: { a: 1, b: 10 } }); // older than everything held, and full: dropped
    h.add({ seq: 6, values: { a: 6, b: 60 } }); // replaces 2
    h.add({ seq: 6, values: { a: 99, b: 99 } }); // already held
    expect(h.size).toBe(3);
    expect(held(h)).toEqual([
      [5, 5, 50],
      [6, 6, 60],
      [7, 7, 70],
    ]);
    const partial = new HeldReadings(new FeatureReader(['a', 'b']), 2);
    partial.add({ seq: 1, values: { a: 1 } });
    expect(held(partial)).toEqual([[1, 1, Number.NaN]]);
  });
});
