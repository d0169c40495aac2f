import { AckPolicy, type ConsumerInfo, type JetStreamManager, type NatsConnection } from 'nats';
import { Streams } from '@millwright/contracts';
import { telemetryStreamConfig } from '@millwright/twin-ingest';
import { waitFor } from '@millwright/testing';
import type { OutgoingMessage } from './bench-fleet.factory';

export const TELEMETRY_STREAM = Streams.telemetry.name;

/** Drops the stream (and with it every consumer and stored message), so that phases do not mix. */
export async function deleteTelemetryStream(jsm: JetStreamManager): Promise<void> {
  try {
    await jsm.streams.delete(TELEMETRY_STREAM);
  } catch (e) {
    if (!/not found/i.test((e as Error).message)) throw e;
  }
}

/** The stream exactly as the twin service declares it (same code), for variants that do not create it. */
export async function createTelemetryStream(jsm: JetStreamManager): Promise<void> {
  await jsm.streams.add(
    telemetryStreamConfig({
      streamMaxBytes: 1024 ** 3,
      streamMaxAgeMs: 7 * 86_400_000,
      replicas: 1,
      maxBatchReadings: 0,
      maxAckPending: 0,
      maxBytesInFlight: 0,
      ackWaitMs: 0,
      deadLetterMaxAgeMs: 0,
      deadLetterMaxBytes: 0,
      predictionsMaxAgeMs: 0,
      predictionsMaxBytes: 0,
    }),
  );
}

/** Explicit acks, one per message, as the twin service's consumer has them: the floor pays the same ack traffic. */
export async function createDurableConsumer(jsm: JetStreamManager, name: string, maxAckPending: number): Promise<void> {
  await jsm.consumers.add(TELEMETRY_STREAM, { durable_name: name, ack_policy: AckPolicy.Explicit, max_ack_pending: maxAckPending });
}

export async function consumerExists(jsm: JetStreamManager, name: string): Promise<ConsumerInfo | null> {
  try {
    return await jsm.consumers.info(TELEMETRY_STREAM, name);
  } catch {
    return null;
  }
}

/**
 * Publishes messages with core NATS as fast as the connection takes them, flushing every
 * `flushEvery` messages so that nats.js does not buffer the whole load in memory. Returns the count.
 */
export async function publishAll(nc: NatsConnection, count: number, make: () => OutgoingMessage, flushEvery = 500): Promise<number> {
  for (let i = 0; i < count; i++) {
    const m = make();
    nc.publish(m.subject, m.data);
    if ((i + 1) % flushEvery === 0) await nc.flush();
  }
  await nc.flush();
  return count;
}

/**
 * Waits until the stream holds `expected` messages: core publishes are fire-and-forget, so a
 * pre-load is only trusted once the stream has counted it.
 */
export async function waitForStoredMessages(jsm: JetStreamManager, expected: number): Promise<void> {
  let state = { messages: 0 };
  await waitFor(
    async () => {
      state = (await jsm.streams.info(TELEMETRY_STREAM)).state;
      return state.messages >= expected;
    },
    { timeoutMs: 30_000, intervalMs: 50, what: `the ${TELEMETRY_STREAM} stream to hold ${expected} messages` },
  );
  if (state.messages !== expected) throw new Error(`stream holds ${state.messages} messages, expected ${expected}`);
}

export interface DrainTimes {
  /** First poll that saw a delivery: the consumer started working. */
  firstDeliveredAt: number;
  /** First poll that saw every message acked by the consumer, or 0 if it never got there. */
  ackedAllAt: number;
}

/**
 * Watches a consumer drain a pre-loaded stream until it has acked everything (the stream keeps its
 * messages: limits retention). Consumer info is polled every 50 ms: nats-server 2.9 computes a
 * filtered consumer's pending count by scanning the stream, which made a 10 ms poll take most of a
 * core from the server; the consumers here have no filter. Each end is off by at most one poll.
 */
export async function watchDrain(
  jsm: JetStreamManager,
  consumer: string,
  opts: { timeoutMs: number; intervalMs?: number; until?: () => boolean },
): Promise<DrainTimes> {
  const deadline = Date.now() + opts.timeoutMs;
  const interval = opts.intervalMs ?? 50;
  const times: DrainTimes = { firstDeliveredAt: 0, ackedAllAt: 0 };
  while (Date.now() < deadline) {
    if (!times.ackedAllAt) {
      const info = await consumerExists(jsm, consumer);
      if (!times.firstDeliveredAt && info && info.delivered.stream_seq > 0) times.firstDeliveredAt = Date.now();
      if (times.firstDeliveredAt && info && info.num_pending === 0 && info.num_ack_pending === 0) times.ackedAllAt = Date.now();
    }
    if (times.ackedAllAt && (opts.until?.() ?? true)) break;
    await new Promise((r) => setTimeout(r, interval));
  }
  return times;
}
