import {
  MODEL_CARD_SCHEMA_VERSION,
  RUL_MODEL_IO,
  type FailureRiskRule,
  type ModelCard,
  type ValidationMetrics,
  type WindowSpec,
} from '@millwright/rul-features';
import { ONNX_IR_VERSION, ONNX_OPSET } from '../onnx/rul-model.exporter';
import { MODEL_FILE, sha256Hex } from '@millwright/model-release';

export const VALIDATION_PLOT_FILE = 'validation-plot.svg';

export interface ModelCardFacts {
  subset: string;
  model: Uint8Array;
  spec: WindowSpec;
  capCycles: number;
  failureRisk: FailureRiskRule;
  training: ModelCard['training'];
  validation: ValidationMetrics;
}

/**
 * Assembles the card. It records no clock time: the version is derived from the model's sha256, so
 * rerunning with the same data and seed reproduces the card byte for byte.
 */
export function buildModelCard(f: ModelCardFacts): ModelCard {
  const sha256 = sha256Hex(f.model);
  const inputSize = f.spec.length * f.spec.features.length;
  return {
    schemaVersion: MODEL_CARD_SCHEMA_VERSION,
    name: 'millwright-rul',
    version: `${f.subset.toLowerCase()}-${sha256.slice(0, 12)}`,
    subset: f.subset,
    model: { file: MODEL_FILE, format: 'onnx', irVersion: ONNX_IR_VERSION, opset: ONNX_OPSET, sha256, bytes: f.model.length },
    inputs: [
      {
        name: RUL_MODEL_IO.input,
        dtype: 'float32',
        shape: ['batch', inputSize],
        description:
          `${f.spec.length} consecutive cycles, oldest first, flattened time-major: element t * ${f.spec.features.length} + j ` +
          `is window.features[j] at cycle t, z-scored as (value - normalisation.mean[j]) / normalisation.std[j].`,
      },
    ],
    outputs: [
      { name: RUL_MODEL_IO.rul, dtype: 'float32', shape: ['batch'], description: `remaining useful life in cycles at the window's last cycle, clamped to [0, ${f.capCycles}]` },
      { name: RUL_MODEL_IO.failureRisk, dtype: 'float32', shape: ['batch'], description: `probability of failure within ${f.failureRisk.horizonCycles} cycles (see failureRisk)` },
    ],
    window: { ...f.spec, layout: 'time-major', padding: 'reject', minHistory: f.spec.length },
    target: { kind: 'piecewise-linear-rul', capCycles: f.capCycles },
    failureRisk: f.failureRisk,
    training: f.training,
    validation: f.validation,
  };
}
