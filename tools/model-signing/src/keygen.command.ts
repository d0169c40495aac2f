import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateSigningKeyPair } from '@millwright/model-release';

export const PRIVATE_KEY_FILE = 'signing-key.pem';
export const PUBLIC_KEY_PEM_FILE = 'public.pem';
/** The raw key in base64: the form edges are configured with (MODEL_PUBLIC_KEYS). */
export const PUBLIC_KEY_FILE = 'public.key';

export interface KeygenResult {
  keyId: string;
  privateKeyPath: string;
  publicKeyPath: string;
  publicKeyBase64: string;
}

/** Writes a new Ed25519 key pair; never overwrites a private key, which would orphan every release signed with it. */
export async function keygen(outDir: string): Promise<KeygenResult> {
  const pair = generateSigningKeyPair();
  await mkdir(outDir, { recursive: true });
  const privateKeyPath = join(outDir, PRIVATE_KEY_FILE);
  await writeFile(privateKeyPath, pair.privateKeyPem, { mode: 0o600, flag: 'wx' });
  await writeFile(join(outDir, PUBLIC_KEY_PEM_FILE), pair.publicKeyPem);
  const publicKeyPath = join(outDir, PUBLIC_KEY_FILE);
  await writeFile(publicKeyPath, pair.publicKeyBase64 + '\n');
  return { keyId: pair.id, privateKeyPath, publicKeyPath, publicKeyBase64: pair.publicKeyBase64 };
}
