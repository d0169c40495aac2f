import { statSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createHash, createPublicKey, verify } from 'node:crypto';
import { join } from 'node:path';
import { connect, type NatsConnection } from 'nats';
import { decodeReleasePointer, parsePublicKey, parseSignatureFile } from '@millwright/model-release';
import { makeTempDir, startNatsServer, type NatsServerHandle, type TempDir } from '@millwright/testing';
import { parseCliArgs } from './cli-args.parser';
import { PUBLIC_KEY_PEM_FILE, keygen } from './keygen.command';
import { publishModelDir } from './publish.command';
import { signModelCard } from './sign.command';

let temp: TempDir;
let server: NatsServerHandle;
let nc: NatsConnection;

beforeAll(async () => {
  temp = makeTempDir('mw-model-signing-');
  server = await startNatsServer();
  nc = await connect({ servers: server.url });
}, 30_000);

afterAll(async () => {
  await nc?.close();
  await server?.stop();
  temp?.remove();
});

/** A model directory as training leaves it: some model bytes and a card naming their sha256. */
async function modelDir(name: string, modelBytes = Buffer.from(`model ${name}`)): Promise<string> {
  const dir = join(temp.path, name);
  await mkdir(dir, { recursive: true });
  const sha256 = createHash('sha256').update(modelBytes).digest('hex');
  await writeFile(join(dir, 'model.onnx'), modelBytes);
  await writeFile(join(dir, 'model-card.json'), JSON.stringify({ version: `fd001-${sha256.slice(0, 12)}`, model: { sha256, bytes: modelBytes.length } }, null, 2) + '\n');
  return dir;
}

describe('model-signing commands', () => {
  it('keygen writes a private key and both public forms, which name the same key', async () => {
    const out = join(temp.path, 'keys-a');
    const k = await keygen(out);
    const raw = parsePublicKey(await readFile(k.publicKeyPath, 'utf8'));
    const pem = parsePublicKey(await readFile(join(out, PUBLIC_KEY_PEM_FILE), 'utf8'));
    expect([raw.id, pem.id]).toEqual([k.keyId, k.keyId]);
    expect(statSync(k.privateKeyPath).mode & 0o777).toBe(0o600);
    await expect(keygen(out)).rejects.toThrow(/EEXIST/);
  });

  it('sign writes an Ed25519 signature over the exact card bytes, verifiable with the public key', async () => {
    const k = await keygen(join(temp.path, 'keys-b'));
    const dir = await modelDir('b');
    const r = await signModelCard(join(dir, 'model-card.json'), k.privateKeyPath);
    const parsed = parseSignatureFile(await readFile(r.signaturePath, 'utf8'));
    if (!parsed.ok) throw new Error(parsed.problem);
    expect(parsed.signature.keyId).toBe(k.keyId);
    const publicKey = createPublicKey(await readFile(join(temp.path, 'keys-b', PUBLIC_KEY_PEM_FILE), 'utf8'));
    const card = await readFile(join(dir, 'model-card.json'));
    expect(verify(null, card, publicKey, parsed.signature.signature)).toBe(true);
    expect(verify(null, Buffer.concat([card, Buffer.from(' ')]), publicKey, parsed.signature.signature)).toBe(false);
  });

  it('sign refuses a card that does not describe the model next to it', async () => {
    const k = await keygen(join(temp.path, 'keys-c'));
    const dir = await modelDir('c');
    await writeFile(join(dir, 'model.onnx'), 'retrained since');
    await expect(signModelCard(join(dir, 'model-card.json'), k.privateKeyPath)).rejects.toThrow(/hashes to/);
  });

  it('publish uploads the three files under <version>/ and then moves the release pointer', async () => {
    const k = await keygen(join(temp.path, 'keys-d'));
    const dir = await modelDir('d');
    const signed = await signModelCard(join(dir, 'model-card.json'), k.privateKeyPath);
    const pointer = await publishModelDir(server.url, dir, { bucket: 'models-d', releaseBucket: 'releases-d', now: new Date('2026-01-02T03:04:05Z') });
    expect(pointer).toEqual({ version: signed.version, sha256: expect.stringMatching(/^[0-9a-f]{64}$/), publishedAt: '2026-01-02T03:04:05.000Z' });

    const js = nc.jetstream();
    const os = await js.views.os('models-d');
    expect(Buffer.from((await os.getBlob(`${signed.version}/model.onnx`))!)).toEqual(await readFile(join(dir, 'model.onnx')));
    expect(Buffer.from((await os.getBlob(`${signed.version}/model-card.json`))!)).toEqual(await readFile(join(dir, 'model-card.json')));
    expect(new TextDecoder().decode((await os.getBlob(`${signed.version}/model-card.json.sig`))!)).toBe(await readFile(signed.signaturePath, 'utf8'));
    const entry = await (await js.views.kv('releases-d')).get('current');
    expect(decodeReleasePointer(entry!.value)).toEqual({ ok: true, pointer });
  });

  it('publish refuses an unsigned directory and a model that does not match its card, before touching NATS', async () => {
    const dir = await modelDir('e');
    await expect(publishModelDir('nats://127.0.0.1:1', dir)).rejects.toThrow(/sign it first/);
    await writeFile(join(dir, 'model-card.json.sig'), 'x');
    await writeFile(join(dir, 'model.onnx'), 'other bytes');
    await expect(publishModelDir('nats://127.0.0.1:1', dir)).rejects.toThrow(/hashes to/);
  });

  it('parses options that all take values', () => {
    expect(parseCliArgs(['sign', '--card', 'c.json', '--key', 'k.pem'])).toEqual({ command: 'sign', options: { card: 'c.json', key: 'k.pem' } });
    expect(() => parseCliArgs(['sign', '--card'])).toThrow(/needs a value/);
    expect(() => parseCliArgs(['sign', 'c.json'])).toThrow(/unexpected argument/);
  });
});
