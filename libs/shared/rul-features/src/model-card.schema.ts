/**
 * The model card: everything a consumer needs to feed the ONNX model correctly and to judge it,
 * without reading the training code. Training writes it next to model.onnx; the edge predictor
 * refuses a model whose file does not hash to `model.sha256`.
 */

/** The usual informative FD001 sensors; the other seven are constant (or nearly) in FD001/FD003. */
export const DEFAULT_RUL_SENSORS = [
  'T24', 'T30', 'T50', 'P30', 'Nf', 'Nc', 'Ps30', 'phi', 'NRf', 'NRc', 'BPR', 'htBleed', 'W31', 'W32',
] as const;

/** RUL above this is not learnable from the sensors (the fault has not begun), so targets are capped. */
export const RUL_CAP_CYCLES = 125;

/** Failure risk is the probability that the asset fails within this many cycles. */
export const FAILURE_HORIZON_CYCLES = 30;

export const MODEL_CARD_SCHEMA_VERSION = 1;

/**
 * What to do when an asset has fewer cycles than the window:
 * - `reject`: refuse (the edge's choice: it waits for `window.minHistory` cycles, because a padded
 *   window hides the recent trend and biases the prediction towards "healthy").
 * - `replicate-first`: repeat the oldest available reading at the front. Used only where a
 *   prediction is owed for every unit (the evaluation CLI on C-MAPSS test files).
 */
export type WindowPadding = 'reject' | 'replicate-first';

export interface Normalisation {
  method: 'z-score';
  /** Per feature, in `window.features` order; fitted on the training units only. */
  mean: number[];
  /** Per feature; a constant feature gets 1 so it normalises to 0 instead of dividing by zero. */
  std: number[];
}

export interface WindowSpec {
  /** Cycles per window, oldest first. */
  length: number;
  /** Sensor names (CMAPSS_SENSORS spelling) in the order the model expects them. */
  features: string[];
  normalisation: Normalisation;
}

export interface ModelCardTensor {
  name: string;
  dtype: 'float32';
  /** `batch` is the dynamic dimension. */
  shape: Array<number | 'batch'>;
  description: string;
}

export interface FailureRiskRule {
  horizonCycles: number;
  /** risk = 1 / (1 + exp(-(intercept + slope * predictedRul))); slope < 0. */
  intercept: number;
  slope: number;
  description: string;
}

export interface DataFileRef {
  file: string;
  sha256: string;
  rows: number;
}

export interface ValidationMetrics {
  units: number[];
  /** Number of (unit, cycle) windows scored: every cycle with a full window. */
  windows: number;
  rmse: number;
  mae: number;
  /** PHM08 score summed over all scored windows. */
  phm08Score: number;
  /** PHM08 score per scored window, comparable across validation sets of different sizes. */
  phm08ScoreMean: number;
  /** Mean squared error of the failure-risk output against "true RUL ≤ horizon". */
  failureRiskBrier: number;
}

export interface ModelCard {
  schemaVersion: typeof MODEL_CARD_SCHEMA_VERSION;
  name: string;
  /** `<subset>-<first 12 hex of the model sha256>`: the same data and seed give the same version. */
  version: string;
  subset: string;
  model: { file: string; format: 'onnx'; irVersion: number; opset: number; sha256: string; bytes: number };
  inputs: ModelCardTensor[];
  outputs: ModelCardTensor[];
  window: WindowSpec & { layout: 'time-major'; padding: WindowPadding; minHistory: number };
  target: { kind: 'piecewise-linear-rul'; capCycles: number };
  failureRisk: FailureRiskRule;
  training: {
    data: DataFileRef[];
    seed: number;
    trainUnits: number[];
    validationUnits: number[];
    architecture: string;
    epochs: number;
    batchSize: number;
    learningRate: number;
    framework: string;
  };
  validation: ValidationMetrics;
}

/** Tensor names of the ONNX graph: one input, two outputs, so the edge runs one session per batch. */
export const RUL_MODEL_IO = { input: 'window', rul: 'rul', failureRisk: 'failure_risk' } as const;
