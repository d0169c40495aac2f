// Ingest benchmark (issue 2): one nats-server, and side by side on it
//   floor      a bare JetStream consumer that acks and does nothing else,
//   millwright the twin service as production starts it (its image's bundle, its Deployment's NODE_OPTIONS),
//   naive      a NestJS @EventPattern handler doing repository.findOneBy + save() per reading,
// with single-reading and 50-reading batch messages over 10,000 assets. Writes bench-results/ingest.json.
//   npm run bench -- ingest [--quick] [--only floor,millwright] ...   (--help for all flags)
import { connect } from 'nats';
import { makeTempDir, startNatsServer } from '@millwright/testing';
import { machineNote, writeBenchResults } from '../common/bench-results.writer';
import { round1 } from '../common/latency.stats';
import type { MessageKind } from './bench-fleet.factory';
import { runFloorDrain } from './floor.variant';
import { saveLog, troubleLines, type DrainResult, type IngestBenchContext, type LatencyResult } from './ingest-bench.context';
import { INGEST_BENCH_USAGE, parseIngestBenchArgs, type IngestBenchOptions } from './ingest-bench.options';
import { runNaive } from './naive.variant';
import { deployedTwinServiceRuntime, runTwinServiceDrain, runTwinServiceLatency, twinServiceBuilt } from './twin-service.variant';
import { check, exitCodeFor, fmt, printTargets, table } from '../common/bench-report';

// A second round of drains is skipped when the first one was this slow, to keep a run within minutes.
const ROUND_BUDGET_MS = 60_000;

const TARGETS = { singleVsFloor: 0.7, batchedRps: 100_000, vsNaive: 20, p99Ms: 50, rssMb: 200 } as const;

const ratio = (a: number | undefined, b: number | undefined): number | null => (a && b ? a / b : null);

