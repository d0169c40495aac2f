import { InferenceSession } from 'onnxruntime-node';
import type { ModelRefusal } from './model-refusal';
import type { VerifiedModel } from './model-release.verifier';
import { modelInputSize, runRulModel } from './rul-model.runner';

export type ModelLoadResult = { ok: true; session: InferenceSession } | { ok: false; refusal: ModelRefusal };

/**
 * Batch sizes of the smoke inference: 1 as the brief for a single asset, and 2 because a graph
 * exported with a fixed batch of 1 passes the first and would fail on the first real micro-batch.
 */
const SMOKE_BATCHES = [1, 2];

/**
 * Creates a session from verified bytes and proves it works before anyone relies on it: a
 * verified model can still be one onnxruntime rejects (unsupported opset) or one that does not
 * produce what its card promises.
 */
export async function loadModelSession(model: VerifiedModel): Promise<ModelLoadResult> {
  let session: InferenceSession;
  try {
    // One thread each: the graph is small, and thread hand-offs would cost more than they save.
    session = await InferenceSession.create(model.modelBytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  } catch (e) {
    return { ok: false, refusal: { code: 'load_failed', reason: `onnxruntime: ${(e as Error).message}` } };
  }
  try {
    const handle = { version: model.version, sha256: model.sha256, card: model.card, session };
    for (const batch of SMOKE_BATCHES) {
      const out = await runRulModel(handle, new Float32Array(batch * modelInputSize(model.card)));
      if (![...out.rul, ...out.failureRisk].every(Number.isFinite)) throw new Error(`non-finite output on a zero window (batch ${batch})`);
    }
    return { ok: true, session };
  } catch (e) {
    await session.release().catch(() => undefined);
    return { ok: false, refusal: { code: 'smoke_failed', reason: (e as Error).message } };
  }
}
