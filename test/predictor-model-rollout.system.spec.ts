import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CMAPSS_SENSORS } from '@millwright/cmapss';
import { Subjects, type PredictionBatchV1 } from '@millwright/contracts';
import { formatSignatureFile, generateSigningKeyPair, parsePrivateKey, publishModelRelease, signCard } from '@millwright/model-release';
import { repoRoot, waitFor } from '@millwright/testing';
import { startPredictor, type PredictorHandle } from './support/predictor.process';
import { twinStackPerSuite } from './support/twin-service.process';

const keys = generateSigningKeyPair();
const signingKey = parsePrivateKey(keys.privateKeyPem);

/** A copy of the default model under another version, signed with the test key. */
function release(dir: string, version: string, tamper = false) {
  cpSync(join(repoRoot(), 'models', 'fd001'), dir, { recursive: true });
  const card = JSON.parse(readFileSync(join(dir, 'model-card.json'), 'utf8')) as { version: string };
  card.version = version;
  const cardBytes = Buffer.from(JSON.stringify(card, null, 2));
  writeFileSync(join(dir, 'model-card.json'), cardBytes);
  writeFileSync(join(dir, 'model-card.json.sig'), formatSignatureFile(signCard(cardBytes, signingKey)));
  const modelBytes = readFileSync(join(dir, 'model.onnx'));
  if (tamper) modelBytes[modelBytes.length - 10] ^= 0xff;
  return { cardBytes, modelBytes, signatureText: readFileSync(join(dir, 'model-card.json.sig'), 'utf8') };
}

describe('predictor takes signed model releases from the NATS object store without a restart', () => {
  const stack = twinStackPerSuite('mw-rollout-');
  let predictor: PredictorHandle;
  let seq = 0;

  beforeAll(async () => {
    release(join(stack.dir.path, 'v1'), 'fd001-site-v1');
    predictor = await startPredictor({
      NATS_URL: stack.nats.url,
      TWIN_SERVICE_URL: stack.svc.baseUrl,
      MODEL_DIR: join(stack.dir.path, 'v1'),
      MODEL_BUCKET: 'models',
      MODEL_PUBLIC_KEYS: keys.publicKeyBase64,
    });
  });
  afterAll(async () => {
    await predictor?.stop();
  });

  /** Sends enough readings for a window and returns the model version of the prediction they cause. */
  async function predictionVersion(): Promise<string> {
    const got: PredictionBatchV1[] = [];
    const sub = stack.nc.subscribe(Subjects.predictions('plant1'), { callback: (_e, m) => got.push(m.json<PredictionBatchV1>()) });
    const first = seq + 1;
    const readings = Array.from({ length: 30 }, () => ({ site: 'plant1', asset: 'eng-1', seq: ++seq, ts: Date.now(), values: Object.fromEntries(CMAPSS_SENSORS.map((n, i) => [n, 100 + i + seq / 100])) }));
    stack.nc.publish(Subjects.readingBatch('plant1', 'gw'), Buffer.from(JSON.stringify({ site: 'plant1', gateway: 'gw', readings })));
    const p = await waitFor(() => got.flatMap((b) => b.predictions).find((x) => x.status === 'ok' && x.basedOnSeq === seq), { what: `a prediction from readings ${first}-${seq}` });
    sub.unsubscribe();
    return p.modelVersion;
  }
  const modelStatus = async () => (await (await fetch(`${predictor.baseUrl}/api/v1/model`)).json()) as { version: string; lastRefusal: { code: string; version: string } | null };

  it('predicts with the signed file model it started with', async () => {
    expect(await predictionVersion()).toBe('fd001-site-v1');
  });

  it('swaps to a new signed release published centrally, with no restart', async () => {
    const pid = predictor.process.child.pid;
    await publishModelRelease(stack.nc, release(join(stack.dir.path, 'v2'), 'fd001-site-v2'));
    await waitFor(async () => (await modelStatus()).version === 'fd001-site-v2', { what: 'the registry to activate v2' });
    expect(await predictionVersion()).toBe('fd001-site-v2');
    expect(predictor.process.child.pid).toBe(pid);
  });

  it('refuses a tampered release and keeps serving the running model', async () => {
    await publishModelRelease(stack.nc, release(join(stack.dir.path, 'v3'), 'fd001-site-v3', true));
    await waitFor(async () => (await modelStatus()).lastRefusal?.version === 'fd001-site-v3', { what: 'the refusal of v3' });
    const status = await modelStatus();
    expect(status).toMatchObject({ version: 'fd001-site-v2', lastRefusal: { code: 'hash_mismatch', version: 'fd001-site-v3' } });
    expect(await predictionVersion()).toBe('fd001-site-v2');
  });

  it('refuses a release signed by a key it does not trust', async () => {
    const other = generateSigningKeyPair();
    const files = release(join(stack.dir.path, 'v4'), 'fd001-site-v4');
    const signatureText = formatSignatureFile(signCard(files.cardBytes, parsePrivateKey(other.privateKeyPem)));
    await publishModelRelease(stack.nc, { ...files, signatureText });
    await waitFor(async () => (await modelStatus()).lastRefusal?.version === 'fd001-site-v4', { what: 'the refusal of v4' });
    expect(await modelStatus()).toMatchObject({ version: 'fd001-site-v2', lastRefusal: { code: 'untrusted_key' } });
  });
});
