import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect, type NatsConnection } from 'nats';
import { CMAPSS_SENSORS } from '@millwright/cmapss';
import { Subjects } from '@millwright/contracts';
import { MODEL_CARD_FILE, MODEL_FILE, MODEL_SIGNATURE_FILE, formatSignatureFile, generateSigningKeyPair, parsePrivateKey, releaseObjectName, signCard, type ModelBundleFiles } from '@millwright/model-release';
import { makeTempDir, repoRoot, waitFor, type TempDir } from '@millwright/testing';
import { tinyModelCard, tinyRulOnnx, cardBytesOf } from '../libs/edge/model-registry/src/tiny-rul-model.fixture';
import type { AppHandle } from './support/built-app.process';
import { CentralSyncFixture } from './support/central-sync.fixture';
import { startPredictor } from './support/predictor.process';

const SITES = ['site-a', 'site-b'];
const ENGINES = 4;
const keys = generateSigningKeyPair();
const signingKey = parsePrivateKey(keys.privateKeyPem);
const fd001Card = JSON.parse(readFileSync(join(repoRoot(), 'models', 'fd001', MODEL_CARD_FILE), 'utf8')) as { version: string; window: { length: number; features: string[] } };
const fd001Model = readFileSync(join(repoRoot(), 'models', 'fd001', MODEL_FILE));

/** The committed FD001 model under another version, signed with the test key (optionally tampered after signing, or unsigned). */
function fd001Release(version: string, o: { tamperCard?: boolean; unsigned?: boolean } = {}): ModelBundleFiles {
  const card = { ...fd001Card, version } as typeof fd001Card & { window: { normalisation: { mean: number[] } } };
  const cardBytes = Buffer.from(JSON.stringify(card, null, 2));
  const signatureText = o.unsigned ? undefined : formatSignatureFile(signCard(cardBytes, signingKey));
  if (!o.tamperCard) return { cardBytes, modelBytes: fd001Model, signatureText };
  // A normalisation constant changed after signing: the card still validates, only the signature catches it.
  const mean = [...card.window.normalisation.mean];
  mean[0] += 1;
  const tampered = Buffer.from(JSON.stringify({ ...card, window: { ...card.window, normalisation: { ...card.window.normalisation, mean } } }, null, 2));
  return { cardBytes: tampered, modelBytes: fd001Model, signatureText };
}

/** A signed, valid release for the same windows whose model returns NaN on every real window. */
function nanRelease(version: string): ModelBundleFiles {
  const modelBytes = tinyRulOnnx({ rul: 0, nanOnData: true, windowLength: fd001Card.window.length, features: fd001Card.window.features });
  const cardBytes = cardBytesOf(tinyModelCard(modelBytes, { windowLength: fd001Card.window.length, features: fd001Card.window.features }, version));
  return { cardBytes, modelBytes, signatureText: formatSignatureFile(signCard(cardBytes, signingKey)) };
}

interface SiteRow {
  site: string;
  stage: number;
  state: string;
  code: string | null;
  reason: string | null;
  sentAt: string | null;
  reportedAt: string | null;
  activeVersion: string | null;
  stats: { windows: number; errors: number; meanAbsDiff: number | null } | null;
}
interface ReleaseJson {
  version: string;
  state: string;
  stage: number;
  haltReason: string | null;
  sites: SiteRow[];
}

/**
 * Staged model rollout on a hub and two sites on real nats-servers (each site in its own network
 * namespace as root): the central platform releases signed models to stages, each site's predictor
 * verifies them, runs them in shadow on live readings, then promotes or rolls back by itself; the
 * state per site is visible centrally.
 */
