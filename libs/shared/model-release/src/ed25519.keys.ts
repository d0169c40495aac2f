import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { sha256Hex } from './sha256';

/**
 * Ed25519 keys for model releases.
 *
 * Trusted public keys are configured as strings, each either
 * - the raw 32-byte public key in base64 (44 characters, one line: what `keygen` writes to
 *   `public.key`, and what fits in an environment variable list), or
 * - an SPKI PEM block (`-----BEGIN PUBLIC KEY-----`, as `openssl pkey -pubout` writes).
 * Several keys may be trusted at once, so a new signing key can be rolled out to the edges before
 * the first release signed with it, and the old one retired after.
 *
 * A key is named by its key id: the first 16 hex digits of sha256(raw public key). Signature files
 * carry it so that a release signed by a key the edge does not trust is reported as such rather
 * than as a corrupt signature.
 */
export interface TrustedKey {
  id: string;
  key: KeyObject;
}

export interface GeneratedKeyPair {
  id: string;
  /** PKCS#8 PEM: keep it off the edge. */
  privateKeyPem: string;
  /** SPKI PEM. */
  publicKeyPem: string;
  /** Raw 32 bytes, base64: the configured form. */
  publicKeyBase64: string;
}

const RAW_KEY_BYTES = 32;

function rawPublicKey(key: KeyObject): Buffer {
  const jwk = key.export({ format: 'jwk' });
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string') throw new Error('not an Ed25519 public key');
  return Buffer.from(jwk.x, 'base64url');
}

export function keyIdOf(publicKey: KeyObject): string {
  return sha256Hex(rawPublicKey(publicKey)).slice(0, 16);
}

export function generateSigningKeyPair(): GeneratedKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return {
    id: keyIdOf(publicKey),
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    publicKeyBase64: rawPublicKey(publicKey).toString('base64'),
  };
}

/** Parses one configured public key (raw base64 or SPKI PEM); throws with a message fit for a config error. */
export function parsePublicKey(text: string): TrustedKey {
  const trimmed = text.trim();
  let key: KeyObject;
  if (trimmed.startsWith('-----BEGIN')) {
    key = createPublicKey({ key: trimmed, format: 'pem' });
  } else {
    const raw = Buffer.from(trimmed, 'base64');
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(trimmed) || raw.length !== RAW_KEY_BYTES) throw new Error(`public key is neither a PEM block nor ${RAW_KEY_BYTES} bytes of base64`);
    key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' });
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`public key is ${key.asymmetricKeyType}, expected ed25519`);
  return { id: keyIdOf(key), key };
}

/** Parses every configured key, naming each bad one, so a misconfigured service refuses to start. */
export function parseTrustedKeys(texts: readonly string[]): TrustedKey[] {
  const problems: string[] = [];
  const keys: TrustedKey[] = [];
  texts.forEach((t, i) => {
    try {
      keys.push(parsePublicKey(t));
    } catch (e) {
      problems.push(`public key #${i + 1}: ${(e as Error).message}`);
    }
  });
  if (problems.length) throw new Error(problems.join('; '));
  return keys;
}

export function parsePrivateKey(pem: string): KeyObject {
  const key = createPrivateKey({ key: pem, format: 'pem' });
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`private key is ${key.asymmetricKeyType}, expected ed25519`);
  return key;
}
