function paired(predicted: ArrayLike<number>, actual: ArrayLike<number>): number {
  if (predicted.length !== actual.length) throw new Error(`${predicted.length} predictions for ${actual.length} true values`);
  if (predicted.length === 0) throw new Error('no predictions to score');
  return predicted.length;
}

export function rmse(predicted: ArrayLike<number>, actual: ArrayLike<number>): number {
  const n = paired(predicted, actual);
  let s = 0;
  for (let i = 0; i < n; i++) s += (predicted[i] - actual[i]) ** 2;
  return Math.sqrt(s / n);
}

export function mae(predicted: ArrayLike<number>, actual: ArrayLike<number>): number {
  const n = paired(predicted, actual);
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.abs(predicted[i] - actual[i]);
  return s / n;
}

/**
 * The PHM08 challenge score (Saxena et al. 2008): with d = predicted − true RUL, each prediction
 * costs exp(−d/13) − 1 when early (d < 0) and exp(d/10) − 1 when late, summed. Late predictions
 * cost more because they let an engine fail in service. Lower is better; 0 is perfect.
 */
export function phm08Score(predicted: ArrayLike<number>, actual: ArrayLike<number>): number {
  const n = paired(predicted, actual);
  let s = 0;
  for (let i = 0; i < n; i++) {
    const d = predicted[i] - actual[i];
    s += d < 0 ? Math.exp(-d / 13) - 1 : Math.exp(d / 10) - 1;
  }
  return s;
}
