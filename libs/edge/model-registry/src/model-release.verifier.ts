import { verify } from 'node:crypto';
import type { ModelCard } from '@millwright/rul-features';
import { parseSignatureFile, sha256Hex, type ModelBundleFiles, type TrustedKey } from '@millwright/model-release';
import { parseModelCard } from './model-card.validator';
import type { ModelRefusal } from './model-refusal';

export interface ModelOrigin {
  kind: 'file' | 'object-store' | 'downlink';
  /** Human-readable: a directory, or `bucket/version`. */
  location: string;
}

/** A release as a source found it: bytes that nobody has checked yet. */
export interface ModelCandidate extends ModelBundleFiles {
  origin: ModelOrigin;
  /** What the release pointer announced; the card must agree with it. */
  expected?: { version: string; sha256: string };
}

export interface VerifiedModel {
  card: ModelCard;
  version: string;
  sha256: string;
  /** sha256 of the card bytes: the same model with a different card (say, new normalisation) is a different release. */
  cardSha256: string;
  /** A private copy of the bytes that were hashed, so a caller mutating its buffer cannot change what gets loaded. */
  modelBytes: Uint8Array;
  /** Key id of the trusted key whose signature verified; null for an accepted unsigned model. */
  signedBy: string | null;
  origin: ModelOrigin;
}

export interface VerificationPolicy {
  trustedKeys: readonly TrustedKey[];
  /** Accept a model without checking any signature (only when no keys are configured; see `signaturePolicyFor`). */
  allowUnsigned: boolean;
}

export type VerificationResult = { ok: true; model: VerifiedModel } | { ok: false; refusal: ModelRefusal; version?: string };

/**
 * Which signatures a candidate needs. With trusted keys configured, every model must be signed by
 * one of them. With none configured, a model from a local directory is accepted on its sha256
 * alone (development, or a site that provisions models by hand) and the registry logs it as
 * unsigned; a model from the object store is always refused, since it arrives over the network.
 */
export function signaturePolicyFor(origin: ModelOrigin, trustedKeys: readonly TrustedKey[]): VerificationPolicy {
  return { trustedKeys, allowUnsigned: trustedKeys.length === 0 && origin.kind === 'file' };
}

function checkSignature(c: ModelCandidate, policy: VerificationPolicy): { ok: true; signedBy: string | null } | { ok: false; refusal: ModelRefusal } {
  if (policy.allowUnsigned) return { ok: true, signedBy: null };
  if (policy.trustedKeys.length === 0) return { ok: false, refusal: { code: 'untrusted_key', reason: 'no trusted public keys are configured, so no signature can be accepted' } };
  if (c.signatureText === undefined) return { ok: false, refusal: { code: 'signature_missing', reason: 'the release has no model-card.json.sig' } };
  const parsed = parseSignatureFile(c.signatureText);
  if (!parsed.ok) return { ok: false, refusal: { code: 'signature_invalid', reason: parsed.problem } };
  const { signature, keyId } = parsed.signature;
  const signer = policy.trustedKeys.find((k) => verify(null, c.cardBytes, k.key, signature));
  if (signer) return { ok: true, signedBy: signer.id };
  if (keyId !== undefined && !policy.trustedKeys.some((k) => k.id === keyId)) {
    return { ok: false, refusal: { code: 'untrusted_key', reason: `signed by key ${keyId}, trusted keys are ${policy.trustedKeys.map((k) => k.id).join(', ')}` } };
  }
  return { ok: false, refusal: { code: 'signature_invalid', reason: 'no trusted key verifies the signature over the card bytes' } };
}

/** The version a card claims, for labelling a refusal; nothing is trusted from it. */
function claimedVersion(cardBytes: Uint8Array): string | undefined {
  try {
    const v = (JSON.parse(new TextDecoder().decode(cardBytes)) as { version?: unknown }).version;
    return typeof v === 'string' ? v.slice(0, 128) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Decides whether a release may be loaded: signature over the exact card bytes first (so a
 * tampered card is reported as such, not as whatever its edits broke), then the card's schema and
 * consistency, then agreement with the release pointer, then the model bytes against the card.
 * Pure: no I/O, no clock.
 */
export function verifyModelRelease(c: ModelCandidate, policy: VerificationPolicy): VerificationResult {
  const refuse = (refusal: ModelRefusal): VerificationResult => ({ ok: false, refusal, version: claimedVersion(c.cardBytes) ?? c.expected?.version });
  const sig = checkSignature(c, policy);
  if (!sig.ok) return refuse(sig.refusal);

  const parsed = parseModelCard(c.cardBytes);
  if (!parsed.ok) return refuse({ code: 'card_invalid', reason: parsed.problems.join('; ') });
  const { card } = parsed;

  if (c.expected && (c.expected.version !== card.version || c.expected.sha256 !== card.model.sha256)) {
    return refuse({ code: 'release_invalid', reason: `release pointer announces ${c.expected.version} (${c.expected.sha256.slice(0, 12)}), the card is ${card.version} (${card.model.sha256.slice(0, 12)})` });
  }

  const modelBytes = new Uint8Array(c.modelBytes);
  if (modelBytes.length !== card.model.bytes) return refuse({ code: 'hash_mismatch', reason: `model is ${modelBytes.length} bytes, the card says ${card.model.bytes}` });
  const sha256 = sha256Hex(modelBytes);
  if (sha256 !== card.model.sha256) return refuse({ code: 'hash_mismatch', reason: `model hashes to ${sha256}, the card says ${card.model.sha256}` });

  return { ok: true, model: { card, version: card.version, sha256, cardSha256: sha256Hex(c.cardBytes), modelBytes, signedBy: sig.signedBy, origin: c.origin } };
}
