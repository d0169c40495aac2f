import { join } from 'node:path';
import { repoRoot } from '@millwright/testing';
import { ProcessMemorySampler } from '../common/process-memory.sampler';
import { BenchFleet, type MessageKind } from './bench-fleet.factory';
import { cpuWindow, failOnExit, saveLog, startNodeScript, type DrainResult, type IngestBenchContext } from './ingest-bench.context';
import { createDurableConsumer, createTelemetryStream, deleteTelemetryStream, publishAll, TELEMETRY_STREAM, waitForStoredMessages, watchDrain } from './telemetry-stream.admin';

const FLOOR_CONSUMER = 'bench-floor';
// Generous on purpose: the floor is what JetStream and nats.js allow at best, not a tuned-down peer.
const FLOOR_MAX_ACK_PENDING = 20_000;
const FLOOR_PULL_MESSAGES = 1000;

/** Fills the stream, then times a bare consumer (ack, nothing else) draining it. */
export async function runFloorDrain(ctx: IngestBenchContext, kind: MessageKind, readings: number): Promise<DrainResult> {
  const { jsm, nc, opts } = ctx;
  await deleteTelemetryStream(jsm);
  await createTelemetryStream(jsm);
  await createDurableConsumer(jsm, FLOOR_CONSUMER, FLOOR_MAX_ACK_PENDING);

  const fleet = new BenchFleet(opts.assets);
  const messages = kind === 'single' ? readings : readings / opts.batchSize;
  const now = Date.now();
  await publishAll(nc, messages, () => fleet.nextMessage(kind, opts.batchSize, now));
  await waitForStoredMessages(jsm, messages);

  const floor = startNodeScript(join(repoRoot(), 'dist/bench/ingest/floor.consumer.js'), {
    NATS_URL: ctx.natsUrl,
    FLOOR_STREAM: TELEMETRY_STREAM,
    FLOOR_CONSUMER,
    FLOOR_MAX_MESSAGES: String(FLOOR_PULL_MESSAGES),
  });
  const memory = floor.child.pid ? new ProcessMemorySampler(floor.child.pid) : undefined;
  const cpu = cpuWindow(ctx, floor.child.pid);
  try {
    const drain = await Promise.race([watchDrain(jsm, FLOOR_CONSUMER, { timeoutMs: opts.drainTimeoutMs }), failOnExit(floor, 'the floor consumer')]);
    const cpuUsed = cpu();
    const peak = memory?.stop() ?? null;
    const stalled = drain.ackedAllAt === 0;
    const end = stalled ? Date.now() : drain.ackedAllAt;
    const info = stalled ? await jsm.consumers.info(TELEMETRY_STREAM, FLOOR_CONSUMER) : undefined;
    const ackedMessages = info ? info.ack_floor.stream_seq : messages;
    const committed = kind === 'single' ? ackedMessages : ackedMessages * opts.batchSize;
    if (stalled) ctx.problems.push(`floor (${kind}) did not drain ${messages} messages in ${opts.drainTimeoutMs} ms`);
    const seconds = (end - drain.firstDeliveredAt) / 1000;
    return { variant: 'floor', kind, method: 'preload', readings, messages, seconds, rps: committed / seconds, committed, stalled, peak_rss_mb: peak, cpu_s: cpuUsed };
  } finally {
    memory?.stop();
    await floor.stop();
    saveLog(`floor-${kind}`, floor.output());
    await deleteTelemetryStream(jsm);
  }
}
