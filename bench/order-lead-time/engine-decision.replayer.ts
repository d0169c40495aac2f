import type { CmapssEngine } from '@millwright/cmapss';
import { replacementNeed, type ReplacementNeed, type ReplacementPolicy } from '@millwright/maintenance-domain';
import { modelInputSize, runRulModel, type RulModelHandle } from '@millwright/model-registry';
import { AssetWindowStore } from '@millwright/predictor-domain';
import { cmapssRowToReading } from '@millwright/rul-features';

/** One prediction the predictor would have published for an engine, cycle by cycle. */
export interface CyclePrediction {
  cycle: number;
  rul: number;
  failureRisk: number;
}

export interface EnginePredictions {
  unit: number;
  /** The last row's cycle: C-MAPSS training series run until the engine fails. */
  failureCycle: number;
  predictions: CyclePrediction[];
}

export type OrderOutcome = 'on_time' | 'late' | 'never';

export interface EngineDecision {
  unit: number;
  failureCycle: number;
  outcome: OrderOutcome;
  /** Cycle of the reading the triggering prediction was based on (the prediction's basedOnSeq). */
  triggerCycle: number | null;
  /** Cycles between the trigger and the failure; on time means at least the lead time. */
  spareCycles: number | null;
  rulAtTrigger: number | null;
  rule: ReplacementNeed['reason'] | null;
  /** Lowest RUL the model predicted over the whole life: for a `never`, how far it stayed from the threshold. */
  minPredictedRul: number | null;
}

/** The predictor rounds before publishing; the decision must see the same numbers the service sees. */
const round = (v: number, digits: number): number => Math.round(v * 10 ** digits) / 10 ** digits;

/**
 * Predicts every cycle of an engine the way the predictor does for one reading per twin change:
 * the same Float32 window ring (AssetWindowStore), the same normalisation and the same ONNX
 * session, no prediction before the window is full, outputs rounded as published. All windows of
 * the engine go through the model as one batch, which changes nothing per window.
 */
export async function predictEngine(model: RulModelHandle, engine: CmapssEngine): Promise<EnginePredictions> {
  const { features, length, normalisation } = model.card.window;
  const size = modelInputSize(model.card);
  const store = new AssetWindowStore(features, length);
  const key = `cmapss/${engine.unit}`;
  const full = Math.max(0, engine.rows.length - length + 1);
  const input = new Float32Array(full * size);
  const cycles: number[] = [];
  for (const row of engine.rows) {
    if (!store.append(key, { seq: row.cycle, values: cmapssRowToReading(row) })) throw new Error(`unit ${engine.unit} cycle ${row.cycle}: a model feature is missing`);
    if (store.count(key) < length) continue;
    store.writeNormalised(key, normalisation.mean, normalisation.std, input, cycles.length * size);
    cycles.push(row.cycle);
  }
  const failureCycle = engine.rows[engine.rows.length - 1].cycle;
  if (cycles.length === 0) return { unit: engine.unit, failureCycle, predictions: [] };
  const out = await runRulModel(model, input.subarray(0, cycles.length * size));
  const predictions = cycles.map((cycle, i) => ({ cycle, rul: round(out.rul[i], 2), failureRisk: round(out.failureRisk[i], 4) }));
  return { unit: engine.unit, failureCycle, predictions };
}

/**
 * The maintenance service's decision on a stream of predictions: the first one that needs a
 * replacement places the order (later ones find it open), so only the first trigger matters.
 */
export function decide(engine: EnginePredictions, policy: ReplacementPolicy, modelVersion: string): EngineDecision {
  const minPredictedRul = engine.predictions.length ? Math.min(...engine.predictions.map((p) => p.rul)) : null;
  for (const p of engine.predictions) {
    const need = replacementNeed({ rul: p.rul, failureRisk: p.failureRisk, modelVersion, basedOnSeq: p.cycle }, policy);
    if (!need) continue;
    const spare = engine.failureCycle - p.cycle;
    return {
      unit: engine.unit,
      failureCycle: engine.failureCycle,
      outcome: spare >= policy.leadTimeCycles ? 'on_time' : 'late',
      triggerCycle: p.cycle,
      spareCycles: spare,
      rulAtTrigger: p.rul,
      rule: need.reason,
      minPredictedRul,
    };
  }
  return { unit: engine.unit, failureCycle: engine.failureCycle, outcome: 'never', triggerCycle: null, spareCycles: null, rulAtTrigger: null, rule: null, minPredictedRul };
}

export interface DecisionTally {
  engines: number;
  on_time: number;
  late: number;
  never: number;
  /** Spare cycles of the on-time orders: how much part life an early order gives away. */
  spare_min: number | null;
  spare_median: number | null;
  spare_max: number | null;
  /** Units whose order came too late or never, the ones to look at. */
  missed_units: number[];
}

export function tally(decisions: readonly EngineDecision[]): DecisionTally {
  const spares = decisions.filter((d) => d.outcome === 'on_time').map((d) => d.spareCycles as number).sort((a, b) => a - b);
  return {
    engines: decisions.length,
    on_time: decisions.filter((d) => d.outcome === 'on_time').length,
    late: decisions.filter((d) => d.outcome === 'late').length,
    never: decisions.filter((d) => d.outcome === 'never').length,
    spare_min: spares.length ? spares[0] : null,
    spare_median: spares.length ? spares[Math.floor((spares.length - 1) / 2)] : null,
    spare_max: spares.length ? spares[spares.length - 1] : null,
    missed_units: decisions.filter((d) => d.outcome !== 'on_time').map((d) => d.unit),
  };
}
