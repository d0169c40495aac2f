import { mae, phm08Score, rmse, type ValidationMetrics } from '@millwright/rul-features';

const round = (v: number, digits = 4) => Number(v.toFixed(digits));

/** Scores predictions on every full window of the validation units against the capped true RUL. */
export function scoreValidation(
  units: readonly number[],
  predictedRul: ArrayLike<number>,
  failureRisk: ArrayLike<number>,
  trueRul: ArrayLike<number>,
  horizonCycles: number,
): ValidationMetrics {
  const phm = phm08Score(predictedRul, trueRul);
  let brier = 0;
  for (let i = 0; i < trueRul.length; i++) brier += (failureRisk[i] - (trueRul[i] <= horizonCycles ? 1 : 0)) ** 2;
  return {
    units: [...units],
    windows: trueRul.length,
    rmse: round(rmse(predictedRul, trueRul)),
    mae: round(mae(predictedRul, trueRul)),
    phm08Score: round(phm, 2),
    phm08ScoreMean: round(phm / trueRul.length),
    failureRiskBrier: round(brier / trueRul.length),
  };
}
