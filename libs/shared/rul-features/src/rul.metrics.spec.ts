import { mae, phm08Score, rmse } from './rul.metrics';

describe('rmse and mae', () => {
  it('match hand-computed values', () => {
    expect(rmse([10, 20, 30], [13, 16, 30])).toBeCloseTo(Math.sqrt((9 + 16 + 0) / 3), 12);
    expect(mae([10, 20, 30], [13, 16, 30])).toBeCloseTo(7 / 3, 12);
  });

  it('refuse mismatched or empty inputs', () => {
    expect(() => rmse([1, 2], [1])).toThrow(/2 predictions for 1/);
    expect(() => rmse([], [])).toThrow(/no predictions/);
  });
});

describe('phm08Score', () => {
  it('charges exp(-d/13) - 1 for an early prediction and exp(d/10) - 1 for a late one', () => {
    expect(phm08Score([87], [100])).toBeCloseTo(Math.E - 1, 12);
    expect(phm08Score([110], [100])).toBeCloseTo(Math.E - 1, 12);
    expect(phm08Score([80, 120, 50], [100, 100, 50])).toBeCloseTo(Math.exp(20 / 13) - 1 + Math.exp(2) - 1, 12);
  });

  it('punishes being late more than being early by the same amount', () => {
    expect(phm08Score([120], [100])).toBeGreaterThan(phm08Score([80], [100]));
  });

  it('is zero for perfect predictions', () => {
    expect(phm08Score([0, 50, 125], [0, 50, 125])).toBe(0);
  });
});
