import { HeldReadings } from './held-readings.buffer';

const held = (h: HeldReadings) => [...h.inOrder()].map((r) => [r.seq, ...Array.from(r.vector)]);

describe('HeldReadings', () => {
  it('keeps the newest `capacity` readings by seq, oldest first, missing sensors as NaN', () => {
    const h = new HeldReadings(['a', 'b'], 3);
    h.add(5, { a: 5, b: 50 });
    h.add(2, { a: 2 });
    h.add(7, { a: 7, b: 70, other: 1 });
    h.add(1, { a: 1, b: 10 }); // older than everything held, and full: dropped
    h.add(6, { a: 6, b: 60 }); // replaces 2
    h.add(6, { a: 99, b: 99 }); // already held
    expect(h.size).toBe(3);
    expect(held(h)).toEqual([
      [5, 5, 50],
      [6, 6, 60],
      [7, 7, 70],
    ]);
    const partial = new HeldReadings(['a', 'b'], 2);
    partial.add(1, { a: 1 });
    expect(held(partial)).toEqual([[1, 1, Number.NaN]]);
  });
});
