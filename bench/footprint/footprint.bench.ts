// `npm run bench -- footprint [--assets 1000] [--load-seconds 60] [--idle-seconds 10] [--heap MB] [--v8 "FLAGS"] [--quick]`
// Memory and start-up of the edge services on a small box: the three services as separate processes
// and the same three in one all-in-one process, side by side on one machine and one nats-server:
// start-up to ready, RSS idle, and RSS under 1,000 assets reporting once a second each (the sensor
// simulator: synthetic FD001 engines, batches of 50). Each process is started as production starts
// it (deployedRuntime in @millwright/testing): the script its image runs, its image's ENV and the NODE_OPTIONS of
// its k8s Deployment. Writes bench-results/footprint.json.
import { join } from 'node:path';
import { WaitAborted, deployedRuntime, freePort, makeTempDir, repoRoot, startNatsServer, startProcess, waitFor, type NatsServerHandle, type RunningProcess } from '@millwright/testing';
import { machineNote, writeBenchResults } from '../common/bench-results.writer';
import { ProcessMemorySampler, readProcMemoryMb, readProcPssMb } from '../common/process-memory.sampler';
import { saveLog, troubleLines } from '../common/service-output';
import { deployedApiTokens } from '../common/deployed-api-tokens';
import { scrapeMetrics } from '../common/prometheus-metrics.reader';

interface Options {
  assets: number;
  loadSeconds: number;
  idleSeconds: number;
  /** --max-old-space-size for every service process instead of the Deployments' own (an experiment); null: theirs. */
  heapMb: number | null;
  /** Extra V8 flags for every service process, after the Deployments' NODE_OPTIONS (an experiment). */
  v8: string[];
}

function parseArgs(argv: string[]): Options {
  // No V8 flags of its own: the Deployments' NODE_OPTIONS apply (heap caps, 1 MB semi-spaces, ...).
  const o: Options = { assets: 1000, loadSeconds: 60, idleSeconds: 10, heapMb: null, v8: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') Object.assign(o, { assets: 200, loadSeconds: 10, idleSeconds: 3 });
    else if (a === '--assets') o.assets = Number(argv[++i]);
    else if (a === '--load-seconds') o.loadSeconds = Number(argv[++i]);
    else if (a === '--idle-seconds') o.idleSeconds = Number(argv[++i]);
    else if (a === '--heap') o.heapMb = Number(argv[++i]);
    else if (a === '--v8') o.v8 = argv[++i].split(' ').filter(Boolean);
    else if (a === '--help') {
      console.log('flags: --assets N (1000) --load-seconds S (60) --idle-seconds S (10) --heap MB (--max-old-space-size per process instead of the Deployments\') --v8 "FLAGS" (more V8 flags per process) --quick');
      process.exit(0);
    } else throw new Error(`unknown flag ${a}`);
  }
  return o;
}

/** Set from --v8 before any service starts. */
let V8_FLAGS: string[] = [];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const r1 = (v: number) => Math.round(v * 10) / 10;

interface Proc {
  name: string;
  proc: RunningProcess;
  sampler: ProcessMemorySampler;
  readyUrls: string[];
  startupMs: number;
}

/** Starts a built app as its image and Deployment do and times spawn -> every given readiness URL answering 200. */
async function startTimed(name: string, app: string, env: Record<string, string>, readyUrls: string[], heapMb: number | null): Promise<Proc> {
  const deployed = deployedRuntime(app);
  const flags = [...(heapMb === null ? [] : [`--max-old-space-size=${heapMb}`]), ...V8_FLAGS];
  console.log(`  ${name}: node ${[...flags, deployed.entry].join(' ')} with ${Object.entries(deployed.env).filter(([k]) => !k.endsWith('_PATH')).map(([k, v]) => `${k}=${v}`).join(' ')}`);
  const t0 = performance.now();
  // The image's ENV first, so that the bench's own paths and ports win over the image's defaults.
  const proc = startProcess(process.execPath, [...flags, join(repoRoot(), deployed.entry)], { env: { ...process.env, ...deployed.env, ...env }, cwd: repoRoot(), maxOutput: 1_000_000 });
  const sampler = new ProcessMemorySampler(proc.child.pid!, 200);
  await waitFor(
    async () => {
      // A service that refused its configuration will not become ready: say so now, not in a minute.
      if (proc.child.exitCode !== null || proc.child.signalCode !== null) throw new WaitAborted(`${name} exited:\n${proc.output().slice(-3000)}`);
      for (const u of readyUrls) if (!(await fetch(u).catch(() => undefined))?.ok) return false;
      return true;
    },
    { timeoutMs: 60_000, intervalMs: 10, what: `${name} ready` },
  );
  return { name, proc, sampler, readyUrls, startupMs: Math.round(performance.now() - t0) };
}

