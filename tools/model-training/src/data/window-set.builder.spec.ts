import type { WindowSpec } from '@millwright/rul-features';
import { buildLastCycleWindows, buildTrainingWindows, type EngineSeries } from './window-set.builder';

const engine = (unit: number, cycles: number): EngineSeries => ({
  unit,
  cycles: Array.from({ length: cycles }, (_, i) => i + 1),
  readings: Array.from({ length: cycles }, (_, i) => ({ T50: unit * 100 + i + 1 })),
});
const spec: WindowSpec = { length: 3, features: ['T50'], normalisation: { method: 'z-score', mean: [0], std: [1] } };

describe('buildTrainingWindows', () => {
  it('makes one window per cycle from the window length on, labelled with the capped RUL', () => {
    const set = buildTrainingWindows([engine(1, 6), engine(2, 2), engine(3, 3)], spec, 2);
    // Unit 1: windows ending at cycles 3..6 (RUL 3,2,1,0 capped at 2); unit 2 is too short; unit 3: one window.
    expect(set.count).toBe(5);
    expect(Array.from(set.unit)).toEqual([1, 1, 1, 1, 3]);
    expect(Array.from(set.cycle)).toEqual([3, 4, 5, 6, 3]);
    expect(Array.from(set.y)).toEqual([2, 2, 1, 0, 0]);
    expect(Array.from(set.x.subarray(0, 3))).toEqual([101, 102, 103]);
    expect(Array.from(set.x.subarray(12, 15))).toEqual([301, 302, 303]);
  });
});

describe('buildLastCycleWindows', () => {
  it('makes one window per unit at its last cycle, padding short units with their first reading', () => {
    const set = buildLastCycleWindows([engine(1, 6), engine(2, 2)], spec);
    expect(set.count).toBe(2);
    expect(Array.from(set.x)).toEqual([104, 105, 106, 201, 201, 202]);
    expect(Array.from(set.cycle)).toEqual([6, 2]);
  });
});
