import type { PredictionV1 } from '@millwright/contracts';

export interface ScheduledPrediction {
  asset: string;
  rul: number;
  basedOnSeq: number;
  /** The first prediction of the asset at or below the threshold: its publish time starts the clock. */
  crossing: boolean;
}

export interface DegradingFleetSpec {
  assets: number;
  /** lead time + safety margin of the policy: RUL at or below it needs an order. */
  thresholdCycles: number;
  before: number;
  after: number;
  crossingRate: number;
  tickMs: number;
}

export const assetName = (i: number): string => `eng-${String(i).padStart(4, '0')}`;

/** The seq of the first scheduled prediction; the warm-up prediction of each asset is older. */
export const FIRST_SEQ = 100;

/**
 * Rounds of predictions (one batch each, `tickMs` apart) in which every asset's RUL falls one cycle
 * per prediction and crosses the threshold at its own time: asset i crosses `i / crossingRate` s
 * after the start, so crossings arrive at a steady rate instead of as one burst. RUL is the
 * threshold + 0.5 before the crossing and - 0.5 at it, never exactly on the boundary. One round
 * after the crossing, the crossing prediction comes again as a redelivery would.
 */
export function degradingFleetRounds(spec: DegradingFleetSpec): ScheduledPrediction[][] {
  const roundsPerSecond = 1000 / spec.tickMs;
  const rounds: ScheduledPrediction[][] = [];
  const at = (r: number): ScheduledPrediction[] => {
    while (rounds.length <= r) rounds.push([]);
    return rounds[r];
  };
  for (let i = 0; i < spec.assets; i++) {
    const asset = assetName(i);
    const crossRound = spec.before + Math.round((i / spec.crossingRate) * roundsPerSecond);
    for (let k = -spec.before; k <= spec.after; k++) {
      const p = { asset, rul: spec.thresholdCycles - 0.5 - k, basedOnSeq: FIRST_SEQ + spec.before + k, crossing: k === 0 };
      at(crossRound + k).push(p);
      if (k === 0 && spec.after > 0) at(crossRound + 1).push({ ...p, crossing: false });
    }
  }
  return rounds;
}

/** Failure risk as the model card's logistic rule gives it for a predicted RUL. */
export type RiskOf = (rul: number) => number;

export function toPredictions(site: string, round: readonly ScheduledPrediction[], riskOf: RiskOf, modelVersion: string, now: number): PredictionV1[] {
  return round.map((p) => {
    const failureRisk = Math.round(riskOf(p.rul) * 10_000) / 10_000;
    return { site, asset: p.asset, status: 'ok', rul: p.rul, failureRisk, health: 'warning', modelVersion, at: now, basedOnSeq: p.basedOnSeq };
  });
}
