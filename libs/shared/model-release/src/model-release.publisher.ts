import type { NatsConnection } from 'nats';
import {
  DEFAULT_MODEL_BUCKET,
  DEFAULT_RELEASE_BUCKET,
  DEFAULT_RELEASE_KEY,
  MODEL_CARD_FILE,
  MODEL_FILE,
  MODEL_SIGNATURE_FILE,
  encodeReleasePointer,
  releaseObjectName,
  type ReleasePointer,
} from './release-layout';
import type { ModelBundleFiles } from './model-bundle.reader';

export interface PublishReleaseOptions {
  bucket?: string;
  releaseBucket?: string;
  releaseKey?: string;
  now?: Date;
}

/** Pointer history kept in the KV bucket: enough to see what ran before a bad release. */
const RELEASE_HISTORY = 16;

/** Version and claimed sha256 from the card; the card is not otherwise checked here (the edge verifies). */
function releaseIdentity(cardBytes: Uint8Array): { version: string; sha256: string } {
  const card = JSON.parse(new TextDecoder().decode(cardBytes)) as { version?: unknown; model?: { sha256?: unknown } };
  if (typeof card.version !== 'string' || typeof card.model?.sha256 !== 'string') throw new Error('model card has no version or model.sha256');
  return { version: card.version, sha256: card.model.sha256 };
}

/**
 * Uploads a release's objects under `<version>/`, then points the release key at it. Publishing is
 * transport only: it does not verify, because trust is decided where the model runs. Buckets are
 * created if missing.
 */
export async function publishModelRelease(nc: NatsConnection, files: ModelBundleFiles, o: PublishReleaseOptions = {}): Promise<ReleasePointer> {
  const { version, sha256 } = releaseIdentity(files.cardBytes);
  const js = nc.jetstream();
  const os = await js.views.os(o.bucket ?? DEFAULT_MODEL_BUCKET);
  await os.putBlob({ name: releaseObjectName(version, MODEL_FILE) }, files.modelBytes);
  await os.putBlob({ name: releaseObjectName(version, MODEL_CARD_FILE) }, files.cardBytes);
  const sigName = releaseObjectName(version, MODEL_SIGNATURE_FILE);
  if (files.signatureText !== undefined) {
    await os.putBlob({ name: sigName }, new TextEncoder().encode(files.signatureText));
  } else if (await os.info(sigName)) {
    // A signature left from an earlier upload of this version would be paired with the new card.
    await os.delete(sigName);
  }
  const pointer: ReleasePointer = { version, sha256, publishedAt: (o.now ?? new Date()).toISOString() };
  const kv = await js.views.kv(o.releaseBucket ?? DEFAULT_RELEASE_BUCKET, { history: RELEASE_HISTORY });
  await kv.put(o.releaseKey ?? DEFAULT_RELEASE_KEY, encodeReleasePointer(pointer));
  return pointer;
}
