import type { ModelBundleFiles } from './model-bundle.reader';

/**
 * A release as one byte string for transports without an object store (the hub-to-site downlink):
 * JSON `{card, model, signature}` with card and model in base64, so the card's exact bytes (which
 * the signature covers) survive the trip. Cut into chunks that fit a NATS message.
 */
export const RELEASE_CHUNK_BYTES = 256 * 1024;

interface BundleJson {
  card: string;
  model: string;
  signature: string | null;
}

export function encodeReleaseBundle(files: ModelBundleFiles): Uint8Array {
  const b: BundleJson = { card: Buffer.from(files.cardBytes).toString('base64'), model: Buffer.from(files.modelBytes).toString('base64'), signature: files.signatureText ?? null };
  return Buffer.from(JSON.stringify(b));
}

export function decodeReleaseBundle(bytes: Uint8Array): { ok: true; files: ModelBundleFiles } | { ok: false; problem: string } {
  let b: Partial<BundleJson>;
  try {
    b = JSON.parse(Buffer.from(bytes).toString('utf8')) as Partial<BundleJson>;
  } catch {
    return { ok: false, problem: 'release bundle is not JSON' };
  }
  if (typeof b?.card !== 'string' || typeof b.model !== 'string' || (b.signature !== null && typeof b.signature !== 'string')) return { ok: false, problem: 'release bundle is not {card, model, signature}' };
  return { ok: true, files: { cardBytes: Buffer.from(b.card, 'base64'), modelBytes: Buffer.from(b.model, 'base64'), signatureText: b.signature ?? undefined } };
}

/** Splits bytes into base64 chunks of at most `chunkBytes` raw bytes each (at least one chunk). */
export function chunkBytes(bytes: Uint8Array, chunkBytes = RELEASE_CHUNK_BYTES): string[] {
  const out: string[] = [];
  for (let i = 0; i < bytes.length || out.length === 0; i += chunkBytes) out.push(Buffer.from(bytes.subarray(i, i + chunkBytes)).toString('base64'));
  return out;
}
