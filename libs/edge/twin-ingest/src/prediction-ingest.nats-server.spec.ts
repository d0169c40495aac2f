import { Streams, Subjects, type PredictionBatchV1, type PredictionV1 } from '@millwright/contracts';
import { HealthRegistry, MetricsRegistry } from '@millwright/observability';
import { natsPerSuite, waitFor } from '@millwright/testing';
import { openTwinDatabase, TwinChangeFeed, TwinSqliteStore } from '@millwright/twin-data-access';
import { IngestBatchProcessor } from './ingest-batch.processor';
import { PredictionIngestService } from './prediction-ingest.service';
import type { TelemetryIngestOptions } from './telemetry-ingest.options';

const SITE = 's1';
const ASSETS = ['a0', 'a1', 'a2', 'a3', 'a4', 'a5'];

const options = (maxBatchReadings: number): TelemetryIngestOptions => ({
  maxBatchReadings,
  maxAckPending: 1000,
  maxBytesInFlight: 32 * 1024 ** 2,
  ackWaitMs: 30_000,
  streamMaxBytes: 64 * 1024 * 1024,
  streamMaxAgeMs: 3_600_000,
  deadLetterMaxAgeMs: 3_600_000,
  deadLetterMaxBytes: 16 * 1024 * 1024,
  predictionsMaxAgeMs: 3_600_000,
  predictionsMaxBytes: 16 * 1024 * 1024,
  replicas: 1,
});

const prediction = (asset: string, modelVersion: string): PredictionV1 => ({
  site: SITE,
  asset,
  status: 'ok',
  rul: 90,
  failureRisk: 0.05,
  health: 'ok',
  modelVersion,
  at: Date.now(),
  basedOnSeq: 1,
});

describe('PredictionIngestService on a real nats-server', () => {
  const nats = natsPerSuite();

  it('takes a backlog in commits of about INGEST_MAX_BATCH predictions, and stores every one of them', async () => {
    const { dataSource, db } = await openTwinDatabase({ path: ':memory:', synchronous: 'off' });
    const store = new TwinSqliteStore(db);
    const ingest = new IngestBatchProcessor(store);
    const firstReadings = ASSETS.map((asset, i) => ({ subject: Subjects.reading(SITE, asset), seq: i + 1, data: Buffer.from(JSON.stringify({ site: SITE, asset, seq: 1, ts: Date.now(), values: { T50: 1400 } })) }));
    ingest.commit(firstReadings);

    // The backlog is in the stream before the service starts: 6 messages of 3 predictions each.
    const jsm = await nats.nc.jetstreamManager();
    await jsm.streams.add({ name: Streams.predictions.name, subjects: [...Streams.predictions.subjects] });
    const js = nats.nc.jetstream();
    for (let m = 0; m < 6; m++) {
      const body: PredictionBatchV1 = { site: SITE, predictions: ASSETS.slice(0, 3).map((a) => prediction(ASSETS[(ASSETS.indexOf(a) + m) % ASSETS.length], `m${m}`)) };
      await js.publish(Subjects.predictions(SITE), JSON.stringify(body));
    }

    const commits: number[] = [];
    const commitDerived = store.commitDerived.bind(store);
    jest.spyOn(store, 'commitDerived').mockImplementation((changes) => {
      commits.push(changes.length);
      commitDerived(changes);
    });
    const metrics = new MetricsRegistry();
    const service = new PredictionIngestService(nats.nc, options(5), store, new TwinChangeFeed(), metrics, new HealthRegistry());
    try {
      await service.onApplicationBootstrap();
      await waitFor(() => commits.reduce((a, b) => a + b, 0) === 18, { timeoutMs: 10_000, what: 'all 18 predictions stored' });
      // About 5 per commit: messages of 3 are taken until 5 are reached, so at most two at a time,
      // never the whole backlog of 18 in one commit.
      expect(commits.length).toBeGreaterThanOrEqual(3);
      expect(Math.max(...commits)).toBeLessThanOrEqual(6);
      for (const asset of ASSETS) expect(store.get(SITE, asset)?.derived.prediction).toMatchObject({ modelVersion: expect.stringMatching(/^m[0-5]$/) });
      expect(store.get(SITE, 'a0')?.version).toBe(1 + 3);
    } finally {
      await service.onApplicationShutdown();
      await dataSource.destroy();
    }
  });
});
