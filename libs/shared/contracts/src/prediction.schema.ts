import { IngestRejectCode } from './error-codes';
import { isValidId, type Rejection } from './telemetry.schema';

export type HealthStatus = 'ok' | 'warning' | 'critical' | 'unknown';

/**
 * One asset's failure prediction, as the predictor publishes it and the twin stores it under
 * `derived.prediction`. When no prediction could be made, `status` says why and `rul` is absent.
 */
export interface PredictionV1 {
  site: string;
  asset: string;
  status: 'ok' | 'insufficient_history' | 'missing_sensors';
  /** Remaining useful life in cycles (capped as the model card says). */
  rul?: number;
  /** Probability of failure within the model's horizon. */
  failureRisk?: number;
  health: HealthStatus;
  /** Model that made it (or would have): every prediction is traceable to a model release. */
  modelVersion: string;
  /** Epoch ms when it was made. */
  at: number;
  /** Sequence number of the newest reading in the window: a prediction never replaces a newer one. */
  basedOnSeq: number;
  /** Human-readable reason when status is not ok. */
  detail?: string;
}

/** Predictions of one site, published together on `prediction.v1.<site>`. */
export interface PredictionBatchV1 {
  site: string;
  predictions: PredictionV1[];
}

const STATUSES = new Set(['ok', 'insufficient_history', 'missing_sensors']);
const HEALTH = new Set(['ok', 'warning', 'critical', 'unknown']);
const bad = (detail: string): Rejection => ({ reason: IngestRejectCode.InvalidShape, detail });

/** Validates a prediction batch at the twin service's boundary (predictions come over NATS too). */
export function parsePredictionBatch(subjectSite: string, data: Uint8Array): PredictionBatchV1 | Rejection {
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8'));
  } catch (e) {
    return { reason: IngestRejectCode.MalformedJson, detail: (e as Error).message.slice(0, 200) };
  }
  const b = body as Partial<PredictionBatchV1>;
  if (typeof b !== 'object' || b === null || !Array.isArray(b.predictions)) return bad('a prediction batch needs a predictions array');
  if (b.site !== subjectSite) return { reason: IngestRejectCode.SubjectMismatch, detail: `batch site does not match the subject's site '${subjectSite}'` };
  for (const [i, p] of b.predictions.entries()) {
    if (typeof p !== 'object' || p === null) return bad(`prediction ${i} is not an object`);
    if (p.site !== subjectSite || !isValidId(p.asset)) return bad(`prediction ${i} names an invalid site or asset`);
    if (!STATUSES.has(p.status) || !HEALTH.has(p.health)) return bad(`prediction ${i} has an unknown status or health`);
    if (typeof p.modelVersion !== 'string' || p.modelVersion.length === 0 || p.modelVersion.length > 128) return bad(`prediction ${i} has no model version`);
    if (!Number.isSafeInteger(p.basedOnSeq) || !Number.isFinite(p.at)) return bad(`prediction ${i} has an invalid basedOnSeq or at`);
    if (p.status === 'ok' && !(Number.isFinite(p.rul) && Number.isFinite(p.failureRisk))) return bad(`prediction ${i} is ok but has no finite rul and failureRisk`);
  }
  return b as PredictionBatchV1;
}
