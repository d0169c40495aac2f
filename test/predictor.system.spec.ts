import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect, type NatsConnection } from 'nats';
import { CMAPSS_SENSORS, CMAPSS_SETTINGS, readCmapssFile, requireCmapssFile } from '@millwright/cmapss';
import { Subjects, type PredictionBatchV1 } from '@millwright/contracts';
import { makeTempDir, repoRoot, startNatsServer, waitFor, type NatsServerHandle, type TempDir } from '@millwright/testing';
import type { TwinDto } from '@millwright/twin-api';
import { startPredictor, type PredictorHandle } from './support/predictor.process';
import { startTwinService, type TwinServiceHandle } from './support/twin-service.process';

const MODEL_DIR = join(repoRoot(), 'models', 'fd001');
const card = JSON.parse(readFileSync(join(MODEL_DIR, 'model-card.json'), 'utf8')) as { version: string; validation: { units: number[] } };

describe('predictor: readings -> twin -> prediction (real nats-server, twin service, ONNX Runtime)', () => {
  let nats: NatsServerHandle;
  let dir: TempDir;
  let twins: TwinServiceHandle;
  let predictor: PredictorHandle;
  let nc: NatsConnection;

  beforeAll(async () => {
    nats = await startNatsServer();
    dir = makeTempDir('mw-pred-');
    twins = await startTwinService({ NATS_URL: nats.url, TWIN_DB_PATH: join(dir.path, 'twins.db'), SQLITE_SYNCHRONOUS: 'normal' });
    predictor = await startPredictor({ NATS_URL: nats.url, TWIN_SERVICE_URL: twins.baseUrl, MODEL_DIR });
    nc = await connect({ servers: nats.url });
  });
  afterAll(async () => {
    await nc?.close();
    await predictor?.stop();
    await twins?.stop();
    await nats?.stop();
    dir?.remove();
  });

  const twin = async (asset: string) => (await (await fetch(`${twins.baseUrl}/api/v1/twins/plant1/${asset}`)).json()) as TwinDto;

  it('predicts a validation engine near its failure and stores the prediction in the twin', async () => {
    // A unit the model never trained on, replayed up to 20 cycles before it failed.
    const unit = card.validation.units[0];
    const engine = readCmapssFile(requireCmapssFile('train_FD001.txt')).find((e) => e.unit === unit)!;
    const rows = engine.rows.slice(0, engine.rows.length - 20);
    const predictions: PredictionBatchV1[] = [];
    const sub = nc.subscribe(Subjects.predictions('plant1'), { callback: (_e, m) => predictions.push(m.json<PredictionBatchV1>()) });
    const readings = rows.map((r) => ({
      site: 'plant1',
      asset: 'eng-val',
      seq: r.cycle,
      ts: Date.now() - (rows.length - r.cycle) * 1000,
      values: Object.fromEntries([...CMAPSS_SETTINGS.map((n, i) => [n, r.settings[i]]), ...CMAPSS_SENSORS.map((n, i) => [n, r.sensors[i]])]),
    }));
    for (let i = 0; i < readings.length; i += 50) {
      nc.publish(Subjects.readingBatch('plant1', 'gw-1'), Buffer.from(JSON.stringify({ site: 'plant1', gateway: 'gw-1', readings: readings.slice(i, i + 50) })));
    }
    const last = rows[rows.length - 1].cycle;
    const t = await waitFor(async () => {
      const tw = await twin('eng-val');
      return (tw.derived?.prediction as { basedOnSeq?: number } | undefined)?.basedOnSeq === last ? tw : undefined;
    }, { timeoutMs: 30_000, what: 'a prediction based on the last reading' });
    const p = t.derived.prediction as { status: string; rul: number; failureRisk: number; modelVersion: string };
    expect(p).toMatchObject({ status: 'ok', modelVersion: card.version });
    expect(Math.abs(p.rul - 20)).toBeLessThan(25);
    expect(p.failureRisk).toBeGreaterThan(0.3);
    expect((t.derived.health as { status: string }).status).not.toBe('ok');
    expect(predictions.flatMap((b) => b.predictions).some((x) => x.asset === 'eng-val' && x.basedOnSeq === last)).toBe(true);
    sub.unsubscribe();
  });

  it('says why an asset with too little history has no prediction', async () => {
    const values = Object.fromEntries(CMAPSS_SENSORS.map((n) => [n, 1]));
    for (let seq = 1; seq <= 5; seq++) nc.publish(Subjects.reading('plant1', 'eng-new'), Buffer.from(JSON.stringify({ site: 'plant1', asset: 'eng-new', seq, ts: Date.now(), values })));
    const t = await waitFor(async () => {
      const tw = await twin('eng-new').catch(() => undefined);
      return tw?.derived?.prediction ? tw : undefined;
    }, { what: 'the insufficient-history note' });
    expect(t.derived.prediction).toMatchObject({ status: 'insufficient_history', modelVersion: card.version });
    expect((t.derived.prediction as { detail: string }).detail).toMatch(/needs 30 readings/);
    expect(t.derived.health).toMatchObject({ status: 'unknown' });
  });

  it('rebuilds windows from history after a restart instead of starting empty', async () => {
    await predictor.stop();
    predictor = await startPredictor({ NATS_URL: nats.url, TWIN_SERVICE_URL: twins.baseUrl, MODEL_DIR });
    const before = await twin('eng-val');
    const values = Object.fromEntries(CMAPSS_SENSORS.map((n) => [n, (before.reported[n] as { v: number }).v]));
    const seq = before.lastSeq + 1;
    nc.publish(Subjects.reading('plant1', 'eng-val'), Buffer.from(JSON.stringify({ site: 'plant1', asset: 'eng-val', seq, ts: Date.now(), values })));
    const t = await waitFor(async () => {
      const tw = await twin('eng-val');
      return (tw.derived.prediction as { basedOnSeq: number }).basedOnSeq === seq ? tw : undefined;
    }, { what: 'a prediction after restart' });
    expect(t.derived.prediction).toMatchObject({ status: 'ok' });
    const metrics = await (await fetch(`${predictor.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/millwright_window_resyncs_total\{[^}]*result="ok"[^}]*\} [1-9]/);
  });
});