async function readingsIngested(twinUrl: string): Promise<number> {
  return (await scrapeMetrics(twinUrl)).get('millwright_readings_ingested_total') ?? 0;
}

interface VariantResult {
  processes: { name: string; startup_ms: number; idle_rss_mb: number; idle_anon_mb: number; idle_file_mb: number; load_rss_mb: number; load_anon_mb: number; load_mean_rss_mb: number; peak_rss_mb: number }[];
  nats_idle_rss_mb: number;
  nats_load_rss_mb: number;
  /** Largest sum of the processes' PSS over the load samples. */
  load_pss_total_mb: number;
  readings_sent_per_s: number;
  readings_ingested_per_s: number;
  problems: string[];
}

async function runVariant(variant: 'separate' | 'allinone', o: Options): Promise<VariantResult> {
  const nats: NatsServerHandle = await startNatsServer({ maxFileStore: '4GB' });
  const dir = makeTempDir('mw-footprint-');
  const ports = { twin: await freePort(), predictor: await freePort(), maintenance: await freePort() };
  const urls = { twin: `http://127.0.0.1:${ports.twin}`, predictor: `http://127.0.0.1:${ports.predictor}`, maintenance: `http://127.0.0.1:${ports.maintenance}` };
  const common = {
    NATS_URL: nats.url,
    HTTP_HOST: '127.0.0.1',
    TWIN_DB_PATH: join(dir.path, 'twins.db'),
    MAINTENANCE_DB_PATH: join(dir.path, 'maintenance.db'),
    TWIN_SERVICE_URL: urls.twin,
    MODEL_DIR: join(repoRoot(), 'models', 'fd001'),
    POLICIES_FILE: join(repoRoot(), 'config', 'policies', 'default.json'),
    SUPPLIER_URL: `http://127.0.0.1:${await freePort()}`,
    ...deployedApiTokens(),
  };
  const procs: Proc[] = [];
  let sim: RunningProcess | undefined;
  const problems: string[] = [];
  try {
    if (variant === 'separate') {
      procs.push(await startTimed('twin-service', 'twin-service', { ...common, HTTP_PORT: String(ports.twin) }, [`${urls.twin}/health/ready`], o.heapMb));
      procs.push(await startTimed('predictor', 'predictor', { ...common, HTTP_PORT: String(ports.predictor) }, [`${urls.predictor}/health/ready`], o.heapMb));
      procs.push(await startTimed('maintenance', 'maintenance', { ...common, HTTP_PORT: String(ports.maintenance) }, [`${urls.maintenance}/health/ready`], o.heapMb));
    } else {
      const env = { ...common, TWIN_SERVICE__HTTP_PORT: String(ports.twin), PREDICTOR__HTTP_PORT: String(ports.predictor), MAINTENANCE__HTTP_PORT: String(ports.maintenance) };
      procs.push(await startTimed('edge-allinone', 'edge-allinone', env, Object.values(urls).map((u) => `${u}/health/ready`), o.heapMb));
    }
    await sleep(o.idleSeconds * 1000);
    const idle = procs.map((p) => readProcMemoryMb(p.proc.child.pid!, 'VmRSS') ?? 0);
    const idleAnon = procs.map((p) => readProcMemoryMb(p.proc.child.pid!, 'RssAnon') ?? 0);
    const idleFile = procs.map((p) => readProcMemoryMb(p.proc.child.pid!, 'RssFile') ?? 0);
    const natsIdle = readProcMemoryMb(nats.process.child.pid!, 'VmRSS') ?? 0;

    const before = await readingsIngested(urls.twin);
    sim = startProcess(process.execPath, [join(repoRoot(), 'dist', 'apps', 'sensor-simulator', 'src', 'main.js')], {
      env: { ...process.env, NATS_URL: nats.url, SIM_SOURCE: 'synthetic', SIM_ENGINES: String(o.assets), SIM_CYCLE_RATE: '1', SIM_BATCH_SIZE: '50', SIM_LOOP: 'true', SIM_SITE: 'plant-1', SIM_PROGRESS_MS: '0' },
      cwd: repoRoot(),
    });
    const t0 = performance.now();
    // Steady state is what a site lives with: the first 10 s (windows filling, caches warming) are not averaged.
    const samples: number[][] = procs.map(() => []);
    const anonSamples: number[][] = procs.map(() => []);
    const pssTotals: number[] = [];
    const natsSamples: number[] = [];
    const warmupMs = Math.min(10_000, (o.loadSeconds * 1000) / 3);
    while (performance.now() - t0 < o.loadSeconds * 1000) {
      await sleep(500);
      if (sim.child.exitCode !== null) throw new Error(`sensor simulator exited:\n${sim.output().slice(-2000)}`);
      if (performance.now() - t0 < warmupMs) continue;
      procs.forEach((p, i) => {
        samples[i].push(readProcMemoryMb(p.proc.child.pid!, 'VmRSS') ?? 0);
        anonSamples[i].push(readProcMemoryMb(p.proc.child.pid!, 'RssAnon') ?? 0);
      });
      pssTotals.push(procs.reduce((sum, p) => sum + (readProcPssMb(p.proc.child.pid!) ?? 0), 0));
      natsSamples.push(readProcMemoryMb(nats.process.child.pid!, 'VmRSS') ?? 0);
    }
    const seconds = (performance.now() - t0) / 1000;
    const ingested = (await readingsIngested(urls.twin)) - before;
    const processes = procs.map((p, i) => ({
      name: p.name,
      startup_ms: p.startupMs,
      idle_rss_mb: r1(idle[i]),
      idle_anon_mb: r1(idleAnon[i]),
      idle_file_mb: r1(idleFile[i]),
      load_rss_mb: r1(Math.max(...samples[i])),
      load_anon_mb: r1(Math.max(...anonSamples[i])),
      load_mean_rss_mb: r1(samples[i].reduce((s, v) => s + v, 0) / samples[i].length),
      peak_rss_mb: r1(p.sampler.stop()),
    }));
    for (const p of procs) problems.push(...troubleLines(p.proc.output()).map((l) => `${p.name}: ${l}`));
    return {
      processes,
      nats_idle_rss_mb: r1(natsIdle),
      nats_load_rss_mb: r1(Math.max(...natsSamples)),
      load_pss_total_mb: r1(Math.max(...pssTotals)),
      readings_sent_per_s: o.assets,
      readings_ingested_per_s: Math.round(ingested / seconds),
      problems,
    };
  } finally {
    await sim?.stop();
    for (const p of [...procs].reverse()) {
      saveLog('footprint', `${variant}-${p.name}`, p.proc.output());
      await p.proc.stop();
    }
    await nats.stop();
    dir.remove();
  }
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  V8_FLAGS = o.v8;
  console.log(`footprint: ${o.assets} assets at 1 reading/s each, ${o.loadSeconds} s under load, heap cap ${o.heapMb === null ? "as each Deployment's NODE_OPTIONS" : `${o.heapMb} MB per process`}`);
  const separate = await runVariant('separate', o);
  const allinone = await runVariant('allinone', o);
  const sum = (v: VariantResult, k: 'idle_rss_mb' | 'load_rss_mb' | 'load_anon_mb') => r1(v.processes.reduce((s, p) => s + p[k], 0));
  const edgeTotal = sum(separate, 'load_rss_mb');
  const allinoneRss = allinone.processes[0].load_rss_mb;
  const startup = Math.max(...separate.processes.map((p) => p.startup_ms));
  const results = {
    bench: 'footprint',
    options: o,
    edge_total_rss_mb: edgeTotal,
    edge_total_idle_rss_mb: sum(separate, 'idle_rss_mb'),
    // The private part of edge_total_rss_mb: what is left when the node binary's pages, which the
    // three processes share in physical memory, are not counted three times (the target is on RSS).
    edge_total_anon_mb: sum(separate, 'load_anon_mb'),
    // What the three processes take of physical memory together (PSS summed at the same instant):
    // shared pages counted once. Shown beside the RSS sum; the target is stated on RSS.
    edge_total_pss_mb: separate.load_pss_total_mb,
    allinone_rss_mb: allinoneRss,
    allinone_idle_rss_mb: allinone.processes[0].idle_rss_mb,
    startup_ms: startup,
    allinone_startup_ms: allinone.processes[0].startup_ms,
    nats_load_rss_mb: separate.nats_load_rss_mb,
    ratio_allinone_to_separate: r1((allinoneRss / edgeTotal) * 100) / 100,
    targets: {
      // A memory figure counts only if the services took the load it was measured under.
      load_taken: separate.readings_ingested_per_s >= 0.95 * o.assets && allinone.readings_ingested_per_s >= 0.95 * o.assets,
      edge_total_rss_le_300mb: edgeTotal <= 300,
      allinone_rss_le_300mb: allinoneRss <= 300,
      startup_le_3000ms_per_service: startup <= 3000,
    },
    problems: [...separate.problems, ...allinone.problems],
    separate,
    allinone,
    machine: machineNote(),
  };
  const path = writeBenchResults('footprint', results);
  const row = (p: VariantResult['processes'][number]) =>
    `  ${p.name.padEnd(14)} start ${String(p.startup_ms).padStart(5)} ms   idle ${String(p.idle_rss_mb).padStart(6)} MB (anon ${p.idle_anon_mb}, files ${p.idle_file_mb})   load ${String(p.load_rss_mb).padStart(6)} MB (anon ${p.load_anon_mb}; mean ${p.load_mean_rss_mb})   peak ${p.peak_rss_mb} MB`;
  console.log('separate processes:');
  separate.processes.forEach((p) => console.log(row(p)));
  console.log(`  total          idle ${results.edge_total_idle_rss_mb} MB   load ${edgeTotal} MB (anon ${results.edge_total_anon_mb}; PSS summed ${results.edge_total_pss_mb})   (ingested ${separate.readings_ingested_per_s}/s of ${o.assets}/s; nats-server ${separate.nats_load_rss_mb} MB)`);
  console.log('all-in-one process:');
  allinone.processes.forEach((p) => console.log(row(p)));
  console.log(`  (ingested ${allinone.readings_ingested_per_s}/s of ${o.assets}/s; nats-server ${allinone.nats_load_rss_mb} MB)`);
  console.log(`all-in-one / separate under load: ${results.ratio_allinone_to_separate}x`);
  // The same PASS / FAIL lines as the other benchmarks print.
  console.log('targets:');
  for (const [pass, target, value] of [
    [results.targets.load_taken, `load taken: >= 95% of ${o.assets} readings/s ingested in both variants`, `${separate.readings_ingested_per_s} and ${allinone.readings_ingested_per_s}/s`],
    [results.targets.edge_total_rss_le_300mb, 'three edge services <= 300 MB RSS under load', `${edgeTotal} MB`],
    [results.targets.allinone_rss_le_300mb, 'all-in-one process <= 300 MB RSS under load', `${allinoneRss} MB`],
    [results.targets.startup_le_3000ms_per_service, 'start-up to ready <= 3,000 ms per service', `slowest ${startup} ms`],
  ] as const) console.log(`  ${pass ? 'PASS' : 'FAIL'}  ${target}  (value ${value})`);
  for (const p of results.problems) console.log(`problem: ${p}`);
  console.log(`results: ${path}`);
  // A missed target fails the run, as in the other benchmarks (the results are written either way).
  if (Object.values(results.targets).some((pass) => !pass)) process.exitCode = 1;
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
