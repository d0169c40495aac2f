import { join } from 'node:path';
import type { NatsConnection } from 'nats';
import type { ModelCard } from '@millwright/rul-features';
import { deployedRuntime, repoRoot, waitFor } from '@millwright/testing';
import { summarizeLatencies, type LatencySummary } from '../common/latency.stats';
import { readProcCpuSeconds } from '../common/process-memory.sampler';
import { deployedApiTokens } from '../common/deployed-api-tokens';
import { offerPaced } from '../common/paced-load';
import { scrapeMetrics } from '../common/prometheus-metrics.reader';
import { assertRunning, saveServiceLog, startBenchService, stopBenchService, troubleLines, type BenchService } from './bench-services.launcher';
import { INFERENCE_SITE, InferenceFleet, type OutgoingBatch } from './inference-fleet.factory';
import type { InferenceBenchOptions } from './inference-bench.options';
import { DEFAULT_MODEL_DIR } from './raw-session.runner';
import { measurePredictionIngest, type PredictionIngestResult } from './prediction-ingest.phase';
import { PredictionTracker } from './prediction.tracker';

export interface PipelineContext {
  opts: InferenceBenchOptions;
  nc: NatsConnection;
  natsUrl: string;
  natsPid?: number;
  card: ModelCard;
  /** Scratch folder of this run (the twin database); removed by the caller. */
  workDir: string;
  problems: string[];
  log(line: string): void;
}

/** CPU seconds each process used during a phase: shows which one was saturated. */
export interface PhaseCpu {
  predictor: number | null;
  twin_service: number | null;
  nats_server: number | null;
  bench: number;
}

export interface ThroughputResult {
  readings: number;
  messages: number;
  /** Stored ok predictions (derived twin events) during the phase. */
  predictions: number;
  /** Readings the stored predictions covered (basedOnSeq advances); above `predictions` when the predictor coalesced. */
  changes_covered: number;
  changes_per_prediction: number;
  /** From the first twin change of the phase to the last stored prediction. */
  seconds: number;
  /**
   * Stored predictions over `seconds`: the clock starts with the stream of twin changes, not with the
   * first stored prediction, which comes late when the twin service works off its telemetry backlog
   * first and would make the rate come out high.
   */
  predictor_pps: number;
  /** Stored predictions over the whole phase (first publish to last stored prediction): ingest included. */
  stored_pps_end_to_end: number;
  /**
   * Predictions the predictor published per second (first to last batch on prediction.v1.<site>):
   * its own output rate, before the twin service's write-back stores each as its own change.
   */
  published_pps: number;
  published: number;
  /**
   * Predictor CPU per published prediction (event parsing, windows, run, publish all included): with
   * the predictor not saturated, 1e6 / this is what it could do on one full core.
   */
  predictor_cpu_us_per_prediction: number | null;
  /** From the first publish to the last stored prediction. */
  end_to_end_seconds: number;
  publish_seconds: number;
  /** Readings applied to twins per second (telemetry twin events, first to last): the change rate the predictor saw. */
  twin_change_rate: number;
  twin_change_events: number;
  /** Readings per telemetry twin event: the twin service's own coalescing (one event per twin per commit). */
  readings_per_twin_event: number;
  /** Telemetry twin events per stored prediction: the predictor's coalescing. */
  twin_events_per_prediction: number;
  /** From the predictor's /metrics over the phase. */
  mean_batch: number | null;
  mean_run_ms: number | null;
  inference_share: number | null;
  /** Windows the predictor rebuilt from the twin service's history during the phase (missed or out-of-order events). */
  window_resyncs: number;
  cpu_s: PhaseCpu;
}

export interface PipelineLatencyResult {
  offered_rate: number;
  achieved_rate: number;
  seconds: number;
  /** Twin-changed (telemetry) event to stored prediction. */
  from_change: LatencySummary | null;
  /** Gateway publish to stored prediction (includes ingest into the twin). */
  from_publish: LatencySummary | null;
  /** The two halves of from_change: telemetry event to the predictor's prediction batch, and that batch to the derived event. */
  change_to_predicted: LatencySummary | null;
  predicted_to_stored: LatencySummary | null;
  /** Readings no stored prediction covered 10 s after the load stopped. */
  unpredicted: number;
  predictions: number;
  changes_covered: number;
  mean_batch: number | null;
  window_resyncs: number;
  cpu_s: PhaseCpu;
}

