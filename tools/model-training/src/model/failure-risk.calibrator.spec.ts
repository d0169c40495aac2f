import { failureRisk } from '@millwright/rul-features';
import { mulberry32 } from '../data/seeded.prng';
import { calibrateFailureRisk } from './failure-risk.calibrator';

describe('calibrateFailureRisk', () => {
  it('recovers the logistic curve that generated the labels', () => {
    // Predictions spread over [0, 125]; true RUL below the 30-cycle horizon with P = sigmoid(6 - 0.2 * pred).
    const random = mulberry32(3);
    const predicted: number[] = [];
    const truth: number[] = [];
    for (let i = 0; i < 20000; i++) {
      const p = random() * 125;
      predicted.push(p);
      truth.push(random() < 1 / (1 + Math.exp(-(6 - 0.2 * p))) ? 10 : 100);
    }
    const rule = calibrateFailureRisk(predicted, truth, 30);
    expect(rule.slope).toBeCloseTo(-0.2, 1);
    expect(-rule.intercept / rule.slope).toBeCloseTo(30, 0);
    expect(failureRisk(5, rule)).toBeGreaterThan(0.9);
    expect(failureRisk(80, rule)).toBeLessThan(0.01);
  });

  it('is deterministic', () => {
    const p = [5, 20, 28, 35, 60, 100];
    const t = [0, 25, 40, 20, 80, 125];
    expect(calibrateFailureRisk(p, t, 30)).toEqual(calibrateFailureRisk(p, t, 30));
  });

  it('needs both outcomes to calibrate', () => {
    expect(() => calibrateFailureRisk([10, 20], [100, 110], 30)).toThrow(/both/);
  });
});
