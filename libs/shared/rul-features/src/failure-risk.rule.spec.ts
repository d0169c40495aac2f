import { failureRisk } from './failure-risk.rule';

const rule = { horizonCycles: 30, intercept: 6, slope: -0.2, description: '' };

describe('failureRisk', () => {
  it('is one half where the logit crosses zero', () => {
    expect(failureRisk(30, rule)).toBeCloseTo(0.5, 12);
  });

  it('matches the logistic formula and falls as the predicted RUL grows', () => {
    expect(failureRisk(0, rule)).toBeCloseTo(1 / (1 + Math.exp(-6)), 12);
    expect(failureRisk(125, rule)).toBeCloseTo(1 / (1 + Math.exp(19)), 12);
    expect(failureRisk(10, rule)).toBeGreaterThan(failureRisk(40, rule));
  });
});
