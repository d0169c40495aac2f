import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MODEL_CARD_FILE, MODEL_FILE, MODEL_SIGNATURE_FILE } from './release-layout';

/** The three files of a release as bytes, before anyone has checked them. */
export interface ModelBundleFiles {
  /** The exact bytes of model-card.json: the signature is over these, not over a re-serialisation. */
  cardBytes: Uint8Array;
  modelBytes: Uint8Array;
  /** Contents of model-card.json.sig, if there is one. */
  signatureText?: string;
}

/** Reads a model directory (model.onnx, model-card.json, optional model-card.json.sig). */
export async function readModelBundle(dir: string): Promise<ModelBundleFiles> {
  const [cardBytes, modelBytes, signatureText] = await Promise.all([
    readFile(join(dir, MODEL_CARD_FILE)),
    readFile(join(dir, MODEL_FILE)),
    readFile(join(dir, MODEL_SIGNATURE_FILE), 'utf8').catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return undefined;
      throw e;
    }),
  ]);
  return { cardBytes, modelBytes, signatureText };
}
