import { Streams, Subjects } from '@millwright/contracts';
import { waitFor } from '@millwright/testing';
import type { TwinDto } from '@millwright/twin-api';
import { twinStackPerSuite } from './support/twin-service.process';

const ASSETS = 60;
const READINGS_PER_ASSET = 200;
const KILLS = 4;
const enc = (x: unknown) => Buffer.from(JSON.stringify(x));
const asset = (i: number) => `eng-${String(i).padStart(3, '0')}`;
/** Every value is a function of (asset, seq), so the expected final state is known exactly. */
const values = (i: number, seq: number) => ({ T50: 1400 + i + seq / 8, P30: 550 - seq / 16, Nf: 2388 + (seq % 7) });

describe('twin service survives kill -9 while readings flow', () => {
  const stack = twinStackPerSuite('mw-crash-', {
    SQLITE_SYNCHRONOUS: 'full',
    // Small batches and a short ack wait make a kill land mid-batch and redelivery come quickly.
    INGEST_MAX_BATCH: '200',
    INGEST_ACK_WAIT: '1s',
  });

  it('ends with every twin exactly as the readings dictate: nothing lost, nothing applied twice', async () => {
    const { nc, svc } = stack;
    const js = nc.jetstream();
    let published = false;
    let killsMidStream = 0;
    const publishing = (async () => {
      // Half the fleet sends single readings, half sends batches of 10; every publish waits for the
      // stream's ack, so everything below is in the stream even while the service is down.
      for (let seq = 1; seq <= READINGS_PER_ASSET; seq += 10) {
        const acks: Promise<unknown>[] = [];
        for (let i = 0; i < ASSETS; i++) {
          const readings = Array.from({ length: 10 }, (_, k) => ({ site: 'plant1', asset: asset(i), seq: seq + k, ts: Date.now(), values: values(i, seq + k) }));
          if (i % 2 === 0) for (const r of readings) acks.push(js.publish(Subjects.reading('plant1', r.asset), enc(r)));
          else acks.push(js.publish(Subjects.readingBatch('plant1', `gw-${i}`), enc({ site: 'plant1', gateway: `gw-${i}`, readings })));
        }
        await Promise.all(acks);
        await new Promise((r) => setTimeout(r, 300));
      }
      published = true;
    })();

    const crashes = (async () => {
      for (let k = 0; k < KILLS; k++) {
        await new Promise((r) => setTimeout(r, 150 + Math.random() * 350));
        if (!published) killsMidStream++;
        await svc.kill9();
        await new Promise((r) => setTimeout(r, 100));
        await svc.restart();
      }
    })();
    await Promise.all([publishing, crashes]);
    // The kills must have hit the service while readings were still arriving, or this proves nothing.
    expect(killsMidStream).toBeGreaterThanOrEqual(2);

    const jsm = await nc.jetstreamManager();
    await waitFor(
      async () => {
        const c = await jsm.consumers.info(Streams.telemetry.name, Streams.telemetry.twinConsumer);
        return c.num_pending === 0 && c.num_ack_pending === 0;
      },
      { timeoutMs: 60_000, what: 'the backlog to drain after the crashes' },
    );

    const expectedSeqs = Array.from({ length: READINGS_PER_ASSET }, (_, k) => k + 1);
    for (let i = 0; i < ASSETS; i++) {
      const twin = (await (await fetch(`${svc.baseUrl}/api/v1/twins/plant1/${asset(i)}`)).json()) as TwinDto;
      const last = values(i, READINGS_PER_ASSET);
      expect({ asset: twin.asset, lastSeq: twin.lastSeq, T50: twin.reported.T50.v, P30: twin.reported.P30.v, Nf: twin.reported.Nf.v }).toEqual({
        asset: asset(i),
        lastSeq: READINGS_PER_ASSET,
        T50: last.T50,
        P30: last.P30,
        Nf: last.Nf,
      });
      // A version counts applied changes: more than one per reading would mean a reading applied twice.
      expect(twin.version).toBeGreaterThan(0);
      expect(twin.version).toBeLessThanOrEqual(READINGS_PER_ASSET);
      const hist = (await (await fetch(`${svc.baseUrl}/api/v1/twins/plant1/${asset(i)}/history?limit=5000`)).json()) as { points: Array<{ seq: number; values: Record<string, number> }> };
      expect(hist.points.map((p) => p.seq)).toEqual(expectedSeqs);
      for (const p of hist.points) expect(p.values).toEqual(values(i, p.seq));
    }
    const metrics = await (await fetch(`${svc.baseUrl}/metrics`)).text();
    expect(metrics).not.toMatch(/millwright_readings_rejected_total\{/);
  });
});
