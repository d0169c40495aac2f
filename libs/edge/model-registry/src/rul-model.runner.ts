import { Tensor, type InferenceSession } from 'onnxruntime-node';
import { RUL_MODEL_IO, type ModelCard, type ModelCardTensor } from '@millwright/rul-features';

/** What inference needs from the active model; `ActiveModel` satisfies it. */
export interface RulModelHandle {
  readonly version: string;
  readonly sha256: string;
  readonly card: ModelCard;
  readonly session: InferenceSession;
}

export interface RulModelOutput {
  /** The model that made these predictions: record it with each of them. */
  modelVersion: string;
  modelSha256: string;
  /** One value per window, in input order. */
  rul: Float32Array;
  failureRisk: Float32Array;
}

/** Values in one flattened window: `window.length` cycles × `window.features`, time-major. */
export function modelInputSize(card: ModelCard): number {
  return card.window.length * card.window.features.length;
}

function outputSpec(card: ModelCard, name: string): ModelCardTensor {
  const spec = card.outputs.find((t) => t.name === name);
  if (!spec) throw new Error(`the card declares no output ${name}`);
  return spec;
}

function checkedOutput(out: InferenceSession.OnnxValueMapType, spec: ModelCardTensor, batch: number): Float32Array {
  const t = out[spec.name];
  if (!t) throw new Error(`the model produced no output ${spec.name}`);
  const want = spec.shape.map((d) => (d === 'batch' ? batch : d));
  if (t.type !== 'float32' || JSON.stringify(t.dims) !== JSON.stringify(want)) {
    throw new Error(`output ${spec.name} is ${t.type}[${t.dims.join(', ')}], the card says float32[${want.join(', ')}]`);
  }
  return t.data as Float32Array;
}

/**
 * Runs a batch of normalised windows (`[batch, modelInputSize]`, row-major) through the model and
 * checks the outputs against the card's names and shapes.
 */
export async function runRulModel(model: RulModelHandle, windows: Float32Array): Promise<RulModelOutput> {
  const size = modelInputSize(model.card);
  const batch = windows.length / size;
  if (!Number.isInteger(batch) || batch === 0) throw new Error(`${windows.length} values are not a whole, non-zero number of ${size}-value windows`);
  const out = await model.session.run({ [RUL_MODEL_IO.input]: new Tensor('float32', windows, [batch, size]) });
  return {
    modelVersion: model.version,
    modelSha256: model.sha256,
    rul: checkedOutput(out, outputSpec(model.card, RUL_MODEL_IO.rul), batch),
    failureRisk: checkedOutput(out, outputSpec(model.card, RUL_MODEL_IO.failureRisk), batch),
  };
}
