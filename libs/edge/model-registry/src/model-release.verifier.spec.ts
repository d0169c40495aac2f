import { generateSigningKeyPair, parsePublicKey, parseTrustedKeys, type GeneratedKeyPair, type TrustedKey } from '@millwright/model-release';
import type { ModelCard } from '@millwright/rul-features';
import { signaturePolicyFor, verifyModelRelease, type ModelCandidate, type ModelOrigin, type VerificationResult } from './model-release.verifier';
import { tinyModelCard, tinyRelease, tinyRulOnnx } from './tiny-rul-model.fixture';

const file: ModelOrigin = { kind: 'file', location: '/models/fd001' };
const objectStore: ModelOrigin = { kind: 'object-store', location: 'models/v' };
const oldKey = generateSigningKeyPair();
const newKey = generateSigningKeyPair();
const strangerKey = generateSigningKeyPair();

function candidate(o: Parameters<typeof tinyRelease>[0], origin: ModelOrigin = objectStore): ModelCandidate {
  return { ...tinyRelease(o), origin };
}

function verify(c: ModelCandidate, keys: GeneratedKeyPair[]): VerificationResult {
  return verifyModelRelease(c, signaturePolicyFor(c.origin, parseTrustedKeys(keys.map((k) => k.publicKeyBase64))));
}

const refusalCode = (r: VerificationResult) => (r.ok ? 'accepted' : r.refusal.code);
const signer = (r: VerificationResult) => (r.ok ? r.model.signedBy : `refused: ${r.refusal.code}`);

function signedCardVariant(edit: (card: ModelCard) => void): ModelCandidate {
  const modelBytes = tinyRulOnnx({ rul: 100 });
  const card = tinyModelCard(modelBytes);
  edit(card);
  return candidate({ modelBytes, card, privateKeyPem: oldKey.privateKeyPem });
}

