import { resolve } from 'node:path';
import { readModelBundle } from '@millwright/model-release';
import type { ModelCandidate } from './model-release.verifier';

/**
 * Reads a model directory (model.onnx, model-card.json and, when signed, model-card.json.sig) as
 * a candidate. Trust is decided by the registry: with public keys configured the directory must
 * hold a signature by one of them; with none configured the model is accepted on its sha256 alone
 * and logged as unsigned (see `signaturePolicyFor`). Missing files throw: a configured model
 * directory that cannot be read is a deployment error, not a release to refuse.
 */
export async function readFileModel(dir: string): Promise<ModelCandidate> {
  const location = resolve(dir);
  return { ...(await readModelBundle(location)), origin: { kind: 'file', location } };
}
