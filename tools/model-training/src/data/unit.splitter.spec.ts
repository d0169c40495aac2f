import { splitUnits } from './unit.splitter';

const units = Array.from({ length: 100 }, (_, i) => i + 1);

describe('splitUnits', () => {
  it('puts every unit on exactly one side, in the requested proportion', () => {
    const s = splitUnits(units, 0.2, 42);
    expect(s.validation).toHaveLength(20);
    expect(s.train).toHaveLength(80);
    expect(s.train.filter((u) => s.validation.includes(u))).toEqual([]);
    expect([...s.train, ...s.validation].sort((a, b) => a - b)).toEqual(units);
  });

  it('is a function of the seed', () => {
    expect(splitUnits(units, 0.2, 42)).toEqual(splitUnits([...units].reverse(), 0.2, 42));
    expect(splitUnits(units, 0.2, 43).validation).not.toEqual(splitUnits(units, 0.2, 42).validation);
  });

  it('counts each unit once however many rows it has', () => {
    const s = splitUnits([1, 1, 1, 2, 2, 3, 4, 5], 0.4, 1);
    expect(s.validation.length + s.train.length).toBe(5);
    expect(s.validation).toHaveLength(2);
  });

  it('refuses a split that leaves a side empty', () => {
    expect(() => splitUnits([1, 2], 0.1, 1)).toThrow(/cannot split/);
    expect(() => splitUnits(units, 1, 1)).toThrow(/fraction/);
  });
});
