import { existsSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { Streams } from '@millwright/contracts';
import { deployedRuntime, freePort, repoRoot, waitFor, type DeployedRuntime, type RunningProcess } from '@millwright/testing';
import { deployedApiTokens } from '../common/deployed-api-tokens';
import { scrapeMetrics } from '../common/prometheus-metrics.reader';
import { ProcessMemorySampler } from '../common/process-memory.sampler';
import { summarizeLatencies } from '../common/latency.stats';
import { BENCH_SITE, BenchFleet, type MessageKind } from './bench-fleet.factory';
import { CommitTracker } from './commit.tracker';
import { offerPaced } from '../common/paced-load';
import { cpuWindow, failOnExit, saveLog, startNodeScript, troubleLines, withTimeout, type DrainResult, type IngestBenchContext, type LatencyResult } from './ingest-bench.context';
import { consumerExists, deleteTelemetryStream, publishAll, waitForStoredMessages, watchDrain } from './telemetry-stream.admin';

/** The durable pull consumer the twin service declares on TELEMETRY. */
export const TWIN_INGEST_CONSUMER = Streams.telemetry.twinConsumer;

export function deployedTwinServiceRuntime(): DeployedRuntime {
  return deployedRuntime('twin-service');
}

export function twinServiceBuilt(): boolean {
  return existsSync(join(repoRoot(), deployedTwinServiceRuntime().entry));
}

interface RunningTwinService {
  proc: RunningProcess;
  httpPort: number;
  memory?: ProcessMemorySampler;
  ready: Promise<void>;
}

function startTwinService(ctx: IngestBenchContext, dataDir: string, httpPort: number): RunningTwinService {
  const { opts } = ctx;
  const env: Record<string, string> = {
    NATS_URL: ctx.natsUrl,
    TWIN_DB_PATH: join(dataDir, 'twins.db'),
    HTTP_PORT: String(httpPort),
    SQLITE_SYNCHRONOUS: opts.synchronous,
    ...deployedApiTokens(),
  };
  if (opts.ingestMaxBatch) env.INGEST_MAX_BATCH = String(opts.ingestMaxBatch);
  if (opts.historyMaxPerAsset) env.HISTORY_MAX_PER_ASSET = String(opts.historyMaxPerAsset);
  Object.assign(env, opts.serviceEnv);
  // As production starts it: the image's script and ENV, the Deployment's NODE_OPTIONS; bench flags
  // (--service-node-args) come after them on the command line and win.
  const deployed = deployedTwinServiceRuntime();
  const proc = startNodeScript(join(repoRoot(), deployed.entry), { ...deployed.env, ...env }, opts.serviceNodeArgs);
  const memory = proc.child.pid ? new ProcessMemorySampler(proc.child.pid) : undefined;
  const ready = Promise.race([
    waitFor(async () => (await fetch(`http://127.0.0.1:${httpPort}/health/ready`)).ok, { timeoutMs: 60_000, intervalMs: 50, what: 'the twin service to be ready' }).then(() => undefined),
    failOnExit(proc, 'the twin service'),
  ]);
  // A failure is handled where the phase awaits it; this only keeps an early exit from being unhandled.
  ready.catch(() => undefined);
  return { proc, httpPort, memory, ready };
}

/** Stops the service, keeps its log and reports what in its output looks like trouble. */
async function stopTwinService(ctx: IngestBenchContext, svc: RunningTwinService, label: string): Promise<number | null> {
  const peak = svc.memory?.stop() ?? null;
  const exitedEarly = svc.proc.child.exitCode !== null || svc.proc.child.signalCode !== null;
  await svc.proc.stop(10_000);
  const code = svc.proc.child.exitCode;
  const signal = svc.proc.child.signalCode;
  saveLog(`twin-service-${label}`, svc.proc.output());
  for (const line of troubleLines(svc.proc.output())) ctx.problems.push(`twin service (${label}) output: ${line}`);
  if (signal === 'SIGKILL') ctx.problems.push(`twin service (${label}) did not stop within 10 s of SIGTERM and was killed`);
  else if (code !== 0 && code !== null) ctx.problems.push(`twin service (${label}) exited with code ${code} ${exitedEarly ? 'on its own, before the bench stopped it' : 'after SIGTERM'}`);
  return peak;
}

/** Sums of every series of the named Prometheus counters; null for one the service does not expose. */
async function scrapeCounters<K extends string>(httpPort: number, names: readonly K[]): Promise<Record<K, number | null>> {
  const metrics = await scrapeMetrics(`http://127.0.0.1:${httpPort}`);
  return Object.fromEntries(names.map((n) => [n, metrics.get(n) ?? null])) as Record<K, number | null>;
}

/**
 * Times the twin service draining a pre-loaded stream: a first start declares the stream and its
 * durable consumer as the service does in production, a stop, the pre-load, then a second start. The clock runs from the consumer's first delivery to the commit
 * event that completes the last asset, so the service's boot time is not counted.
 */
export async function runTwinServiceDrain(ctx: IngestBenchContext, kind: MessageKind, readings: number): Promise<DrainResult> {
  const { jsm, nc, opts } = ctx;
  const label = `drain-${kind}`;
  await deleteTelemetryStream(jsm);
  const dataDir = mkdtempSync(join(ctx.workDir, `twin-${kind}-`));
  const httpPort = await freePort();

  const first = startTwinService(ctx, dataDir, httpPort);
  try {
    await first.ready;
  } finally {
    await stopTwinService(ctx, first, `${label}-declare`);
  }
  if (!(await consumerExists(jsm, TWIN_INGEST_CONSUMER))) {
    throw new Error(`the twin service left no durable consumer '${TWIN_INGEST_CONSUMER}' on the stream after a stop; a pre-load would be dropped`);
  }

  const fleet = new BenchFleet(opts.assets);
  const messages = kind === 'single' ? readings : readings / opts.batchSize;
  const now = Date.now();
  await publishAll(nc, messages, () => fleet.nextMessage(kind, opts.batchSize, now));
  await waitForStoredMessages(jsm, messages);
  const finals = fleet.finalSeqs();

  const tracker = new CommitTracker(nc, BENCH_SITE);
  await tracker.ready();
  const svc = startTwinService(ctx, dataDir, httpPort);
  // From the process start: the service's boot is in its CPU figure, as the floor's is in the floor's.
  const cpu = cpuWindow(ctx, svc.proc.child.pid);
  let result: DrainResult;
  let peak: number | null = null;
  try {
    let committedAt = 0;
    let ingestedAtLastEvent: number | null = null;
    const counterNames = ['millwright_readings_ingested_total', 'millwright_ingest_batches_total'] as const;
    const committed = tracker.whenCommitted(finals).then(async (at) => {
      committedAt = at;
      ingestedAtLastEvent = (await scrapeCounters(httpPort, counterNames)).millwright_readings_ingested_total;
    });
    // Done means both: every twin at its final reading (events) and every message acked (the service
    // acks only after commit). Events alone would end early when deliveries are lost and come back
    // out of order: the newest readings set the twins while older ones still wait for redelivery.
    const drain = await Promise.race([
      watchDrain(jsm, TWIN_INGEST_CONSUMER, { timeoutMs: opts.drainTimeoutMs, until: () => committedAt > 0 }),
      failOnExit(svc.proc, 'the twin service'),
    ]);
    const cpuUsed = cpu();
    // The stream can empty just before the last event arrives; give the events a moment to catch up.
    if (!committedAt) await withTimeout(committed, 2_000);
    await withTimeout(svc.ready, 10_000);
    const counters = await scrapeCounters(httpPort, counterNames);
    const metrics = counters.millwright_readings_ingested_total;
    if (!drain.firstDeliveredAt) throw new Error(`the twin service never took a message from '${TWIN_INGEST_CONSUMER}'`);
    const stalled = committedAt === 0 || drain.ackedAllAt === 0;
    const end = stalled ? Date.now() : Math.max(committedAt, drain.ackedAllAt);
    const done = stalled ? Math.min(readings, metrics ?? tracker.reached(finals).readings) : readings;
    if (stalled) {
      ctx.problems.push(
        `twin service (${kind}) committed about ${done}/${readings} readings in ${opts.drainTimeoutMs / 1000} s ` +
          `(every twin at its final reading: ${committedAt ? 'yes' : 'no'}; every message acked: ${drain.ackedAllAt ? 'yes' : 'no'})`,
      );
    } else if (drain.ackedAllAt - committedAt > 1_000) {
      ctx.problems.push(
        `twin service (${kind}): every twin had its final reading ${((drain.ackedAllAt - committedAt) / 1000).toFixed(1)} s before the last message was acked ` +
          `(${ingestedAtLastEvent ?? '?'} of ${readings} readings counted as ingested at that moment): older readings were committed late, i.e. redelivered`,
      );
    }
    if (tracker.unreadableEvents) ctx.problems.push(`twin service (${kind}): ${tracker.unreadableEvents} twin change frames that could not be read`);
    if (metrics !== null && metrics !== readings) ctx.problems.push(`twin service (${kind}): millwright_readings_ingested_total is ${metrics} after ingesting ${readings} readings`);
    const seconds = (end - drain.firstDeliveredAt) / 1000;
    result = { variant: 'millwright', kind, method: 'preload', readings, messages, seconds, rps: done / seconds, committed: done, stalled, peak_rss_mb: null, metrics_ingested: metrics, cpu_s: cpuUsed };
    // Readings per commit and events per reading explain most throughput differences between builds.
    const commits = counters.millwright_ingest_batches_total;
    if (commits) result.readings_per_commit = Math.round((metrics ?? readings) / commits);
    result.twin_events = tracker.events;
    if (committedAt) result.rps_to_last_event = readings / ((committedAt - drain.firstDeliveredAt) / 1000);
  } finally {
    tracker.close();
    peak = await stopTwinService(ctx, svc, label);
  }
  return { ...result, peak_rss_mb: peak };
}

/**
 * Latency at a fixed offered load: every 10 ms the readings due by the clock are published (single
 * messages, or whole batches once enough are due), each stamped with its publish time. A reading's
 * latency is the receive time of the first commit event whose `lastSeq` covers it, so readings that
 * one commit coalesces each get their own sample.
 */
export async function runTwinServiceLatency(ctx: IngestBenchContext, kind: MessageKind): Promise<LatencyResult> {
  const { jsm, nc, opts } = ctx;
  const label = `latency-${kind}`;
  await deleteTelemetryStream(jsm);
  const dataDir = mkdtempSync(join(ctx.workDir, `twin-latency-${kind}-`));
  const httpPort = await freePort();
  const svc = startTwinService(ctx, dataDir, httpPort);
  const tracker = new CommitTracker(nc, BENCH_SITE);
  let result: Omit<LatencyResult, 'peak_rss_mb'>;
  let peak: number | null = null;
  try {
    await svc.ready;
    await tracker.ready();
    const fleet = new BenchFleet(opts.assets);
    const step = kind === 'single' ? 1 : opts.batchSize;
    const start = Date.now();
    tracker.sampleFrom(start + opts.warmupSeconds * 1000);
    const { sent } = await offerPaced({
      start,
      seconds: opts.latencySeconds,
      rate: opts.latencyRate,
      step,
      send: (now) => {
        const m = fleet.nextMessage(kind, opts.batchSize, now);
        nc.publish(m.subject, m.data);
        for (const r of m.readings) tracker.published(r.asset, r.seq, now);
      },
    });
    await nc.flush();
    const publishedSeconds = (Date.now() - start) / 1000;
    // Grace for the tail: what is not committed by then is reported as uncommitted, not waited for.
    await Promise.race([waitFor(() => tracker.uncommitted() === 0, { timeoutMs: 10_000, intervalMs: 20 }).catch(() => undefined), failOnExit(svc.proc, 'the twin service')]);
    const stats = summarizeLatencies(tracker.latencies());
    const uncommitted = tracker.uncommitted();
    if (uncommitted) ctx.problems.push(`twin service (latency, ${kind}): ${uncommitted} of ${sent} readings had no commit event 10 s after the load stopped`);
    if (tracker.unreadableEvents) ctx.problems.push(`twin service (latency, ${kind}): ${tracker.unreadableEvents} twin change frames that could not be read`);
    result = {
      kind,
      offered_rps: opts.latencyRate,
      achieved_rps: sent / publishedSeconds,
      seconds: publishedSeconds,
      samples: stats?.count ?? 0,
      p50_ms: stats?.p50 ?? null,
      p90_ms: stats?.p90 ?? null,
      p99_ms: stats?.p99 ?? null,
      max_ms: stats?.max ?? null,
      uncommitted,
      service_batches: await serviceBatchDurations(httpPort),
    };
  } finally {
    tracker.close();
    peak = await stopTwinService(ctx, svc, label);
  }
  return { ...result, peak_rss_mb: peak };
}

/**
 * Counts of the service's ingest batches by duration, read off its Prometheus histogram; undefined
 * when they cannot be read (a side figure: it must not cost the run its latencies).
 */
async function serviceBatchDurations(httpPort: number): Promise<LatencyResult['service_batches']> {
  let text: string;
  try {
    text = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
  } catch {
    return undefined;
  }
  const bucket = (le: string) => Number(new RegExp(`^millwright_ingest_batch_seconds_bucket\\{[^}]*le="${le}"[^}]*\\} (\\d+)`, 'm').exec(text)?.[1] ?? NaN);
  const total = bucket('\\+Inf');
  const counts = { total, over_25ms: total - bucket('0.025'), over_50ms: total - bucket('0.05'), over_100ms: total - bucket('0.1') };
  return Object.values(counts).every(Number.isFinite) ? counts : undefined;
}