describe('staged model rollout across sites', () => {
  let dir: TempDir;
  let f: CentralSyncFixture;
  let platform: AppHandle;
  const predictors: Record<string, AppHandle> = {};
  let hub: NatsConnection;
  const feeds: NatsConnection[] = [];
  let feeding: NodeJS.Timeout | undefined;

  beforeAll(async () => {
    dir = makeTempDir('mw-staged-rollout-');
    f = await CentralSyncFixture.start(SITES, dir);
    platform = await f.startPlatform();
    const v1 = join(dir.path, 'v1');
    const files = fd001Release('fd001-v1');
    const { mkdirSync, writeFileSync } = await import('node:fs');
    mkdirSync(v1);
    writeFileSync(join(v1, MODEL_CARD_FILE), files.cardBytes);
    writeFileSync(join(v1, MODEL_FILE), files.modelBytes);
    writeFileSync(join(v1, MODEL_SIGNATURE_FILE), files.signatureText!);
    for (const s of SITES) {
      predictors[s] = await startPredictor({ NATS_URL: f.topo.site(s).url, TWIN_SERVICE_URL: f.twins[s].baseUrl, MODEL_DIR: v1, MODEL_PUBLIC_KEYS: keys.publicKeyBase64, SITE_ID: s });
    }
    hub = await connect({ servers: f.topo.hub.url });
    // Live readings at every site, a few per second per engine, for the whole test (shadow runs need data).
    let seq = 0;
    for (const s of SITES) feeds.push(await connect({ servers: f.topo.site(s).url }));
    feeding = setInterval(() => {
      seq++;
      SITES.forEach((s, k) => {
        const readings = Array.from({ length: ENGINES }, (_, i) => ({ site: s, asset: `eng-${i}`, seq, ts: Date.now(), values: Object.fromEntries(CMAPSS_SENSORS.map((n, j) => [n, 100 + j + i + (seq % 50) / 10])) }));
        feeds[k].publish(Subjects.readingBatch(s, 'gw'), Buffer.from(JSON.stringify({ site: s, gateway: 'gw', readings })));
      });
    }, 100);
  }, 120_000);

  afterAll(async () => {
    clearInterval(feeding);
    for (const c of feeds) await c.close();
    await hub?.close();
    for (const p of Object.values(predictors)) await p.stop();
    await platform?.stop();
    await f?.stop();
    dir?.remove();
  });

  async function upload(files: ModelBundleFiles): Promise<string> {
    const version = (JSON.parse(Buffer.from(files.cardBytes).toString()) as { version: string }).version;
    const os = await hub.jetstream().views.os('models');
    await os.putBlob({ name: releaseObjectName(version, MODEL_FILE) }, files.modelBytes);
    await os.putBlob({ name: releaseObjectName(version, MODEL_CARD_FILE) }, files.cardBytes);
    if (files.signatureText) await os.putBlob({ name: releaseObjectName(version, MODEL_SIGNATURE_FILE) }, Buffer.from(files.signatureText));
    return version;
  }

  async function release(files: ModelBundleFiles, shadowMs: number, maxDisagreement = 1): Promise<string> {
    const version = await upload(files);
    const res = await fetch(`${platform.baseUrl}/api/v1/releases`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ version, stages: [['site-a'], ['site-b']], shadowMs, maxDisagreement, by: 'test' }),
    });
    expect(res.status).toBe(201);
    return version;
  }

  const get = async (version: string) => (await (await fetch(`${platform.baseUrl}/api/v1/releases/${version}`)).json()) as ReleaseJson;
  const row = (r: ReleaseJson, site: string) => r.sites.find((s) => s.site === site)!;
  const modelOf = async (site: string) =>
    (await (await fetch(`${predictors[site].baseUrl}/api/v1/model`)).json()) as { version: string; rollout: { shadow: unknown; lastReport: { version: string; state: string; code: string; at: number } | null } };
  const modelAt = async (site: string) => (await modelOf(site)).version;
  const until = (version: string, what: string, ok: (r: ReleaseJson) => boolean, timeoutMs = 60_000) =>
    waitFor(async () => {
      const r = await get(version);
      return ok(r) ? r : undefined;
    }, { timeoutMs, what });

  it('refuses unsigned and tampered releases at the canary, and later stages never receive them', async () => {
    for (const [files, code] of [
      [fd001Release('fd001-unsigned', { unsigned: true }), 'signature_missing'],
      [fd001Release('fd001-tampered', { tamperCard: true }), 'signature_invalid'],
    ] as const) {
      const version = await release(files, 1000);
      const r = await until(version, `${version} to halt`, (x) => x.state === 'halted');
      expect(row(r, 'site-a')).toMatchObject({ state: 'rolled_back', code, activeVersion: 'fd001-v1' });
      expect(r.haltReason).toMatch(new RegExp(`site-a rolled back \\(${code}\\)`));
      expect(row(r, 'site-b')).toMatchObject({ state: 'waiting', sentAt: null });
    }
    expect(await modelAt('site-a')).toBe('fd001-v1');
    expect(await modelAt('site-b')).toBe('fd001-v1');
  }, 120_000);

  it('promotes at the canary, then at the next stage, which was offline and catches up when it returns', async () => {
    await f.topo.cut('site-b');
    const version = await release(fd001Release('fd001-v2'), 3000);
    let r = await until(version, 'the canary to run v2 in shadow', (x) => row(x, 'site-a').state === 'shadow');
    expect(row(r, 'site-b').state).toBe('waiting');
    r = await until(version, 'the canary to promote v2 and stage 2 to begin', (x) => row(x, 'site-a').state === 'promoted' && x.stage === 2);
    expect(row(r, 'site-a').stats).toMatchObject({ errors: 0, meanAbsDiff: 0 });
    expect(row(r, 'site-a').stats!.windows).toBeGreaterThanOrEqual(10);
    expect(await modelAt('site-a')).toBe('fd001-v2');
    // Sent into the hub's downlink for site-b, which is away: it stays pending centrally.
    r = await until(version, 'v2 to be sent for site-b', (x) => row(x, 'site-b').sentAt !== null);
    expect(row(r, 'site-b').state).toBe('pending');
    await new Promise((res) => setTimeout(res, 2000));
    expect(await modelAt('site-b')).toBe('fd001-v1');
    expect(row(await get(version), 'site-b').state).toBe('pending');

    await f.topo.restore('site-b');
    r = await until(version, 'site-b to catch up and promote v2', (x) => x.state === 'completed', 90_000);
    expect(row(r, 'site-b')).toMatchObject({ state: 'promoted', code: 'promoted', activeVersion: 'fd001-v2' });
    expect(await modelAt('site-b')).toBe('fd001-v2');
  }, 180_000);

  it('rolls a release that errors in shadow mode back at the canary, at once, and stops there', async () => {
    // A long shadow period: the rollback must come from the errors, not from the end of the period.
    const version = await release(nanRelease('nan-v3'), 10 * 60_000);
    const r = await until(version, 'the canary to roll nan-v3 back', (x) => x.state === 'halted');
    expect(row(r, 'site-a')).toMatchObject({ state: 'rolled_back', code: 'shadow_errors', activeVersion: 'fd001-v2' });
    expect(row(r, 'site-a').reason).toMatch(/not finite/);
    expect(row(r, 'site-b')).toMatchObject({ state: 'waiting', sentAt: null });
    expect(await modelAt('site-a')).toBe('fd001-v2');
    expect(await modelAt('site-b')).toBe('fd001-v2');

    // A restarted predictor (started from the older file model) runs what the site promoted, and does not retry nan-v3.
    const reportedAt = row(r, 'site-a').reportedAt;
    expect(reportedAt).not.toBeNull();
    await predictors['site-a'].stop();
    // The decision is kept in the site's MODEL_ACTIVE (one per subject, no age limit), not SYNC_OUT:
    // the outbox may drop it under its age and size limits, as here, and the release must still not be retried.
    const siteA = await feeds[SITES.indexOf('site-a')].jetstreamManager();
    const kept = await siteA.streams.info('MODEL_ACTIVE');
    expect(kept.config).toMatchObject({ max_age: 0, max_msgs_per_subject: 1 });
    expect((await siteA.streams.getMessage('MODEL_ACTIVE', { last_by_subj: Subjects.modelDecision('site-a') })).json()).toMatchObject({ version, state: 'rolled_back', code: 'shadow_errors' });
    await siteA.streams.purge('SYNC_OUT', { filter: Subjects.syncModelStatus('site-a') });
    await predictors['site-a'].restart();
    await waitFor(async () => (await modelAt('site-a')) === 'fd001-v2', { what: 'site-a to run fd001-v2 again after a restart' });
    // Its last report of nan-v3 is the one from before the restart, read back from MODEL_ACTIVE: it saw the announcement again and let it be.
    const rollout = await waitFor(async () => {
      const m = await modelOf('site-a');
      return m.rollout.lastReport?.version === version ? m.rollout : undefined;
    }, { what: 'site-a to take up the nan-v3 announcement again after the restart' });
    expect(rollout.shadow).toBeNull();
    expect(rollout.lastReport).toMatchObject({ state: 'rolled_back', code: 'shadow_errors' });
    expect(new Date(rollout.lastReport!.at).toISOString()).toBe(reportedAt);
    await new Promise((res) => setTimeout(res, 1500));
    expect(await modelAt('site-a')).toBe('fd001-v2');
    expect((await modelOf('site-a')).rollout.shadow).toBeNull();
    expect(row(await get(version), 'site-a')).toMatchObject({ state: 'rolled_back', code: 'shadow_errors', reportedAt });

    const list = (await (await fetch(`${platform.baseUrl}/api/v1/releases`)).json()) as { items: ReleaseJson[] };
    expect(list.items.map((x) => [x.version, x.state])).toEqual([
      ['nan-v3', 'halted'],
      ['fd001-v2', 'completed'],
      ['fd001-tampered', 'halted'],
      ['fd001-unsigned', 'halted'],
    ]);
  }, 120_000);

  it('refuses a release whose files were never uploaded, and unknown sites', async () => {
    const post = (body: object) => fetch(`${platform.baseUrl}/api/v1/releases`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(await (await post({ version: 'never-uploaded', stages: [['site-a']], shadowMs: 0, maxDisagreement: 1, by: 't' })).json()).toMatchObject({ code: 'release_files_missing' });
    expect(await (await post({ version: 'fd001-v2', stages: [['site-x']], shadowMs: 0, maxDisagreement: 1, by: 't' })).json()).toMatchObject({ code: 'site_not_found' });
    expect((await post({ version: 'fd001-v2', stages: [['site-a']], shadowMs: 0, maxDisagreement: 1, by: 't' })).status).toBe(409);
  });

  it('refuses a release to a site that another release has not finished with', async () => {
    const post = (body: object) => fetch(`${platform.baseUrl}/api/v1/releases`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    // A long shadow period keeps fd001-v4 undecided at site-a and waiting at site-b for the rest of the test.
    await release(fd001Release('fd001-v4'), 10 * 60_000);
    const v5 = await upload(fd001Release('fd001-v5'));
    for (const stages of [[['site-a']], [['site-b']]]) {
      const res = await post({ version: v5, stages, shadowMs: 0, maxDisagreement: 1, by: 't' });
      expect(res.status).toBe(409);
      expect(await res.json()).toMatchObject({ code: 'release_in_flight' });
    }
    expect((await fetch(`${platform.baseUrl}/api/v1/releases/${v5}`)).status).toBe(404);
  });
});
