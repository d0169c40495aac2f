import { join } from 'node:path';
import { connect } from 'nats';
import { Subjects } from '@millwright/contracts';
import { makeTempDir, startNatsServer, waitFor, type NatsServerHandle, type TempDir } from '@millwright/testing';
import type { TwinDto } from '@millwright/twin-api';
import { startTwinService, type TwinServiceHandle } from './support/twin-service.process';

describe('twin service rides out a restart of its NATS server', () => {
  let nats: NatsServerHandle;
  let dir: TempDir;
  let svc: TwinServiceHandle;

  beforeAll(async () => {
    nats = await startNatsServer();
    dir = makeTempDir('mw-broker-');
    svc = await startTwinService({ NATS_URL: nats.url, TWIN_DB_PATH: join(dir.path, 'twins.db'), SQLITE_SYNCHRONOUS: 'normal' });
  });
  afterAll(async () => {
    await svc?.stop();
    await nats?.stop();
    dir?.remove();
  });

  const lastSeq = async () => ((await (await fetch(`${svc.baseUrl}/api/v1/twins/plant1/pump-9`)).json()) as TwinDto).lastSeq;
  async function publish(from: number, to: number): Promise<void> {
    const nc = await connect({ servers: nats.url });
    const js = nc.jetstream();
    for (let seq = from; seq <= to; seq++) {
      await js.publish(Subjects.reading('plant1', 'pump-9'), Buffer.from(JSON.stringify({ site: 'plant1', asset: 'pump-9', seq, ts: Date.now(), values: { T50: seq } })));
    }
    await nc.close();
  }

  it('keeps consuming after the broker comes back, without losing what was stored before', async () => {
    await publish(1, 20);
    await waitFor(async () => (await lastSeq()) === 20, { what: 'first readings' });
    await nats.restart();
    await publish(21, 40);
    await waitFor(async () => (await lastSeq()) === 40, { timeoutMs: 30_000, what: 'readings after the broker restart' });
    const hist = (await (await fetch(`${svc.baseUrl}/api/v1/twins/plant1/pump-9/history?limit=100`)).json()) as { points: Array<{ seq: number }> };
    expect(hist.points.map((p) => p.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    await waitFor(async () => (await fetch(`${svc.baseUrl}/health/ready`)).ok, { what: 'ready again' });
  });
});
