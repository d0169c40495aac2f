import { connect } from 'nats';
import { publishModelRelease, readModelBundle, sha256Hex, type PublishReleaseOptions, type ReleasePointer } from '@millwright/model-release';

/**
 * Publishes a signed model directory to the object store and moves the release pointer. Checks
 * only what would make every edge refuse the release (no signature, model not matching its card);
 * whether the signature is trusted is each edge's decision.
 */
export async function publishModelDir(natsUrl: string, dir: string, o: PublishReleaseOptions = {}): Promise<ReleasePointer> {
  const files = await readModelBundle(dir);
  if (files.signatureText === undefined) throw new Error(`${dir} has no model-card.json.sig: sign it first`);
  const card = JSON.parse(new TextDecoder().decode(files.cardBytes)) as { model?: { sha256?: string } };
  const sha = sha256Hex(files.modelBytes);
  if (sha !== card.model?.sha256) throw new Error(`model.onnx in ${dir} hashes to ${sha}, the card says ${card.model?.sha256}`);
  const nc = await connect({ servers: natsUrl.split(','), name: 'model-signing-publish' });
  try {
    return await publishModelRelease(nc, files, o);
  } finally {
    await nc.drain();
  }
}
