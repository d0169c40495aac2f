// Inference benchmark (issue 3), in one run:
//   raw        onnxruntime-node session.run in a loop on the default model, batch 1, 64 and 256,
//   predictor  the whole path: readings -> twin service -> twin-changed events -> predictor (window,
//              batching, run) -> PREDICTIONS stream -> twin service writes derived.prediction,
//              with the built services as processes on a real nats-server.
// Writes bench-results/inference.json.   npm run bench -- inference [--quick] ...   (--help for flags)
import { mkdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { connect } from 'nats';
import { makeTempDir, startNatsServer } from '@millwright/testing';
import { machineNote, writeBenchResults } from '../common/bench-results.writer';
import { round1 } from '../common/latency.stats';
import { saveServiceLog, troubleLines } from './bench-services.launcher';
import { hotFunctions, profilePath } from './cpu-profile.summary';
import { INFERENCE_BENCH_USAGE, parseInferenceBenchArgs } from './inference-bench.options';
import { runPredictorPipeline, type PipelineResult } from './predictor-pipeline.variant';
import { loadDefaultModel, runRawLoop, type RawRunResult } from './raw-session.runner';
import { check, exitCodeFor, fmt, printTargets, table } from '../common/bench-report';

const TARGETS = { predictorPps: 20_000, p99Ms: 20, atRate: 5_000 } as const;
/** The predictor's default PREDICT_MAX_BATCH: the raw loop at this size is its ceiling per run. */
const PREDICTOR_MAX_BATCH = 256;

const ratio = (a: number | null | undefined, b: number | null | undefined): number | null => (a && b ? Math.round((a / b) * 1000) / 1000 : null);

async function main(): Promise<number> {
  if (process.argv.includes('--help')) {
    console.log(INFERENCE_BENCH_USAGE);
    return 0;
  }
  const opts = parseInferenceBenchArgs(process.argv.slice(2));
  if (opts.profileDir) {
    opts.profileDir = resolve(opts.profileDir);
    mkdirSync(opts.profileDir, { recursive: true });
  }
  const started = Date.now();
  const log = (line: string) => console.log(`[inference-bench +${((Date.now() - started) / 1000).toFixed(1)}s] ${line}`);
  const problems: string[] = [];
  const notes: string[] = [];
  // Other work on a shared 2-core machine moves every number here; the load says how much there was.
  const loadAtStart = loadavg().map((v) => Math.round(v * 100) / 100);

  // Raw first, alone on the machine: nothing else of this bench competes for the cores yet.
  const model = await loadDefaultModel();
  log(`model ${model.version}; raw session.run loops of ${opts.rawSeconds} s`);
  const raw: RawRunResult[] = [];
  for (const batch of [1, 64, PREDICTOR_MAX_BATCH]) {
    const r = await runRawLoop(model, batch, opts.rawSeconds);
    raw.push(r);
    log(`raw batch ${batch}: ${fmt(r.pps)} windows/s (${r.run_ms.toFixed(3)} ms per run)`);
  }
  await model.session.release();

  const nats = await startNatsServer();
  const work = makeTempDir('mw-bench-inference-');
  // The test harness kills its child processes on exit; a signal has to become an exit for that to run.
  const onSignal = () => {
    work.remove();
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const nc = await connect({ servers: nats.url, name: 'inference-bench' });
  let pipeline: PipelineResult | undefined;
  try {
    pipeline = await runPredictorPipeline({ opts, nc, natsUrl: nats.url, natsPid: nats.process.child.pid, card: model.card, workDir: work.path, problems, log });
  } catch (e) {
    const msg = `predictor pipeline failed: ${(e as Error).message}`;
    log(msg);
    problems.push(msg.slice(0, 3000));
  } finally {
    await nc.close().catch(() => undefined);
    await nats.stop();
    work.remove();
    saveServiceLog('nats-server', nats.process.output());
    for (const line of troubleLines(nats.process.output())) problems.push(`nats-server output: ${line}`);
  }

  const rawOf = (batch: number) => raw.find((r) => r.batch === batch)?.pps ?? null;
  const rawB1 = rawOf(1);
  const rawB64 = rawOf(64);
  const rawMax = rawOf(PREDICTOR_MAX_BATCH);
  const tp = pipeline?.throughput;
  const lat = pipeline?.latency;
  const ratios = {
    predictor_vs_raw_b64: ratio(tp?.predictor_pps, rawB64),
    predictor_vs_raw_b256: ratio(tp?.predictor_pps, rawMax),
    predictor_vs_raw_b1: ratio(tp?.predictor_pps, rawB1),
    raw_b64_vs_b1: ratio(rawB64, rawB1),
    predictor_vs_twin_change_rate: ratio(tp?.predictor_pps, tp?.twin_change_rate),
    stored_vs_published: ratio(tp?.predictor_pps, tp?.published_pps),
  };
  const latencyHeld = lat ? lat.unpredicted === 0 && lat.achieved_rate >= TARGETS.atRate * 0.95 : false;
  const targets = {
    predictor_pps: check(tp?.predictor_pps, `predictor >= ${TARGETS.predictorPps} predictions/s`, (v) => v >= TARGETS.predictorPps),
    p99_ms: check(lat?.from_change?.p99, `p99 twin change -> stored prediction <= ${TARGETS.p99Ms} ms at ${TARGETS.atRate} twin changes/s`, (v) => v <= TARGETS.p99Ms && latencyHeld),
  };

  const profiles: Record<string, ReturnType<typeof hotFunctions>> = {};
  if (opts.profileDir) {
    for (const name of ['predictor', 'twin-service']) profiles[name] = hotFunctions(profilePath(opts.profileDir, name));
    notes.push(`CPU profiles cover each service's whole life (boot, seeding and both phases): ${opts.profileDir}`);
  }
  notes.push(
    'raw: session.run on random z-scored windows, one new Tensor per run, a session created by the model registry (intraOpNumThreads 1); the bench process alone on the machine',
    'predictor_pps: stored ok predictions (derived twin events, sent by the twin service after committing each) over the time from the first twin change of the phase to the last of them, with readings (made before the phase) published faster than the pipeline absorbs them; the fastest of predictor_pps_runs (each run new readings for every asset), as the ingest bench keeps its fastest drain; pipeline.throughput_runs has every run',
    'predictor_published_pps: predictions on prediction.v1.<site> (core subscription of the bench), first to last batch: the predictor\'s output before the twin service stores it',
    'changes_covered / changes_per_prediction: basedOnSeq advances; above 1 change per prediction means the predictor coalesced several changes of an asset into one prediction',
    `latency: ${opts.latencyRate} readings/s, one new reading per asset each, ${opts.latencySeconds} s; from_change = arrival of the telemetry twin-changed event at the bench to arrival of the derived event covering that seq (p99_ms); from_publish adds ingest; the first ${opts.warmupSeconds} s are warm-up`,
    'write_back: the bench publishes one prediction per asset per round straight into PREDICTIONS (no telemetry), waiting for each round to be stored; the twin service\'s own ceiling for storing predictions and its CPU per stored prediction',
    'the bench, nats-server, the twin service and the predictor share the machine: the cpu_s figures show which one was saturated',
  );

  const results = {
    bench: 'inference',
    at: new Date().toISOString(),
    machine: { ...machineNote(), load_avg_1_5_15_at_start: loadAtStart, load_avg_1_5_15_at_end: loadavg().map((v) => Math.round(v * 100) / 100) },
    model: { version: model.version, window: `${model.card.window.length} x ${model.card.window.features.length}` },
    settings: {
      raw_seconds: opts.rawSeconds,
      assets: opts.assets,
      seed_readings: opts.seedReadings,
      throughput_rounds: opts.throughputRounds,
      throughput_runs: opts.throughputRuns,
      batch_size: opts.batchSize,
      latency_rate: opts.latencyRate,
      latency_seconds: opts.latencySeconds,
      sqlite_synchronous: opts.synchronous,
      predictor_max_batch: `service default (${PREDICTOR_MAX_BATCH})`,
    },
    raw_b1_pps: rawB1 === null ? null : Math.round(rawB1),
    raw_b64_pps: rawB64 === null ? null : Math.round(rawB64),
    raw_b256_pps: rawMax === null ? null : Math.round(rawMax),
    predictor_pps: tp ? Math.round(tp.predictor_pps) : null,
    predictor_pps_runs: pipeline ? pipeline.throughput_runs.map((r) => Math.round(r.predictor_pps)) : null,
    predictor_published_pps: tp ? Math.round(tp.published_pps) : null,
    predictor_stored_pps_end_to_end: tp ? Math.round(tp.stored_pps_end_to_end) : null,
    predictor_cpu_us_per_prediction: tp?.predictor_cpu_us_per_prediction ?? null,
    changes_per_prediction: tp?.changes_per_prediction ?? null,
    write_back_pps: pipeline ? Math.round(pipeline.write_back.stored_pps) : null,
    write_back_twin_cpu_us_per_prediction: pipeline?.write_back.twin_cpu_us_per_prediction ?? null,
    p50_ms: lat?.from_change?.p50 ?? null,
    p99_ms: lat?.from_change?.p99 ?? null,
    p50_ingest_to_stored_ms: lat?.from_publish?.p50 ?? null,
    p99_ingest_to_stored_ms: lat?.from_publish?.p99 ?? null,
    predictor_rss_mb: pipeline?.predictor_rss_mb == null ? null : round1(pipeline.predictor_rss_mb),
    twin_service_rss_mb: pipeline?.twin_service_rss_mb == null ? null : round1(pipeline.twin_service_rss_mb),
    ratios,
    targets,
    raw: raw.map((r) => ({ ...r, pps: Math.round(r.pps), seconds: Math.round(r.seconds * 1000) / 1000, run_ms: Math.round(r.run_ms * 1000) / 1000 })),
    pipeline: pipeline ?? null,
    profiles: opts.profileDir ? profiles : undefined,
    problems,
    notes,
  };
  const path = writeBenchResults('inference', results);

  const rows = [['variant', 'predictions', 'predictions/s', 'changes/pred', 'p50 ms', 'p99 ms', 'peak RSS MB']];
  for (const r of raw) rows.push([`raw session.run batch ${r.batch}`, fmt(r.windows), fmt(r.pps), '-', '-', '-', '-']);
  if (tp) {
    rows.push([`predictor path, stored (${fmt(tp.readings)} readings, mean batch ${fmt(tp.mean_batch, 1)})`, fmt(tp.predictions), fmt(tp.predictor_pps), fmt(tp.changes_per_prediction, 2), '-', '-', fmt(pipeline?.predictor_rss_mb, 1)]);
    rows.push([`predictor path, published by the predictor`, fmt(tp.published), fmt(tp.published_pps), fmt(tp.changes_covered / Math.max(1, tp.published), 2), '-', '-', '-']);
  }
  const wb = pipeline?.write_back;
  if (wb) rows.push([`twin service write-back alone (bench-made predictions)`, fmt(wb.predictions), fmt(wb.stored_pps), '-', '-', '-', fmt(pipeline?.twin_service_rss_mb, 1)]);
  if (lat) {
    rows.push([`predictor @${fmt(lat.offered_rate)} changes/s, from twin change`, fmt(lat.predictions), fmt(lat.achieved_rate), '-', fmt(lat.from_change?.p50, 1), fmt(lat.from_change?.p99, 1), '-']);
    rows.push([`  of which twin change -> prediction published`, '-', '-', '-', fmt(lat.change_to_predicted?.p50, 1), fmt(lat.change_to_predicted?.p99, 1), '-']);
    rows.push([`  of which prediction published -> stored`, '-', '-', '-', fmt(lat.predicted_to_stored?.p50, 1), fmt(lat.predicted_to_stored?.p99, 1), '-']);
    rows.push([`predictor @${fmt(lat.offered_rate)} changes/s, from publish`, '-', '-', '-', fmt(lat.from_publish?.p50, 1), fmt(lat.from_publish?.p99, 1), '-']);
  }
  console.log('\n' + table(rows));
  if (pipeline && pipeline.throughput_runs.length > 1) {
    console.log(`\nthroughput runs: ${pipeline.throughput_runs.map((r) => fmt(r.predictor_pps)).join(', ')} predictions/s (the fastest is reported)`);
  }
  if (tp) {
    const cpu = tp.cpu_s;
    console.log(
      `\nthroughput phase: twin changes arrived at ${fmt(tp.twin_change_rate)} readings/s in ${fmt(tp.twin_change_events)} events ` +
        `(${fmt(tp.readings_per_twin_event, 2)} readings per event, ${fmt(tp.twin_events_per_prediction, 2)} events per prediction); ${fmt(tp.seconds, 2)} s from the first twin change to the last prediction; ` +
        `${fmt(tp.stored_pps_end_to_end)} stored/s over the ${fmt(tp.end_to_end_seconds, 2)} s from the first reading published; ` +
        `session.run ${fmt(tp.mean_run_ms, 3)} ms per batch, ${fmt((tp.inference_share ?? 0) * 100, 1)}% of the phase; ` +
        `predictor CPU ${fmt(tp.predictor_cpu_us_per_prediction, 1)} µs per published prediction; window resyncs ${fmt(tp.window_resyncs)} (latency phase ${fmt(lat?.window_resyncs)}); ` +
        `CPU s: predictor ${fmt(cpu.predictor, 2)}, twin service ${fmt(cpu.twin_service, 2)}, nats-server ${fmt(cpu.nats_server, 2)}, bench ${fmt(cpu.bench, 2)}`,
    );
  }
  console.log('\nratios:');
  for (const [k, v] of Object.entries(ratios)) console.log(`  ${k.padEnd(30)} ${v === null ? '-' : v.toFixed(3) + 'x'}`);
  printTargets(targets);
  for (const [name, prof] of Object.entries(profiles)) {
    if (!prof) continue;
    console.log(`\n${name} CPU profile: ${fmt(prof.busy_ms)} ms busy, ${fmt(prof.idle_ms)} ms idle; top self time:`);
    for (const f of prof.functions) console.log(`  ${fmt(f.share * 100, 1).padStart(5)}%  ${f.fn}  ${f.where}`);
  }
  if (problems.length) console.log('\nproblems seen:\n' + problems.map((p) => `  - ${p.split('\n')[0]}`).join('\n'));
  console.log(`\nwrote ${path} (process logs in bench-results/inference-logs/)`);
  return pipeline ? exitCodeFor(targets) : 1;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error('[inference-bench] failed:', e);
    process.exit(1);
  },
);
