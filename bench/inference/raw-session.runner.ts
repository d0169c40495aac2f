import { join } from 'node:path';
import { Tensor, type InferenceSession } from 'onnxruntime-node';
import { loadModelSession, modelInputSize, readFileModel, signaturePolicyFor, verifyModelRelease } from '@millwright/model-registry';
import { RUL_MODEL_IO, type ModelCard } from '@millwright/rul-features';
import { repoRoot } from '@millwright/testing';

export const DEFAULT_MODEL_DIR = 'models/fd001';

export interface LoadedModel {
  card: ModelCard;
  version: string;
  session: InferenceSession;
}

/**
 * Loads the model the way the predictor does (file source, verification, the registry's session
 * options and smoke run), so the raw loop measures the same session configuration the service uses.
 */
export async function loadDefaultModel(dir = join(repoRoot(), DEFAULT_MODEL_DIR)): Promise<LoadedModel> {
  const candidate = await readFileModel(dir);
  const verified = verifyModelRelease(candidate, signaturePolicyFor(candidate.origin, []));
  if (!verified.ok) throw new Error(`${dir}: ${verified.refusal.code}: ${verified.refusal.reason}`);
  const loaded = await loadModelSession(verified.model);
  if (!loaded.ok) throw new Error(`${dir}: ${loaded.refusal.code}: ${loaded.refusal.reason}`);
  return { card: verified.model.card, version: verified.model.version, session: loaded.session };
}

export interface RawRunResult {
  batch: number;
  runs: number;
  windows: number;
  seconds: number;
  /** Windows (= predictions) per second. */
  pps: number;
  /** Mean wall time of one session.run, in ms. */
  run_ms: number;
}

/** Standard-normal samples: normalised windows of a healthy fleet are z-scores around 0. */
function randomWindows(values: number): Float32Array {
  const out = new Float32Array(values);
  for (let i = 0; i < values; i += 2) {
    const u = 1 - Math.random();
    const r = Math.sqrt(-2 * Math.log(u));
    const a = 2 * Math.PI * Math.random();
    out[i] = r * Math.cos(a);
    if (i + 1 < values) out[i + 1] = r * Math.sin(a);
  }
  return out;
}

/**
 * session.run in a loop on random normalised windows for `seconds`, one batch shape. A new Tensor
 * per run, as `runRulModel` makes one per batch; a handful of inputs rotate so the loop does not
 * measure one hot buffer.
 */
export async function runRawLoop(model: LoadedModel, batch: number, seconds: number): Promise<RawRunResult> {
  const size = modelInputSize(model.card);
  const inputs = Array.from({ length: 8 }, () => randomWindows(batch * size));
  const run = (i: number) => model.session.run({ [RUL_MODEL_IO.input]: new Tensor('float32', inputs[i % inputs.length], [batch, size]) });
  // Warm-up: the first runs of a shape allocate ORT's buffers and JIT the JS around them.
  for (let i = 0; i < 20; i++) await run(i);
  let runs = 0;
  const t0 = performance.now();
  const until = t0 + seconds * 1000;
  let now = t0;
  while (now < until) {
    await run(runs);
    runs++;
    now = performance.now();
  }
  const elapsed = (now - t0) / 1000;
  return { batch, runs, windows: runs * batch, seconds: elapsed, pps: (runs * batch) / elapsed, run_ms: (elapsed * 1000) / runs };
}
