import { join } from 'node:path';
import { Streams, Subjects } from '@millwright/contracts';
import { makeTempDir, natsPerSuite, waitFor } from '@millwright/testing';
import { startTwinService } from './support/twin-service.process';

const SITE = 'plant1';
const KB = 1024;
const values = (i: number) => Object.fromEntries(Array.from({ length: 21 }, (_, s) => [`s${s + 1}`, 500 + ((i * 7 + s) % 97) / 10]));

/**
 * Large gateway batches must not put more in flight than nats-server lets wait for one client
 * (beyond it the server cuts the service off as a slow consumer, and every cut costs an ack wait).
 * The budget here is small so that a modest backlog shows it; the service's default is 32 MB.
 */
describe('twin service: telemetry in flight follows the message size (real nats-server)', () => {
  const nats = natsPerSuite();
  const BUDGET = 2 * 1024 * KB;

  const consumerLimit = async () => (await (await nats.nc.jetstreamManager()).consumers.info(Streams.telemetry.name, Streams.telemetry.twinConsumer)).config.max_ack_pending ?? 0;

  it('drains a backlog of large batches with few messages in flight, and lets more in again when they are small', async () => {
    // The backlog waits in the stream before the service starts: 40 batches of 200 readings (~60 KB each).
    const jsm = await nats.nc.jetstreamManager();
    await jsm.streams.add({ name: Streams.telemetry.name, subjects: [...Streams.telemetry.subjects] });
    const js = nats.nc.jetstream();
    let batchBytes = 0;
    for (let b = 0; b < 40; b++) {
      const readings = Array.from({ length: 200 }, (_, i) => ({ site: SITE, asset: `m${i}`, seq: b + 1, ts: Date.now(), values: values(b * 200 + i) }));
      const data = JSON.stringify({ site: SITE, gateway: 'gw1', readings });
      batchBytes = data.length;
      await js.publish(Subjects.readingBatch(SITE, 'gw1'), data);
    }
    expect(batchBytes).toBeGreaterThan(50 * KB);

    const dir = makeTempDir('mw-inflight-');
    const svc = await startTwinService({ NATS_URL: nats.server.url, TWIN_DB_PATH: join(dir.path, 'twins.db'), SQLITE_SYNCHRONOUS: 'normal', INGEST_MAX_BYTES_IN_FLIGHT: String(BUDGET) });
    try {
      const atLast = async (asset: string, seq: number) => ((await (await fetch(`${svc.baseUrl}/api/v1/twins/${SITE}/${asset}`)).json()) as { lastSeq?: number }).lastSeq === seq;
      await waitFor(async () => (await atLast('m0', 40)) && (await atLast('m199', 40)), { timeoutMs: 30_000, what: 'the backlog of large batches ingested' });
      const whileLarge = await consumerLimit();
      expect(whileLarge).toBeLessThanOrEqual(Math.ceil(BUDGET / batchBytes) + 1);
      expect(whileLarge).toBeGreaterThanOrEqual(16);

      // Then single readings of ~500 bytes: the limit goes back up (the configured 1,000 at most).
      for (let i = 0; i < 1500; i++) nats.nc.publish(Subjects.reading(SITE, 'solo'), JSON.stringify({ site: SITE, asset: 'solo', seq: i + 1, ts: Date.now(), values: values(i) }));
      await nats.nc.flush();
      await waitFor(() => atLast('solo', 1500), { timeoutMs: 30_000, what: 'the single readings ingested' });
      await waitFor(async () => (await consumerLimit()) > whileLarge * 4, { timeoutMs: 10_000, what: 'more messages in flight again' });
      expect(await consumerLimit()).toBeLessThanOrEqual(1000);
    } finally {
      await svc.stop();
      dir.remove();
    }
  });
});
