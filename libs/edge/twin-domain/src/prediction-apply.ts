import type { PredictionV1 } from '@millwright/contracts';
import type { AssetTwin, JsonObject } from './asset-twin';

/**
 * Writes a prediction into the twin's derived state, unless the twin already holds one made from
 * newer readings (predictions can arrive out of order from several predictor replicas or after a
 * redelivery). A new model version may replace a prediction made from the same readings.
 * Returns the derived fields that changed, or null.
 */
export function applyPrediction(twin: AssetTwin, p: PredictionV1, now: number): JsonObject | null {
  const cur = twin.derived.prediction as { basedOnSeq?: number; modelVersion?: string; at?: number } | undefined;
  if (cur && typeof cur.basedOnSeq === 'number') {
    if (p.basedOnSeq < cur.basedOnSeq) return null;
    if (p.basedOnSeq === cur.basedOnSeq && p.modelVersion === cur.modelVersion) return null;
  }
  const prediction: JsonObject = { status: p.status, modelVersion: p.modelVersion, at: p.at, basedOnSeq: p.basedOnSeq };
  if (p.rul !== undefined) prediction.rul = p.rul;
  if (p.failureRisk !== undefined) prediction.failureRisk = p.failureRisk;
  if (p.detail !== undefined) prediction.detail = p.detail;
  const health: JsonObject = { status: p.health, at: p.at };
  const changes: JsonObject = { prediction, health };
  // Derived state usually holds just these two: then the changes are the new state, one object that
  // the store serialises once for the log, the change event and the twin row.
  twin.derived = onlyPredictionAndHealth(twin.derived) ? changes : { ...twin.derived, ...changes };
  twin.version += 1;
  twin.updatedAt = now;
  return changes;
}

function onlyPredictionAndHealth(derived: JsonObject): boolean {
  for (const key in derived) if (key !== 'prediction' && key !== 'health') return false;
  return true;
}
