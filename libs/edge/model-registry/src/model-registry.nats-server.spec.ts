import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { connect, type NatsConnection } from 'nats';
import { NatsConnectionModule } from '@millwright/messaging';
import {
  MODEL_CARD_FILE,
  MODEL_FILE,
  MODEL_SIGNATURE_FILE,
  encodeReleasePointer,
  generateSigningKeyPair,
  publishModelRelease,
  type GeneratedKeyPair,
  type ModelBundleFiles,
} from '@millwright/model-release';
import { makeTempDir, startNatsServer, waitFor, type NatsServerHandle, type TempDir } from '@millwright/testing';
import { ModelRegistry } from './model.registry';
import { ModelRegistryModule } from './model-registry.module';
import type { ModelRegistryModuleOptions } from './model-registry.options';
import { modelInputSize, runRulModel } from './rul-model.runner';
import { tinyRelease } from './tiny-rul-model.fixture';

const key = generateSigningKeyPair();
const stranger = generateSigningKeyPair();
let server: NatsServerHandle;
let nc: NatsConnection;
let temp: TempDir;
const apps: TestingModule[] = [];
let bucketSeq = 0;

beforeAll(async () => {
  Logger.overrideLogger(['error']);
  server = await startNatsServer();
  nc = await connect({ servers: server.url });
  temp = makeTempDir('mw-model-registry-');
}, 30_000);

afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()));
});

afterAll(async () => {
  await nc?.close();
  await server?.stop();
  temp?.remove();
});

/** A tiny-model release, signed by `signer` (null: unsigned). */
const release = (rul: number, signer: GeneratedKeyPair | null = key) => tinyRelease({ spec: { rul }, privateKeyPem: signer?.privateKeyPem });
const versionOf = (files: ModelBundleFiles) => (JSON.parse(new TextDecoder().decode(files.cardBytes)) as { version: string }).version;

async function writeModelDir(name: string, files: ModelBundleFiles): Promise<string> {
  const dir = join(temp.path, name);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, MODEL_FILE), files.modelBytes);
  await writeFile(join(dir, MODEL_CARD_FILE), files.cardBytes);
  if (files.signatureText !== undefined) await writeFile(join(dir, MODEL_SIGNATURE_FILE), files.signatureText);
  return dir;
}

/** Fresh buckets per test, so one test's releases are not another's starting pointer. */
function buckets() {
  bucketSeq++;
  return { natsBucket: `models-${bucketSeq}`, releaseBucket: `releases-${bucketSeq}`, releaseKey: 'current' };
}

/** Starts the module as a service would; NATS only when the options follow releases, so a failed start leaves no connection behind. */
async function startRegistry(o: ModelRegistryModuleOptions): Promise<ModelRegistry> {
  const nats = o.natsBucket ? [NatsConnectionModule.forRoot({ servers: server.url, name: 'model-registry-spec' })] : [];
  const app = await Test.createTestingModule({ imports: [...nats, ModelRegistryModule.forRoot(o)] }).compile();
  apps.push(app);
  await app.init();
  return app.get(ModelRegistry);
}

async function predictZero(registry: ModelRegistry) {
  const model = registry.current()!;
  const out = await runRulModel(model, new Float32Array(modelInputSize(model.card)));
  return { version: out.modelVersion, rul: out.rul[0] };
}

