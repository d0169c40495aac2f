import { generateKeyPairSync } from 'node:crypto';
import { formatSignatureFile, parseSignatureFile, signCard } from './card.signature';
import { generateSigningKeyPair, parsePrivateKey, parsePublicKey, parseTrustedKeys } from './ed25519.keys';
import { decodeReleasePointer, encodeReleasePointer, releaseObjectName } from './release-layout';
import { chunkBytes, decodeReleaseBundle, encodeReleaseBundle } from './release-bundle';
import { sha256Hex } from './sha256';

const pair = generateSigningKeyPair();

describe('signature file', () => {
  it('round-trips the signature and the signer key id', () => {
    const s = signCard(new TextEncoder().encode('{"version":"v"}'), parsePrivateKey(pair.privateKeyPem));
    const text = formatSignatureFile(s);
    expect(text).toMatch(new RegExp(`^key-id: ${pair.id}\\n[A-Za-z0-9+/]{86}==\\n$`));
    expect(parseSignatureFile(text)).toEqual({ ok: true, signature: { signature: s.signature, keyId: pair.id } });
    expect(parseSignatureFile(text.split('\n')[1])).toEqual({ ok: true, signature: { signature: s.signature, keyId: undefined } });
  });

  it('rejects malformed files with the reason', () => {
    expect(parseSignatureFile('a\nb\nc')).toEqual({ ok: false, problem: expect.stringMatching(/3 lines/) });
    expect(parseSignatureFile('key: x\nAAAA')).toEqual({ ok: false, problem: expect.stringMatching(/key-id/) });
    expect(parseSignatureFile(Buffer.alloc(63).toString('base64'))).toEqual({ ok: false, problem: expect.stringMatching(/64 bytes/) });
  });
});

describe('public keys', () => {
  it('names every bad configured key at once', () => {
    expect(() => parseTrustedKeys([pair.publicKeyBase64, 'short', Buffer.alloc(32).toString('hex')])).toThrow(/public key #2.*; public key #3/);
  });

  it('refuses a PEM key of another algorithm', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect(() => parsePublicKey(ec)).toThrow(/expected ed25519/);
  });
});

describe('release layout', () => {
  it('keeps versions that could escape their folder out of object names', () => {
    expect(releaseObjectName('fd001-0123456789ab', 'model.onnx')).toBe('fd001-0123456789ab/model.onnx');
    expect(() => releaseObjectName('../x', 'model.onnx')).toThrow(/does not match/);
  });

  it('decodes a pointer it encoded and refuses malformed ones', () => {
    const p = { version: 'fd001-0123456789ab', sha256: 'a'.repeat(64), publishedAt: '2026-01-01T00:00:00.000Z' };
    expect(decodeReleasePointer(encodeReleasePointer(p))).toEqual({ ok: true, pointer: p });
    expect(decodeReleasePointer(new TextEncoder().encode('nope'))).toEqual({ ok: false, problem: 'release pointer is not JSON' });
    expect(decodeReleasePointer(encodeReleasePointer({ ...p, sha256: 'A'.repeat(64) }))).toEqual({ ok: false, problem: expect.stringMatching(/sha256/) });
  });
});

describe('release bundle', () => {
  it('survives chunking with the card bytes unchanged', () => {
    const files = { cardBytes: Buffer.from('{"version": "v"}\n'), modelBytes: Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 256)), signatureText: 'key-id: 0123456789abcdef\nAAAA\n' };
    const bytes = encodeReleaseBundle(files);
    const chunks = chunkBytes(bytes, 100);
    expect(chunks.length).toBe(Math.ceil(bytes.length / 100));
    const joined = Buffer.concat(chunks.map((c) => Buffer.from(c, 'base64')));
    expect(sha256Hex(joined)).toBe(sha256Hex(bytes));
    const back = decodeReleaseBundle(joined);
    expect(back.ok && Buffer.from(back.files.cardBytes).equals(files.cardBytes)).toBe(true);
    expect(back.ok && back.files.signatureText).toBe(files.signatureText);
    expect(decodeReleaseBundle(Buffer.from('{}'))).toEqual({ ok: false, problem: expect.stringMatching(/card, model/) });
  });
});
