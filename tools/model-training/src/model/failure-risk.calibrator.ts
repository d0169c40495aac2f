import type { FailureRiskRule } from '@millwright/rul-features';

/**
 * Fits P(true RUL ≤ horizon | predicted RUL) as a logistic curve in the predicted RUL by
 * maximum likelihood (Newton's method on two parameters, so the result is deterministic). It is
 * fitted on validation units: on training units the predictions are closer to the truth than they
 * will be in service, which would make the risk overconfident.
 */
export function calibrateFailureRisk(
  predictedRul: ArrayLike<number>,
  trueRul: ArrayLike<number>,
  horizonCycles: number,
  scale = 125,
): FailureRiskRule {
  const n = predictedRul.length;
  if (n !== trueRul.length || n === 0) throw new Error(`cannot calibrate on ${n} predictions and ${trueRul.length} labels`);
  const labels = Array.from(trueRul, (r) => (r <= horizonCycles ? 1 : 0));
  const positives = labels.reduce<number>((a, b) => a + b, 0);
  if (positives === 0 || positives === n) throw new Error(`calibration needs both failing and healthy windows within ${horizonCycles} cycles`);
  // Work on x = rul / scale so the Hessian is well conditioned; convert back at the end.
  let a = Math.log(positives / (n - positives));
  let b = 0;
  for (let iter = 0; iter < 100; iter++) {
    let g0 = 0, g1 = 0, h00 = 0, h01 = 0, h11 = 0;
    for (let i = 0; i < n; i++) {
      const x = predictedRul[i] / scale;
      const p = 1 / (1 + Math.exp(-(a + b * x)));
      const w = p * (1 - p);
      g0 += labels[i] - p;
      g1 += (labels[i] - p) * x;
      h00 += w;
      h01 += w * x;
      h11 += w * x * x;
    }
    // Tiny ridge keeps the step finite if the classes are perfectly separated.
    h00 += 1e-6;
    h11 += 1e-6;
    const det = h00 * h11 - h01 * h01;
    const da = (h11 * g0 - h01 * g1) / det;
    const db = (h00 * g1 - h01 * g0) / det;
    a += da;
    b += db;
    if (Math.abs(da) + Math.abs(db) < 1e-10) break;
  }
  return {
    horizonCycles,
    intercept: a,
    slope: b / scale,
    description:
      `P(true RUL <= ${horizonCycles} cycles | predicted RUL) = 1 / (1 + exp(-(intercept + slope * rul))), ` +
      'a logistic regression of "failed within the horizon" on the predicted RUL, fitted on the validation units.',
  };
}
