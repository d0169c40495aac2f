import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect, type NatsConnection } from 'nats';
import { CMAPSS_SENSORS, CMAPSS_SETTINGS, readCmapssFile, requireCmapssFile } from '@millwright/cmapss';
import { Subjects } from '@millwright/contracts';
import { deployedNodeOptions, freePort, makeTempDir, repoRoot, startNatsServer, startProcess, waitFor, WaitAborted, type NatsServerHandle, type RunningProcess, type TempDir } from '@millwright/testing';
import type { TwinDto } from '@millwright/twin-api';
import { builtApp } from './support/built-app.process';

const MODEL_DIR = join(repoRoot(), 'models', 'fd001');
const card = JSON.parse(readFileSync(join(MODEL_DIR, 'model-card.json'), 'utf8')) as { version: string; validation: { units: number[] } };
const SITE = 'plant1';

describe('edge all-in-one: twin service, predictor and maintenance in one process (real nats-server)', () => {
  let nats: NatsServerHandle;
  let dir: TempDir;
  let nc: NatsConnection;
  let proc: RunningProcess;
  const port = { twin: 0, predictor: 0, maintenance: 0 };

  beforeAll(async () => {
    nats = await startNatsServer();
    dir = makeTempDir('mw-aio-');
    port.twin = await freePort();
    port.predictor = await freePort();
    port.maintenance = await freePort();
    proc = startProcess(process.execPath, [builtApp('edge-allinone')], {
      env: {
        ...process.env,
        // As its Deployment runs it: one heap cap for all the services it hosts.
        NODE_OPTIONS: deployedNodeOptions('edge-allinone')!,
        NATS_URL: nats.url,
        HTTP_HOST: '127.0.0.1',
        TWIN_SERVICE__HTTP_PORT: String(port.twin),
        PREDICTOR__HTTP_PORT: String(port.predictor),
        MAINTENANCE__HTTP_PORT: String(port.maintenance),
        TWIN_SERVICE_URL: `http://127.0.0.1:${port.twin}`,
        TWIN_DB_PATH: join(dir.path, 'twins.db'),
        MAINTENANCE_DB_PATH: join(dir.path, 'maintenance.db'),
        SQLITE_SYNCHRONOUS: 'normal',
        MODEL_DIR,
        POLICIES_FILE: join(repoRoot(), 'config', 'policies', 'default.json'),
        // Nobody answers here: the order is planned and stays in the outbox, which is all this test needs.
        SUPPLIER_URL: `http://127.0.0.1:${await freePort()}`,
      },
    });
    // Readiness on the last service's port covers all three (each reports its siblings).
    await waitFor(
      async () => {
        if (proc.child.exitCode !== null) throw new WaitAborted(`edge-allinone exited with ${proc.child.exitCode}:\n${proc.output()}`);
        return (await fetch(`http://127.0.0.1:${port.maintenance}/health/ready`).catch(() => undefined))?.ok;
      },
      { timeoutMs: 20_000, what: 'edge-allinone readiness' },
    );
    nc = await connect({ servers: nats.url });
  });
  afterAll(async () => {
    await nc?.close();
    await proc?.stop();
    await nats?.stop();
    dir?.remove();
  });

  it('serves each service on its own port, each with its own metrics registry', async () => {
    for (const [service, p] of [['twin-service', port.twin], ['predictor', port.predictor], ['maintenance', port.maintenance]] as const) {
      const metrics = await (await fetch(`http://127.0.0.1:${p}/metrics`)).text();
      expect(metrics).toContain(`service="${service}"`);
      for (const other of ['twin-service', 'predictor', 'maintenance'].filter((s) => s !== service)) expect(metrics).not.toContain(`service="${other}"`);
    }
    const model = (await (await fetch(`http://127.0.0.1:${port.predictor}/api/v1/model`)).json()) as { version: string };
    expect(model.version).toBe(card.version);
  });

  it('takes readings to a twin, a prediction and a replacement order, all inside the one process', async () => {
    const unit = card.validation.units[0];
    const engine = readCmapssFile(requireCmapssFile('train_FD001.txt')).find((e) => e.unit === unit)!;
    // Five cycles before the engine failed: any sane prediction is inside lead time plus margin.
    const rows = engine.rows.slice(0, engine.rows.length - 5);
    const readings = rows.map((r) => ({
      site: SITE,
      asset: 'eng-aio',
      seq: r.cycle,
      ts: Date.now() - (rows.length - r.cycle) * 1000,
      assetClass: 'turbofan',
      values: Object.fromEntries([...CMAPSS_SETTINGS.map((n, i) => [n, r.settings[i]]), ...CMAPSS_SENSORS.map((n, i) => [n, r.sensors[i]])]),
    }));
    for (let i = 0; i < readings.length; i += 50) {
      nc.publish(Subjects.readingBatch(SITE, 'gw-1'), Buffer.from(JSON.stringify({ site: SITE, gateway: 'gw-1', readings: readings.slice(i, i + 50) })));
    }
    const last = rows[rows.length - 1].cycle;
    const twin = await waitFor(
      async () => {
        const t = (await (await fetch(`http://127.0.0.1:${port.twin}/api/v1/twins/${SITE}/eng-aio`)).json()) as TwinDto;
        return (t.derived?.prediction as { basedOnSeq?: number } | undefined)?.basedOnSeq === last ? t : undefined;
      },
      { timeoutMs: 30_000, what: 'a prediction of the last reading in the twin' },
    );
    expect(twin.derived.prediction).toMatchObject({ status: 'ok', modelVersion: card.version });
    const order = await waitFor(
      async () => {
        const body = (await (await fetch(`http://127.0.0.1:${port.maintenance}/api/v1/orders?asset=eng-aio`)).json()) as { items: { asset: string; partNumber: string }[] };
        return body.items[0];
      },
      { timeoutMs: 15_000, what: 'a replacement order for the engine' },
    );
    expect(order).toMatchObject({ asset: 'eng-aio', partNumber: 'HPC-MODULE-01' });
  });

  it('stops every service and exits 0 on SIGTERM', async () => {
    proc.child.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
    expect(proc.output()).toMatch(/SIGTERM: stopping/);
    await expect(fetch(`http://127.0.0.1:${port.twin}/health/live`)).rejects.toThrow();
  });
});
