/**
 * Where a model release lives, shared by whoever publishes (the signing CLI today, the central
 * platform later) and the edge that consumes it. A release is three files, stored under
 * `<version>/` in an object store bucket, and made current by a pointer in a KV bucket: objects
 * first, pointer last, so an edge never sees a pointer to a release that is only half uploaded.
 */
export const MODEL_FILE = 'model.onnx';
export const MODEL_CARD_FILE = 'model-card.json';
export const MODEL_SIGNATURE_FILE = 'model-card.json.sig';

export const DEFAULT_MODEL_BUCKET = 'models';
export const DEFAULT_RELEASE_BUCKET = 'model-releases';
export const DEFAULT_RELEASE_KEY = 'current';

/**
 * Versions become object names and log fields, so they are restricted to characters that are safe
 * in both (no `/`, no `..`, no spaces). Training's `<subset>-<sha256 prefix>` fits.
 */
export const MODEL_VERSION_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export type ReleaseFile = typeof MODEL_FILE | typeof MODEL_CARD_FILE | typeof MODEL_SIGNATURE_FILE;

export function releaseObjectName(version: string, file: ReleaseFile): string {
  if (!MODEL_VERSION_PATTERN.test(version)) throw new Error(`model version ${JSON.stringify(version)} does not match ${MODEL_VERSION_PATTERN}`);
  return `${version}/${file}`;
}

/** The value of the release key: which release the edges should run. */
export interface ReleasePointer {
  version: string;
  /** sha256 of model.onnx, hex; must equal the card's `model.sha256`. */
  sha256: string;
  /** ISO 8601. */
  publishedAt: string;
}

export function encodeReleasePointer(p: ReleasePointer): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(p));
}

/** Parses a pointer written by anyone; returns the problem instead of throwing, since it comes off the network. */
export function decodeReleasePointer(bytes: Uint8Array): { ok: true; pointer: ReleasePointer } | { ok: false; problem: string } {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return { ok: false, problem: 'release pointer is not JSON' };
  }
  const p = value as Partial<ReleasePointer> | null;
  if (typeof p !== 'object' || p === null) return { ok: false, problem: 'release pointer is not an object' };
  if (typeof p.version !== 'string' || !MODEL_VERSION_PATTERN.test(p.version)) return { ok: false, problem: `release pointer version ${JSON.stringify(p.version)} is not a valid version` };
  if (typeof p.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(p.sha256)) return { ok: false, problem: 'release pointer sha256 is not 64 lowercase hex digits' };
  if (typeof p.publishedAt !== 'string' || Number.isNaN(Date.parse(p.publishedAt))) return { ok: false, problem: 'release pointer publishedAt is not a date' };
  return { ok: true, pointer: { version: p.version, sha256: p.sha256, publishedAt: p.publishedAt } };
}