export interface PipelineResult {
  seed_seconds: number;
  /**
   * Seeding starts the predictor cold: every asset's first event rebuilds its window from the twin
   * service's history. Inference runs (= prediction messages, = twin service commits) and CPU show
   * what a predictor start costs a site.
   */
  seed: { predictor_runs: number; mean_batch: number | null; window_resyncs: number; cpu_s: PhaseCpu };
  /** The fastest throughput run (by predictor_pps). */
  throughput: ThroughputResult;
  /** Every throughput run, in the order run. */
  throughput_runs: ThroughputResult[];
  latency: PipelineLatencyResult;
  write_back: PredictionIngestResult;
  predictor_rss_mb: number | null;
  twin_service_rss_mb: number | null;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function cpuMeter(ctx: PipelineContext, predictor: BenchService, twin: BenchService): () => PhaseCpu {
  const read = (pid: number | undefined) => (pid ? readProcCpuSeconds(pid) : null);
  const pids = [predictor.proc.child.pid, twin.proc.child.pid, ctx.natsPid];
  const before = pids.map(read);
  const self0 = process.cpuUsage();
  const delta = (i: number) => {
    const a = before[i];
    const b = read(pids[i]);
    return a === null || b === null ? null : Math.round((b - a) * 100) / 100;
  };
  return () => {
    const self = process.cpuUsage(self0);
    return { predictor: delta(0), twin_service: delta(1), nats_server: delta(2), bench: Math.round((self.user + self.system) / 1e4) / 100 };
  };
}

/** Predictor batch and run-time figures between two /metrics scrapes. */
function predictorFigures(
  before: Map<string, number>,
  after: Map<string, number>,
  seconds: number,
): { mean_batch: number | null; mean_run_ms: number | null; inference_share: number | null; window_resyncs: number } {
  const d = (name: string) => (after.get(name) ?? 0) - (before.get(name) ?? 0);
  const runs = d('millwright_predict_batch_size_count');
  const runSeconds = d('millwright_inference_seconds_sum');
  // Each resync is two REST calls into the twin service, which is also the pipeline's busiest process.
  const window_resyncs = d('millwright_window_resyncs_total');
  if (runs <= 0) return { mean_batch: null, mean_run_ms: null, inference_share: null, window_resyncs };
  return {
    window_resyncs,
    mean_batch: Math.round((d('millwright_predict_batch_size_sum') / runs) * 10) / 10,
    mean_run_ms: Math.round((runSeconds / runs) * 1000 * 1000) / 1000,
    // Share of the phase the predictor spent inside session.run: the rest is its JS and waiting.
    inference_share: seconds > 0 ? Math.round((runSeconds / seconds) * 1000) / 1000 : null,
  };
}

/**
 * The next `messages` batches, made and encoded before a phase starts: the bench shares two cores
 * with the services it measures, and drawing and stringifying 50,000 readings inside the phase took
 * a tenth of the machine from them.
 */
function makeRounds(fleet: InferenceFleet, messages: number, batchSize: number): OutgoingBatch[] {
  const ts = Date.now();
  return Array.from({ length: messages }, () => fleet.nextBatch(batchSize, ts));
}

/** Publishes batches with core NATS, flushing now and then so nats.js does not hold the whole load. */
async function publishRounds(nc: NatsConnection, batches: readonly OutgoingBatch[]): Promise<void> {
  for (let i = 0; i < batches.length; i++) {
    nc.publish(batches[i].subject, batches[i].data);
    if ((i + 1) % 200 === 0) await nc.flush();
  }
  await nc.flush();
}

/** Waits until every asset has a stored ok prediction based on its newest reading. */
async function waitForPredictions(ctx: PipelineContext, tracker: PredictionTracker, fleet: InferenceFleet, services: BenchService[], what: string): Promise<void> {
  const want = fleet.lastSeqs();
  try {
    await waitFor(
      () => {
        for (const s of services) assertRunning(s);
        return tracker.missing(want) === 0;
      },
      { timeoutMs: ctx.opts.phaseTimeoutMs, intervalMs: 20, what },
    );
  } catch (e) {
    const c = tracker.counters;
    throw new Error(`${(e as Error).message} (${tracker.missing(want)} of ${want.size} assets without a prediction on their newest reading; ${c.predictions} predictions, ${c.notOk} not ok, ${c.changeEvents} telemetry events this phase)`);
  }
}

async function measureThroughput(ctx: PipelineContext, tracker: PredictionTracker, fleet: InferenceFleet, predictor: BenchService, twin: BenchService): Promise<ThroughputResult> {
  const { opts, nc } = ctx;
  const messages = (opts.throughputRounds * opts.assets) / opts.batchSize;
  const batches = makeRounds(fleet, Math.ceil(messages), opts.batchSize);
  const metricsBefore = await scrapeMetrics(predictor.baseUrl);
  tracker.resetCounters();
  const cpu = cpuMeter(ctx, predictor, twin);
  const t0 = Date.now();
  await publishRounds(nc, batches);
  const publishSeconds = (Date.now() - t0) / 1000;
  await waitForPredictions(ctx, tracker, fleet, [predictor, twin], 'every asset to be predicted on its newest reading (throughput)');
  const cpuUsed = cpu();
  const c = { ...tracker.counters };
  const seconds = c.firstChangeAt > 0 ? (c.lastPredictionAt - c.firstChangeAt) / 1000 : 0;
  const metricsAfter = await scrapeMetrics(predictor.baseUrl);
  const readings = Math.ceil(messages) * opts.batchSize;
  return {
    readings,
    messages: Math.ceil(messages),
    predictions: c.predictions,
    changes_covered: c.changesCovered,
    changes_per_prediction: Math.round((c.changesCovered / Math.max(1, c.predictions)) * 100) / 100,
    seconds,
    predictor_pps: seconds > 0 ? c.predictions / seconds : 0,
    published: c.published,
    published_pps: c.lastPublishedAt > c.firstPublishedAt ? c.published / ((c.lastPublishedAt - c.firstPublishedAt) / 1000) : 0,
    predictor_cpu_us_per_prediction: cpuUsed.predictor !== null && c.published > 0 ? Math.round((cpuUsed.predictor / c.published) * 1e6 * 10) / 10 : null,
    end_to_end_seconds: (c.lastPredictionAt - t0) / 1000,
    stored_pps_end_to_end: c.lastPredictionAt > t0 ? c.predictions / ((c.lastPredictionAt - t0) / 1000) : 0,
    publish_seconds: publishSeconds,
    twin_change_rate: c.lastChangeAt > c.firstChangeAt ? c.readingsChanged / ((c.lastChangeAt - c.firstChangeAt) / 1000) : 0,
    twin_change_events: c.changeEvents,
    readings_per_twin_event: Math.round((c.readingsChanged / Math.max(1, c.changeEvents)) * 100) / 100,
    twin_events_per_prediction: Math.round((c.changeEvents / Math.max(1, c.predictions)) * 100) / 100,
    ...predictorFigures(metricsBefore, metricsAfter, seconds),
    cpu_s: cpuUsed,
  };
}

/**
 * A fixed offered load: every 10 ms the readings due by the clock go out as batches of one reading
 * per asset, each a new seq, so every reading is one twin change the predictor has to cover.
 */
async function measureLatency(ctx: PipelineContext, tracker: PredictionTracker, fleet: InferenceFleet, predictor: BenchService, twin: BenchService): Promise<PipelineLatencyResult> {
  const { opts, nc } = ctx;
  const metricsBefore = await scrapeMetrics(predictor.baseUrl);
  tracker.resetCounters();
  const cpu = cpuMeter(ctx, predictor, twin);
  const start = Date.now();
  tracker.sampleFrom(start + opts.warmupSeconds * 1000);
  const { sent } = await offerPaced({
    start,
    seconds: opts.latencySeconds,
    rate: opts.latencyRate,
    step: opts.batchSize,
    send: (now) => {
      const m = fleet.nextBatch(opts.batchSize, now);
      nc.publish(m.subject, m.data);
      for (const r of m.readings) tracker.published(r.asset, r.seq, now);
    },
    eachTick: () => assertRunning(predictor),
  });
  await nc.flush();
  const seconds = (Date.now() - start) / 1000;
  // Grace for the tail: what is not predicted by then is reported, not waited for.
  await waitFor(() => tracker.unpredicted() === 0, { timeoutMs: 10_000, intervalMs: 20 }).catch(() => undefined);
  const cpuUsed = cpu();
  const metricsAfter = await scrapeMetrics(predictor.baseUrl);
  const figures = predictorFigures(metricsBefore, metricsAfter, seconds);
  const lat = tracker.latencies();
  const unpredicted = tracker.unpredicted();
  if (unpredicted) ctx.problems.push(`latency: ${unpredicted} of ${sent} readings had no stored prediction 10 s after the load stopped`);
  return {
    offered_rate: opts.latencyRate,
    achieved_rate: sent / seconds,
    seconds,
    from_change: summarizeLatencies(lat.fromChange),
    from_publish: summarizeLatencies(lat.fromPublish),
    change_to_predicted: summarizeLatencies(lat.changeToPredicted),
    predicted_to_stored: summarizeLatencies(lat.predictedToStored),
    unpredicted,
    predictions: tracker.counters.predictions,
    changes_covered: tracker.counters.changesCovered,
    mean_batch: figures.mean_batch,
    window_resyncs: figures.window_resyncs,
    cpu_s: cpuUsed,
  };
}

/**
 * The predictor's whole path: readings into the twin service, twin-changed events into the
 * predictor (window, batching, session.run), predictions through the PREDICTIONS stream back into
 * the twins, timed at the derived twin events that follow each stored prediction.
 */
export async function runPredictorPipeline(ctx: PipelineContext): Promise<PipelineResult> {
  const { opts, nc } = ctx;
  const profileArgs = (name: string) => (opts.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${opts.profileDir}`, `--cpu-prof-name=${name}.cpuprofile`] : []);
  const services: BenchService[] = [];
  const tracker = new PredictionTracker(nc, INFERENCE_SITE);
  const rss: { predictor: number | null; twin: number | null } = { predictor: null, twin: null };
  let result: Omit<PipelineResult, 'predictor_rss_mb' | 'twin_service_rss_mb'>;
  try {
    // As production starts them: the image's script and ENV, the Deployment's NODE_OPTIONS.
    const twinRuntime = deployedRuntime('twin-service');
    const predictorRuntime = deployedRuntime('predictor');
    const tokens = deployedApiTokens();
    const twin = await startBenchService(
      'twin-service',
      twinRuntime.entry,
      { ...twinRuntime.env, NATS_URL: ctx.natsUrl, TWIN_DB_PATH: join(ctx.workDir, 'twins.db'), SQLITE_SYNCHRONOUS: opts.synchronous, ...tokens },
      [...opts.serviceNodeArgs, ...profileArgs('twin-service')],
    );
    services.push(twin);
    const predictor = await startBenchService(
      'predictor',
      predictorRuntime.entry,
      { ...predictorRuntime.env, NATS_URL: ctx.natsUrl, TWIN_SERVICE_URL: twin.baseUrl, MODEL_DIR: join(repoRoot(), DEFAULT_MODEL_DIR), ...tokens },
      [...opts.predictorNodeArgs, ...profileArgs('predictor')],
    );
    services.push(predictor);
    await tracker.ready();

    const fleet = new InferenceFleet(opts.assets, ctx.card);
    const seedStart = Date.now();
    const seedMetrics = await scrapeMetrics(predictor.baseUrl);
    const seedCpu = cpuMeter(ctx, predictor, twin);
    ctx.log(`seeding ${opts.assets} assets with ${opts.seedReadings} readings each`);
    await publishRounds(nc, makeRounds(fleet, Math.ceil((opts.seedReadings * opts.assets) / opts.batchSize), opts.batchSize));
    await waitForPredictions(ctx, tracker, fleet, services, 'every asset to have a full-window prediction (seeding)');
    const seedSeconds = (Date.now() - seedStart) / 1000;
    const seedCpuUsed = seedCpu();
    const afterSeed = await scrapeMetrics(predictor.baseUrl);
    const seedFigures = predictorFigures(seedMetrics, afterSeed, seedSeconds);
    const seed = {
      predictor_runs: (afterSeed.get('millwright_predict_batch_size_count') ?? 0) - (seedMetrics.get('millwright_predict_batch_size_count') ?? 0),
      mean_batch: seedFigures.mean_batch,
      window_resyncs: seedFigures.window_resyncs,
      cpu_s: seedCpuUsed,
    };
    ctx.log(`seeded in ${seedSeconds.toFixed(1)} s: ${seed.predictor_runs} inference runs (mean batch ${seed.mean_batch ?? '-'}), ${seed.window_resyncs} window resyncs`);
    // Lets the last derived events and the twin service's history pruning settle before timing.
    await sleep(500);

    const throughputRuns: ThroughputResult[] = [];
    for (let run = 1; run <= opts.throughputRuns; run++) {
      ctx.log(`throughput run ${run} of ${opts.throughputRuns}: ${opts.throughputRounds} new readings per asset, as fast as the broker takes them`);
      const r = await measureThroughput(ctx, tracker, fleet, predictor, twin);
      throughputRuns.push(r);
      ctx.log(`throughput run ${run}: ${Math.round(r.predictor_pps)} predictions/s, ${r.changes_per_prediction} changes per prediction`);
      await sleep(500);
    }
    const throughput = throughputRuns.reduce((best, r) => (r.predictor_pps > best.predictor_pps ? r : best));

    ctx.log(`latency: ${opts.latencyRate} twin changes/s for ${opts.latencySeconds} s`);
    const latency = await measureLatency(ctx, tracker, fleet, predictor, twin);
    ctx.log(`latency: p50 ${latency.from_change?.p50 ?? '-'} ms, p99 ${latency.from_change?.p99 ?? '-'} ms from the twin change`);

    await sleep(500);
    ctx.log(`write-back alone: ${opts.ingestRounds} rounds of one prediction per asset, published by the bench`);
    const writeBack = await measurePredictionIngest(nc, tracker, fleet, twin, opts.ingestRounds, opts.phaseTimeoutMs);
    ctx.log(`write-back alone: ${Math.round(writeBack.stored_pps)} predictions/s stored, ${writeBack.twin_cpu_us_per_prediction ?? '-'} µs twin service CPU each`);

    if (tracker.unreadableEvents) ctx.problems.push(`${tracker.unreadableEvents} twin events without a readable lastSeq/basedOnSeq`);
    result = { seed_seconds: seedSeconds, seed, throughput, throughput_runs: throughputRuns, latency, write_back: writeBack };
  } finally {
    tracker.close();
    // Predictor first: it must not see the twin service vanish and log history-fetch failures.
    for (const svc of [...services].reverse()) {
      const peak = await stopBenchService(svc);
      if (svc.name === 'predictor') rss.predictor = peak;
      else rss.twin = peak;
      saveServiceLog(svc.name, svc.proc.output());
      for (const line of troubleLines(svc.proc.output())) ctx.problems.push(`${svc.name} output: ${line}`);
      const code = svc.proc.child.exitCode;
      if (code !== null && code !== 0) ctx.problems.push(`${svc.name} exited with code ${code}`);
      if (svc.proc.child.signalCode === 'SIGKILL') ctx.problems.push(`${svc.name} did not stop within 15 s of SIGTERM and was killed`);
    }
  }
  // Peak RSS is known only once the services have stopped, hence after the finally.
  return { ...result, predictor_rss_mb: rss.predictor, twin_service_rss_mb: rss.twin };
}
