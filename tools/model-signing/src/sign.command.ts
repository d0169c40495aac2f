import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { MODEL_FILE, formatSignatureFile, parsePrivateKey, sha256Hex, signCard } from '@millwright/model-release';

export interface SignResult {
  signaturePath: string;
  keyId: string;
  version: string;
}

/**
 * Signs the exact bytes of a model card and writes `<card>.sig`. When model.onnx sits next to the
 * card it must hash to the card's sha256: signing a card left over from an earlier training run
 * would publish a release that every edge refuses.
 */
export async function signModelCard(cardPath: string, privateKeyPath: string): Promise<SignResult> {
  const cardBytes = await readFile(cardPath);
  const card = JSON.parse(cardBytes.toString('utf8')) as { version?: string; model?: { sha256?: string } };
  if (typeof card.version !== 'string' || typeof card.model?.sha256 !== 'string') throw new Error(`${cardPath} has no version or model.sha256`);
  const model = await readFile(join(dirname(cardPath), MODEL_FILE)).catch(() => undefined);
  if (model) {
    const sha = sha256Hex(model);
    if (sha !== card.model.sha256) throw new Error(`${MODEL_FILE} next to the card hashes to ${sha}, the card says ${card.model.sha256}`);
  }
  const signature = signCard(cardBytes, parsePrivateKey(await readFile(privateKeyPath, 'utf8')));
  const signaturePath = `${cardPath}.sig`;
  await writeFile(signaturePath, formatSignatureFile(signature));
  return { signaturePath, keyId: signature.keyId!, version: card.version };
}
