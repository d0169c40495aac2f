import { createPublicKey, sign, type KeyObject } from 'node:crypto';
import { keyIdOf } from './ed25519.keys';

/**
 * The signature file (`model-card.json.sig`) is text:
 *
 *     key-id: 1f0c9a3b5d7e2468
 *     <base64 of the raw 64-byte Ed25519 signature over the exact bytes of model-card.json>
 *
 * The `key-id` line is optional and unsigned: it only lets a verifier tell "signed by a key we do
 * not trust" from "corrupt signature". A bare base64 line (e.g. from `openssl pkeyutl -sign`
 * piped through base64) is accepted too. The card is what is signed, not the model: the card
 * holds the model's sha256, so one signature binds both.
 */
export interface CardSignature {
  signature: Buffer;
  keyId?: string;
}

export const SIGNATURE_BYTES = 64;

export function signCard(cardBytes: Uint8Array, privateKey: KeyObject): CardSignature {
  return { signature: sign(null, cardBytes, privateKey), keyId: keyIdOf(createPublicKey(privateKey)) };
}

export function formatSignatureFile(s: CardSignature): string {
  return `${s.keyId ? `key-id: ${s.keyId}\n` : ''}${s.signature.toString('base64')}\n`;
}

export function parseSignatureFile(text: string): { ok: true; signature: CardSignature } | { ok: false; problem: string } {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0);
  let keyId: string | undefined;
  if (lines.length === 2) {
    const m = /^key-id:\s*([0-9a-f]{16})$/.exec(lines[0]);
    if (!m) return { ok: false, problem: 'first line of the signature file is not "key-id: <16 hex digits>"' };
    keyId = m[1];
  } else if (lines.length !== 1) {
    return { ok: false, problem: `signature file has ${lines.length} lines, expected 1 or 2` };
  }
  const b64 = lines[lines.length - 1];
  const signature = Buffer.from(b64, 'base64');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64) || signature.length !== SIGNATURE_BYTES) return { ok: false, problem: `signature is not ${SIGNATURE_BYTES} bytes of base64` };
  return { ok: true, signature: { signature, keyId } };
}