describe('verifyModelRelease', () => {
  it('accepts a release signed by a trusted key and says which key and which bytes', () => {
    const c = candidate({ privateKeyPem: oldKey.privateKeyPem });
    const r = verify(c, [oldKey]);
    if (!r.ok) throw new Error(r.refusal.reason);
    expect(r.model.signedBy).toBe(oldKey.id);
    expect(r.model.sha256).toBe(r.model.card.model.sha256);
    expect(r.model.version).toMatch(/^tiny-[0-9a-f]{12}$/);
    expect(Buffer.from(r.model.modelBytes).equals(Buffer.from(c.modelBytes))).toBe(true);
  });

  it('keeps its own copy of the model bytes, so changing the caller buffer afterwards changes nothing', () => {
    const c = candidate({ privateKeyPem: oldKey.privateKeyPem });
    const r = verify(c, [oldKey]);
    c.modelBytes[10] ^= 0xff;
    expect(r.ok && r.model.modelBytes[10]).not.toBe(c.modelBytes[10]);
  });

  it('refuses model bytes that were changed after signing (same length)', () => {
    const c = candidate({ privateKeyPem: oldKey.privateKeyPem });
    c.modelBytes = Uint8Array.from(c.modelBytes);
    c.modelBytes[c.modelBytes.length - 1] ^= 0x01;
    const r = verify(c, [oldKey]);
    expect(refusalCode(r)).toBe('hash_mismatch');
    expect(!r.ok && r.refusal.reason).toContain('hashes to');
  });

  it('refuses model bytes of another length than the card says', () => {
    const c = candidate({ privateKeyPem: oldKey.privateKeyPem });
    c.modelBytes = Uint8Array.from([...c.modelBytes, 0]);
    expect(refusalCode(verify(c, [oldKey]))).toBe('hash_mismatch');
  });

  it('refuses a card changed after signing, even when the change keeps it valid', () => {
    const c = candidate({ privateKeyPem: oldKey.privateKeyPem });
    const card = JSON.parse(new TextDecoder().decode(c.cardBytes)) as ModelCard;
    card.window.normalisation.mean[0] = 642.5;
    c.cardBytes = new TextEncoder().encode(JSON.stringify(card, null, 2) + '\n');
    const r = verify(c, [oldKey]);
    expect(refusalCode(r)).toBe('signature_invalid');
    expect(!r.ok && r.version).toBe(card.version);
  });

  it('refuses a card whose bytes differ only in whitespace: the signature is over bytes, not JSON', () => {
    const c = candidate({ privateKeyPem: oldKey.privateKeyPem });
    c.cardBytes = Uint8Array.from([...c.cardBytes, 0x0a]);
    expect(refusalCode(verify(c, [oldKey]))).toBe('signature_invalid');
  });

  it('refuses a release signed by a key it does not trust, naming the key when the signature file does', () => {
    const c = candidate({ privateKeyPem: strangerKey.privateKeyPem });
    const r = verify(c, [oldKey]);
    expect(refusalCode(r)).toBe('untrusted_key');
    expect(!r.ok && r.refusal.reason).toContain(strangerKey.id);
    const bare = { ...c, signatureText: c.signatureText!.split('\n')[1] };
    expect(refusalCode(verify(bare, [oldKey]))).toBe('signature_invalid');
  });

  it('does not let the unsigned key-id line vouch for a signature', () => {
    const c = candidate({ privateKeyPem: strangerKey.privateKeyPem });
    c.signatureText = c.signatureText!.replace(strangerKey.id, oldKey.id);
    expect(refusalCode(verify(c, [oldKey]))).toBe('signature_invalid');
  });

  it('refuses a release without a signature when keys are configured, from a file too', () => {
    expect(refusalCode(verify(candidate({}, objectStore), [oldKey]))).toBe('signature_missing');
    expect(refusalCode(verify(candidate({}, file), [oldKey]))).toBe('signature_missing');
  });

  it('refuses a malformed signature file', () => {
    const c = candidate({ privateKeyPem: oldKey.privateKeyPem });
    expect(refusalCode(verify({ ...c, signatureText: 'not base64 at all!' }, [oldKey]))).toBe('signature_invalid');
    expect(refusalCode(verify({ ...c, signatureText: Buffer.alloc(32).toString('base64') }, [oldKey]))).toBe('signature_invalid');
  });

  it('without keys, accepts a file model on its sha256 alone but never a model from the object store', () => {
    expect(signer(verify(candidate({}, file), []))).toBeNull();
    const tampered = candidate({}, file);
    tampered.modelBytes = Uint8Array.from(tampered.modelBytes).reverse();
    expect(refusalCode(verify(tampered, []))).toBe('hash_mismatch');
    expect(refusalCode(verify(candidate({ privateKeyPem: oldKey.privateKeyPem }, objectStore), []))).toBe('untrusted_key');
  });

  it('rotates keys: with both keys trusted either signer is accepted; once the old key is dropped, its releases are refused', () => {
    const byOld = candidate({ privateKeyPem: oldKey.privateKeyPem });
    const byNew = candidate({ spec: { rul: 80 }, privateKeyPem: newKey.privateKeyPem });
    const both = [oldKey, newKey];
    expect(signer(verify(byOld, both))).toBe(oldKey.id);
    expect(signer(verify(byNew, both))).toBe(newKey.id);
    expect(refusalCode(verify(byOld, [newKey]))).toBe('untrusted_key');
    expect(signer(verify(byNew, [newKey]))).toBe(newKey.id);
  });

  it('trusts a key given as PEM the same as the raw base64 form', () => {
    const fromPem: TrustedKey = parsePublicKey(oldKey.publicKeyPem);
    expect(fromPem.id).toBe(parsePublicKey(oldKey.publicKeyBase64).id);
    const c = candidate({ privateKeyPem: oldKey.privateKeyPem });
    expect(verifyModelRelease(c, { trustedKeys: [fromPem], allowUnsigned: false }).ok).toBe(true);
  });

  it.each<[string, (card: ModelCard) => void, RegExp]>([
    ['another schema version', (c) => ((c as { schemaVersion: number }).schemaVersion = 2), /schemaVersion/],
    ['an input shape that is not window.length × features', (c) => (c.inputs[0].shape = ['batch', 10]), /\["batch", 12\]/],
    ['normalisation of another size than the features', (c) => c.window.normalisation.std.pop(), /std must hold 3/],
    ['a zero std', (c) => (c.window.normalisation.std[1] = 0), /std must hold 3 positive/],
    ['outputs not named as RUL_MODEL_IO', (c) => (c.outputs[1].name = 'risk'), /outputs must be named rul, failure_risk/],
    ['a version that is unsafe as an object name', (c) => (c.version = '../fd001'), /version/],
    ['a malformed sha256', (c) => (c.model.sha256 = 'abc'), /model.sha256/],
  ])('refuses a correctly signed card with %s', (_what, edit, problem) => {
    const r = verify(signedCardVariant(edit), [oldKey]);
    expect(refusalCode(r)).toBe('card_invalid');
    expect(!r.ok && r.refusal.reason).toMatch(problem);
  });

  it('refuses a card that is not JSON', () => {
    const c = candidate({});
    expect(refusalCode(verify({ ...c, cardBytes: new TextEncoder().encode('{"schemaVersion":'), origin: file }, []))).toBe('card_invalid');
  });

  it('refuses a release whose card disagrees with the pointer that announced it', () => {
    const c = candidate({ privateKeyPem: oldKey.privateKeyPem });
    const r0 = verify(c, [oldKey]);
    if (!r0.ok) throw new Error('fixture not accepted');
    expect(refusalCode(verify({ ...c, expected: { version: r0.model.version, sha256: r0.model.sha256 } }, [oldKey]))).toBe('accepted');
    expect(refusalCode(verify({ ...c, expected: { version: 'fd001-000000000000', sha256: r0.model.sha256 } }, [oldKey]))).toBe('release_invalid');
    expect(refusalCode(verify({ ...c, expected: { version: r0.model.version, sha256: '0'.repeat(64) } }, [oldKey]))).toBe('release_invalid');
  });
});
