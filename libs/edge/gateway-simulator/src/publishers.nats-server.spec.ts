import { Subjects, parseTelemetryMessage, type Reading } from '@millwright/contracts';
import { startNatsServer, waitFor, type NatsServerHandle } from '@millwright/testing';
import { connect, type JetStreamManager, type NatsConnection } from 'nats';
import { syntheticEngines } from './engine.source';
import { connectMqttPublisher } from './mqtt.publisher';
import { connectNatsPublisher } from './nats.publisher';
import { runSimulation, type SimulationOptions } from './replay.runner';
import type { TelemetryPublisher } from './telemetry.publisher';

const STREAM = 'SIM_TEST';
let server: NatsServerHandle;
let nc: NatsConnection;
let jsm: JetStreamManager;

beforeAll(async () => {
  server = await startNatsServer();
  nc = await connect({ servers: server.url });
  jsm = await nc.jetstreamManager();
  await jsm.streams.add({ name: STREAM, subjects: [Subjects.allTelemetry] });
}, 30_000);

afterAll(async () => {
  await nc?.close();
  await server?.stop();
});

/** Every message the stream holds for one site, decoded as the edge would. */
async function storedFor(site: string): Promise<{ subjects: string[]; readings: Reading[] }> {
  const info = await jsm.streams.info(STREAM);
  const subjects: string[] = [];
  const readings: Reading[] = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
    const m = await jsm.streams.getMessage(STREAM, { seq });
    if (!m.subject.startsWith(`telemetry.v1.${site}.`)) continue;
    const parsed = parseTelemetryMessage(m.subject, m.data, Date.now());
    expect(parsed.rejections).toEqual([]);
    subjects.push(m.subject);
    readings.push(...parsed.readings);
  }
  return { subjects, readings };
}

/** Waits for the stream to hold `count` readings of the site (core and MQTT publishes are stored asynchronously). */
async function waitForStored(site: string, count: number): Promise<{ subjects: string[]; readings: Reading[] }> {
  let last = { subjects: [] as string[], readings: [] as Reading[] };
  await waitFor(async () => (last = await storedFor(site)).readings.length >= count, { what: `${count} readings of ${site} in the stream` });
  return last;
}

const options = (site: string, over: Partial<SimulationOptions> = {}): SimulationOptions => ({
  site,
  gateway: 'gw-1',
  engines: syntheticEngines({ count: 3, seed: 4 }),
  maxCycles: 20,
  ...over,
});

async function replay(publisher: TelemetryPublisher, opts: SimulationOptions) {
  try {
    return await runSimulation(opts, publisher);
  } finally {
    await publisher.close();
  }
}

describe('publishing a replay into a real nats-server', () => {
  it('NATS, one reading per message: the stream holds every reading on its asset subject', async () => {
    const s = await replay(await connectNatsPublisher(server.url), options('nats-single'));
    expect(s).toEqual(expect.objectContaining({ readingsSent: 60, messagesSent: 60, transport: 'nats' }));
    const stored = await waitForStored('nats-single', 60);
    expect(stored.readings).toHaveLength(60);
    expect(new Set(stored.subjects)).toEqual(new Set(['engine-001', 'engine-002', 'engine-003'].map((a) => Subjects.reading('nats-single', a))));
    expect(stored.readings.filter((r) => r.asset === 'engine-002').map((r) => r.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(stored.readings[0]).toEqual(expect.objectContaining({ assetClass: 'turbofan', units: expect.objectContaining({ T50: 'degR' }) }));
  });

  it('NATS batched with JetStream acks: everything is in the stream when the run returns', async () => {
    const s = await replay(await connectNatsPublisher(server.url, { jetstream: true, maxInFlight: 4 }), options('nats-batch', { batchSize: 25 }));
    expect(s).toEqual(expect.objectContaining({ readingsSent: 60, messagesSent: 3, transport: 'nats+jetstream' }));
    const stored = await storedFor('nats-batch');
    expect(stored.subjects).toEqual(Array(3).fill(Subjects.readingBatch('nats-batch', 'gw-1')));
    expect(stored.readings).toHaveLength(60);
    expect(Math.max(...stored.readings.filter((r) => r.asset === 'engine-003').map((r) => r.seq))).toBe(s.lastSeqByAsset['engine-003']);
  });

  it('NATS with JetStream acks fails the run when no stream captures the subject', async () => {
    const pub = await connectNatsPublisher(server.url, { jetstream: true });
    try {
      await expect(pub.publish('not-captured.x', new Uint8Array([1])).then(() => pub.flush())).rejects.toThrow(/503|no responders/i);
    } finally {
      await pub.close().catch(() => undefined);
    }
  });

  it('MQTT QoS 1, single and batched: topics map onto the telemetry subjects', async () => {
    await replay(await connectMqttPublisher(server.mqttUrl), options('mqtt-single', { maxCycles: 5 }));
    await replay(await connectMqttPublisher(server.mqttUrl), options('mqtt-batch', { batchSize: 10 }));
    const single = await waitForStored('mqtt-single', 15);
    expect(single.readings).toHaveLength(15);
    expect(single.subjects[0]).toBe(Subjects.reading('mqtt-single', 'engine-001'));
    const batch = await waitForStored('mqtt-batch', 60);
    expect(new Set(batch.subjects)).toEqual(new Set([Subjects.readingBatch('mqtt-batch', 'gw-1')]));
    expect(batch.subjects).toHaveLength(6);
  });
});
