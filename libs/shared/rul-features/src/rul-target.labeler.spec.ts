import { piecewiseLinearRul, runToFailureTargets } from './rul-target.labeler';

describe('piecewiseLinearRul', () => {
  it('is the cycles to failure below the cap and the cap above it', () => {
    expect(piecewiseLinearRul(0)).toBe(0);
    expect(piecewiseLinearRul(124)).toBe(124);
    expect(piecewiseLinearRul(125)).toBe(125);
    expect(piecewiseLinearRul(300)).toBe(125);
    expect(piecewiseLinearRul(50, 30)).toBe(30);
  });

  it('refuses a negative distance to failure', () => {
    expect(() => piecewiseLinearRul(-1)).toThrow(/≥ 0/);
  });
});

describe('runToFailureTargets', () => {
  it('counts down to 0 at the last cycle, flat at the cap before', () => {
    expect(runToFailureTargets([1, 2, 3, 4, 5, 6], 3)).toEqual([3, 3, 3, 2, 1, 0]);
  });

  it('uses the cycle numbers, not the row positions', () => {
    expect(runToFailureTargets([10, 12, 15], 125)).toEqual([5, 3, 0]);
  });
});
