import { RUL_CAP_CYCLES } from './model-card.schema';

/**
 * Piecewise-linear RUL: constant at `cap` while the engine is healthy, then falling one per cycle
 * to 0 at failure. The sensors carry no information about how far off an unstarted fault is, so
 * asking the model for the uncapped value only teaches it noise.
 */
export function piecewiseLinearRul(cyclesToFailure: number, cap = RUL_CAP_CYCLES): number {
  if (cyclesToFailure < 0) throw new Error(`cycles to failure must be ≥ 0, got ${cyclesToFailure}`);
  return Math.min(cap, cyclesToFailure);
}

/** Targets for every cycle of a run-to-failure series whose last cycle is the failure. */
export function runToFailureTargets(cycles: readonly number[], cap = RUL_CAP_CYCLES): number[] {
  if (cycles.length === 0) return [];
  const failure = cycles[cycles.length - 1];
  return cycles.map((c) => piecewiseLinearRul(failure - c, cap));
}