describe('ModelRegistryModule against a real nats-server', () => {
  it('starts on the file model, then swaps to a release published to the object store, without a restart', async () => {
    const v1 = release(100);
    const b = buckets();
    const registry = await startRegistry({ modelDir: await writeModelDir('v1', v1), ...b, publicKeys: [key.publicKeyBase64] });
    expect(await predictZero(registry)).toEqual({ version: versionOf(v1), rul: 100 });

    const v2 = release(50);
    const pointer = await publishModelRelease(nc, v2, { bucket: b.natsBucket, releaseBucket: b.releaseBucket });
    expect(pointer.version).toBe(versionOf(v2));
    await waitFor(() => registry.current()?.version === versionOf(v2), { what: 'the published release to become active' });
    expect(await predictZero(registry)).toEqual({ version: versionOf(v2), rul: 50 });
    expect(registry.status().active).toEqual(expect.objectContaining({ signedBy: key.id, origin: `object-store:${b.natsBucket}/${versionOf(v2)}` }));
  });

  it('refuses tampered, foreign-signed and incomplete releases from the object store, and keeps predicting with the running model', async () => {
    const b = buckets();
    const v1 = release(100);
    await publishModelRelease(nc, v1, { bucket: b.natsBucket, releaseBucket: b.releaseBucket });
    const registry = await startRegistry({ ...b, publicKeys: [key.publicKeyBase64] });
    await waitFor(() => registry.current()?.version === versionOf(v1), { what: 'the current release to load at start' });

    const expectRefused = async (code: string, version: string) => {
      await waitFor(() => registry.status().lastRefusal?.code === code && registry.status().lastRefusal?.version === version, { what: `a ${code} refusal of ${version}` });
      expect(await predictZero(registry)).toEqual({ version: versionOf(v1), rul: 100 });
    };

    const tampered = release(50);
    tampered.modelBytes = Uint8Array.from(tampered.modelBytes);
    tampered.modelBytes[20] ^= 0x01;
    await publishModelRelease(nc, tampered, { bucket: b.natsBucket, releaseBucket: b.releaseBucket });
    await expectRefused('hash_mismatch', versionOf(tampered));

    const foreign = release(40, stranger);
    await publishModelRelease(nc, foreign, { bucket: b.natsBucket, releaseBucket: b.releaseBucket });
    await expectRefused('untrusted_key', versionOf(foreign));

    const unsigned = release(30, null);
    await publishModelRelease(nc, unsigned, { bucket: b.natsBucket, releaseBucket: b.releaseBucket });
    await expectRefused('signature_missing', versionOf(unsigned));

    const kv = await nc.jetstream().views.kv(b.releaseBucket);
    await kv.put('current', encodeReleasePointer({ version: 'tiny-000000000000', sha256: '0'.repeat(64), publishedAt: new Date().toISOString() }));
    await expectRefused('release_incomplete', 'tiny-000000000000');

    expect(registry.status()).toEqual(expect.objectContaining({ activations: 1, refusals: 4 }));
  });

  it('fails the start when the configured file model is refused', async () => {
    const v1 = release(100);
    const tampered = { ...v1, modelBytes: Uint8Array.from(v1.modelBytes).reverse() };
    await expect(startRegistry({ modelDir: await writeModelDir('tampered', tampered), publicKeys: [key.publicKeyBase64] })).rejects.toThrow(/hash_mismatch/);
    await expect(startRegistry({ modelDir: await writeModelDir('unsigned', release(100, null)), publicKeys: [key.publicKeyBase64] })).rejects.toThrow(/signature_missing/);
  });

  it('accepts an unsigned file model when no public keys are configured, and says so', async () => {
    const registry = await startRegistry({ modelDir: await writeModelDir('dev', release(70, null)), publicKeys: [] });
    expect(registry.status().active).toEqual(expect.objectContaining({ signedBy: null, origin: expect.stringMatching(/^file:.*dev$/) }));
    expect((await predictZero(registry)).rul).toBe(70);
  });

  it('refuses to start with options that cannot work', async () => {
    const app = (o: ModelRegistryModuleOptions) => Test.createTestingModule({ imports: [ModelRegistryModule.forRoot(o)] }).compile();
    await expect(app({ ...buckets(), publicKeys: [] })).rejects.toThrow(/natsBucket needs at least one public key/);
    await expect(app({ publicKeys: [key.publicKeyBase64] })).rejects.toThrow(/set modelDir, natsBucket or both/);
    await expect(app({ modelDir: temp.path, publicKeys: ['not-a-key'] })).rejects.toThrow(/public key #1/);
    const withoutNats = await app({ ...buckets(), publicKeys: [key.publicKeyBase64] });
    apps.push(withoutNats);
    await expect(withoutNats.init()).rejects.toThrow(/no NATS_CONNECTION/);
  });
});