async function phase<T>(ctx: IngestBenchContext, name: string, run: () => Promise<T>): Promise<T | undefined> {
  ctx.log(`${name} ...`);
  const t0 = Date.now();
  try {
    const r = await run();
    ctx.log(`${name} done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    return r;
  } catch (e) {
    const msg = `${name} failed: ${(e as Error).message}`;
    ctx.log(msg);
    ctx.problems.push(msg.slice(0, 2000));
    return undefined;
  }
}


async function main(): Promise<number> {
  if (process.argv.includes('--help')) {
    console.log(INGEST_BENCH_USAGE);
    return 0;
  }
  const opts: IngestBenchOptions = parseIngestBenchArgs(process.argv.slice(2));
  const started = Date.now();
  const log = (line: string) => console.log(`[ingest-bench +${((Date.now() - started) / 1000).toFixed(1)}s] ${line}`);
  const serviceBuilt = twinServiceBuilt();
  const notes: string[] = [];
  if (opts.variants.has('millwright') && !serviceBuilt) notes.push(`twin service not measured: ${deployedTwinServiceRuntime().entry} does not exist (npm run build)`);

  const nats = await startNatsServer();
  const work = makeTempDir('mw-bench-ingest-');
  // The test harness kills its child processes on exit; a signal has to become an exit for that to run.
  const onSignal = () => {
    work.remove();
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const nc = await connect({ servers: nats.url, name: 'ingest-bench' });
  const ctx: IngestBenchContext = { opts, natsUrl: nats.url, natsPid: nats.process.child.pid, nc, jsm: await nc.jetstreamManager(), workDir: work.path, problems: [], log };
  const drains: DrainResult[] = [];
  const latencies: LatencyResult[] = [];
  let phaseFailed = false;
  const keep = <T>(r: T | undefined, into: T[]) => (r ? into.push(r) : (phaseFailed = true));
  log(`nats-server ${nats.url}; ${opts.assets} assets; single ${opts.singleReadings}, batched ${opts.batchedReadings} (x${opts.batchSize}), naive ${opts.naiveReadings} readings; synchronous=${opts.synchronous}`);
  try {
    const kinds: Array<[MessageKind, number]> = [
      ['single', opts.singleReadings],
      ['batched', opts.batchedReadings],
    ];
    // Floor and service alternate per message kind, so that drift in the machine's load hits both alike.
    for (let round = 1; round <= opts.rounds; round++) {
      if (round > 1 && Date.now() - started > ROUND_BUDGET_MS) {
        notes.push(`only ${round - 1} of ${opts.rounds} rounds: the first took longer than ${ROUND_BUDGET_MS / 1000} s`);
        break;
      }
      const tag = opts.rounds > 1 ? ` (round ${round})` : '';
      for (const [kind, readings] of kinds) {
        if (opts.variants.has('floor')) keep(await phase(ctx, `floor ${kind}${tag}`, async () => ({ ...(await runFloorDrain(ctx, kind, readings)), round })), drains);
        if (opts.variants.has('millwright') && serviceBuilt) keep(await phase(ctx, `twin service ${kind}${tag}`, async () => ({ ...(await runTwinServiceDrain(ctx, kind, readings)), round })), drains);
        // Right after the service's single run, so that both ends of the naive ratio see the same machine.
        if (round === 1 && kind === 'single' && opts.variants.has('naive')) keep(await phase(ctx, 'naive single', () => runNaive(ctx, 'single', opts.naiveReadings)), drains);
      }
    }
    if (opts.variants.has('millwright') && serviceBuilt) {
      for (const kind of ['single', 'batched'] as const) {
        keep(await phase(ctx, `twin service latency ${kind} at ${opts.latencyRate}/s`, () => runTwinServiceLatency(ctx, kind)), latencies);
      }
    }
  } finally {
    await nc.close().catch(() => undefined);
    await nats.stop();
    work.remove();
    saveLog('nats-server', nats.process.output());
    for (const line of troubleLines(nats.process.output())) ctx.problems.push(`nats-server output: ${line}`);
  }

  // Best of the rounds; a stalled run only counts when no round finished.
  const find = (variant: DrainResult['variant'], kind: MessageKind) =>
    drains.filter((d) => d.variant === variant && d.kind === kind).sort((a, b) => Number(a.stalled) - Number(b.stalled) || b.rps - a.rps)[0] as DrainResult | undefined;
  const floor = find('floor', 'single');
  const floorBatched = find('floor', 'batched');
  const single = find('millwright', 'single');
  const batched = find('millwright', 'batched');
  const naive = find('naive', 'single');
  const latSingle = latencies.find((l) => l.kind === 'single');
  const latBatched = latencies.find((l) => l.kind === 'batched');
  const rssValues = [...drains.filter((d) => d.variant === 'millwright').map((d) => d.peak_rss_mb), ...latencies.map((l) => l.peak_rss_mb)].filter((v): v is number => v !== null);
  const rss = rssValues.length ? Math.max(...rssValues) : null;

  const ratios = {
    millwright_vs_floor: ratio(single?.rps, floor?.rps),
    batched_vs_floor_batched: ratio(batched?.rps, floorBatched?.rps),
    millwright_vs_naive: ratio(single?.rps, naive?.rps),
    batched_vs_naive: ratio(batched?.rps, naive?.rps),
    batched_vs_single: ratio(batched?.rps, single?.rps),
  };
  const targets = {
    single_vs_floor: check(ratios.millwright_vs_floor, `single-reading messages >= ${TARGETS.singleVsFloor} x floor`, (v) => v >= TARGETS.singleVsFloor),
    batched_rps: check(batched?.rps, `batched >= ${TARGETS.batchedRps} readings/s`, (v) => v >= TARGETS.batchedRps),
    vs_naive: check(ratios.millwright_vs_naive, `single-reading messages >= ${TARGETS.vsNaive} x naive`, (v) => v >= TARGETS.vsNaive),
    p99_ms: check(latSingle?.p99_ms, `p99 <= ${TARGETS.p99Ms} ms at ${opts.latencyRate} readings/s (single messages)`, (v) => v <= TARGETS.p99Ms && (latSingle?.uncommitted ?? 0) === 0),
    rss_mb: check(rss, `peak RSS <= ${TARGETS.rssMb} MB with ${opts.assets} assets`, (v) => v <= TARGETS.rssMb),
  };
  notes.push(
    `floor and twin service: best of ${opts.rounds} alternating rounds (all in runs[]); the stream is pre-loaded with core NATS publishes (count checked against stream info), then timed from the consumer's first delivery until every twin has its final reading and the consumer has acked every message (consumer info every 50 ms; the service acks after commit; floor: acks only); both use the twin service's own stream config`,
    'naive: Nest\'s NATS transport subscribes with core NATS, so it is timed live from the first publish to its last twin event',
    `latency: per reading, publish time to receipt of the first twin event covering its seq; readings of the first ${opts.warmupSeconds} s are warm-up`,
    'ratios matter more than absolute numbers: the bench, nats-server and the variant share the machine',
  );

  const results = {
    bench: 'ingest',
    at: new Date().toISOString(),
    machine: machineNote(),
    settings: {
      assets: opts.assets,
      single_readings: opts.singleReadings,
      batched_readings: opts.batchedReadings,
      batch_size: opts.batchSize,
      naive_readings: opts.naiveReadings,
      offered_rps: opts.latencyRate,
      latency_seconds: opts.latencySeconds,
      sqlite_synchronous: opts.synchronous,
      ingest_max_batch: opts.ingestMaxBatch ?? 'service default',
      history_max_per_asset: opts.historyMaxPerAsset ?? 'service default',
      service_runtime: { ...deployedTwinServiceRuntime(), extra_node_args: opts.serviceNodeArgs, extra_env: opts.serviceEnv },
    },
    floor_rps: floor ? Math.round(floor.rps) : null,
    floor_batched_rps: floorBatched ? Math.round(floorBatched.rps) : null,
    millwright_rps: single ? Math.round(single.rps) : null,
    batched_rps: batched ? Math.round(batched.rps) : null,
    naive_rps: naive ? Math.round(naive.rps) : null,
    p50_ms: latSingle?.p50_ms ?? null,
    p99_ms: latSingle?.p99_ms ?? null,
    batched_p50_ms: latBatched?.p50_ms ?? null,
    batched_p99_ms: latBatched?.p99_ms ?? null,
    rss_mb: rss === null ? null : round1(rss),
    ratios: Object.fromEntries(Object.entries(ratios).map(([k, v]) => [k, v === null ? null : Math.round(v * 100) / 100])),
    targets,
    runs: drains.map((d) => ({ ...d, seconds: Math.round(d.seconds * 1000) / 1000, rps: Math.round(d.rps), rps_to_last_event: d.rps_to_last_event && Math.round(d.rps_to_last_event), peak_rss_mb: d.peak_rss_mb && round1(d.peak_rss_mb) })),
    latency: latencies.map((l) => ({ ...l, achieved_rps: Math.round(l.achieved_rps), seconds: round1(l.seconds), peak_rss_mb: l.peak_rss_mb && round1(l.peak_rss_mb) })),
    problems: ctx.problems,
    notes,
  };
  const path = writeBenchResults('ingest', results);

  const rows = [['variant', 'messages', 'readings', 'readings/s', 'p50 ms', 'p99 ms', 'peak RSS MB']];
  for (const d of [floor, single, naive, floorBatched, batched]) {
    if (!d) continue;
    const others = drains.filter((o) => o !== d && o.variant === d.variant && o.kind === d.kind).map((o) => fmt(o.rps));
    const label = `${d.variant} ${d.kind}${d.stalled ? ' (stalled)' : ''}${others.length ? ` (best; also ${others.join(', ')})` : ''}`;
    rows.push([label, fmt(d.messages), fmt(d.readings), fmt(d.rps), '-', '-', fmt(d.peak_rss_mb, 1)]);
  }
  for (const l of latencies) rows.push([`millwright ${l.kind} @${fmt(l.offered_rps)}/s`, '-', fmt(l.samples), fmt(l.achieved_rps), fmt(l.p50_ms, 1), fmt(l.p99_ms, 1), fmt(l.peak_rss_mb, 1)]);
  console.log('\n' + table(rows));
  for (const l of latencies) {
    const b = l.service_batches;
    if (b) console.log(`service batches in the ${l.kind} latency run: ${b.total}, over 25 ms ${b.over_25ms}, over 50 ms ${b.over_50ms}, over 100 ms ${b.over_100ms}`);
  }
  console.log('\nratios:');
  for (const [k, v] of Object.entries(ratios)) console.log(`  ${k.padEnd(26)} ${v === null ? '-' : v.toFixed(2) + 'x'}`);
  printTargets(targets);
  if (notes.length && !serviceBuilt) console.log(`\nnote: ${notes[0]}`);
  if (ctx.problems.length) console.log('\nproblems seen:\n' + ctx.problems.map((p) => `  - ${p.split('\n')[0]}`).join('\n'));
  console.log(`\nwrote ${path} (process logs in bench-results/ingest-logs/)`);
  return phaseFailed ? 1 : exitCodeFor(targets);
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error('[ingest-bench] failed:', e);
    process.exit(1);
  },
);
