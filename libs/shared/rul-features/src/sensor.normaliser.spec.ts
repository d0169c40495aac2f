import { fitNormalisation, normaliseSeries } from './sensor.normaliser';

describe('fitNormalisation', () => {
  it('gives each sensor its mean and population standard deviation', () => {
    const n = fitNormalisation([{ T50: 1, Nc: 9000 }, { T50: 2, Nc: 9000.5 }, { T50: 3, Nc: 9001 }, { T50: 4, Nc: 9001.5 }], ['T50', 'Nc']);
    expect(n.mean[0]).toBeCloseTo(2.5, 12);
    expect(n.std[0]).toBeCloseTo(Math.sqrt(1.25), 12);
    expect(n.mean[1]).toBeCloseTo(9000.75, 9);
    expect(n.std[1]).toBeCloseTo(Math.sqrt(1.25) / 2, 9);
  });

  it('gives a constant sensor a std of 1 so it normalises to 0 rather than NaN', () => {
    const n = fitNormalisation([{ P2: 14.62 }, { P2: 14.62 }], ['P2']);
    expect(n.std).toEqual([1]);
    expect(Array.from(normaliseSeries([{ P2: 14.62 }], ['P2'], n))).toEqual([0]);
  });

  it('refuses readings that lack a sensor, naming it', () => {
    expect(() => fitNormalisation([{ T50: 1 }, { T24: 2 }], ['T50'])).toThrow(/reading 1 .* T50/);
  });
});

describe('normaliseSeries', () => {
  it('lays readings out as [cycles, features] z-scores', () => {
    const norm = { method: 'z-score' as const, mean: [10, 100], std: [2, 5] };
    const s = normaliseSeries([{ a: 12, b: 90 }, { a: 8, b: 100 }], ['a', 'b'], norm);
    expect(Array.from(s)).toEqual([1, -2, -1, 0]);
  });

  it('refuses constants that do not match the features', () => {
    expect(() => normaliseSeries([{ a: 1 }], ['a'], { method: 'z-score', mean: [0, 0], std: [1, 1] })).toThrow(/2 means/);
  });
});
