import type { JetStreamManager, NatsConnection } from 'nats';
import { saveLog as saveBenchLog, troubleLines } from '../common/service-output';
import { repoRoot, startProcess, type RunningProcess } from '@millwright/testing';
import { readProcCpuSeconds } from '../common/process-memory.sampler';
import type { IngestBenchOptions } from './ingest-bench.options';

export interface IngestBenchContext {
  opts: IngestBenchOptions;
  natsUrl: string;
  /** For CPU accounting: a variant that leaves nats-server idle is waiting on itself. */
  natsPid?: number;
  /** The bench's own connection: it publishes the load and follows the twin events. */
  nc: NatsConnection;
  jsm: JetStreamManager;
  /** Scratch folder of this run (databases); removed at the end. */
  workDir: string;
  /** Things seen going wrong in a variant (error lines, stalls); reported, never fatal on their own. */
  problems: string[];
  log(line: string): void;
}

export interface DrainResult {
  variant: 'floor' | 'millwright' | 'naive';
  kind: 'single' | 'batched';
  round?: number;
  /** `preload`: the stream was filled first and the consumer timed while draining it; `live`: timed from the first publish. */
  method: 'preload' | 'live';
  readings: number;
  messages: number;
  seconds: number;
  rps: number;
  /** How many readings were committed by the end; below `readings` only when the run stalled. */
  committed: number;
  stalled: boolean;
  peak_rss_mb: number | null;
  /** CPU seconds used by the consumer process (from its start, boot included) and by nats-server until the drain ended. */
  cpu_s?: { variant: number | null; nats_server: number | null };
  /** For the twin service: timed to the event that gave the last twin its final reading only (ignores readings redelivered later). */
  rps_to_last_event?: number;
  /** For the twin service: its `millwright_readings_ingested_total` after the drain. */
  metrics_ingested?: number | null;
  /** For the twin service: ingested readings over `millwright_ingest_batches_total` (commits). */
  readings_per_commit?: number;
  /** For the twin service: twin-changed events the bench received during the drain. */
  twin_events?: number;
}

export interface LatencyResult {
  kind: 'single' | 'batched';
  offered_rps: number;
  achieved_rps: number;
  seconds: number;
  samples: number;
  p50_ms: number | null;
  p90_ms: number | null;
  p99_ms: number | null;
  max_ms: number | null;
  /** Readings published that no commit event covered within the grace period. */
  uncommitted: number;
  /**
   * The service's own ingest batches (validate, apply, commit) by duration, from its
   * millwright_ingest_batch_seconds histogram: tells a stall in the service from one elsewhere on
   * the machine (the bench, nats-server, other work) when the latency tail moves.
   */
  service_batches?: { total: number; over_25ms: number; over_50ms: number; over_100ms: number };
  peak_rss_mb: number | null;
}

/** Starts `node [nodeArgs] <script>` from dist with the given environment on top of the bench's own. */
export function startNodeScript(script: string, env: Record<string, string>, nodeArgs: readonly string[] = []): RunningProcess {
  return startProcess(process.execPath, [...nodeArgs, script], { env: { ...process.env, ...env }, cwd: repoRoot(), maxOutput: 1_000_000 });
}

/** Rejects as soon as the process exits: a crashed variant must fail its phase, not wait out a timeout. */
export function failOnExit(p: RunningProcess, what: string): Promise<never> {
  return p.exited.then((code) => {
    throw new Error(`${what} exited (code ${code}) before the phase ended:\n${p.output().slice(-4000)}`);
  });
}

/** Keeps a variant's output for reading after the run (bench-results/ingest-logs). */
export const saveLog = (name: string, output: string): string => saveBenchLog('ingest', name, output);

export { troubleLines };

export function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let t: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<'timeout'>((r) => (t = setTimeout(() => r('timeout'), ms)))]).finally(() => clearTimeout(t));
}

/** CPU use of the variant and nats-server across a timed window. */
export function cpuWindow(ctx: IngestBenchContext, pid: number | undefined): () => { variant: number | null; nats_server: number | null } {
  const read = (p: number | undefined) => (p ? readProcCpuSeconds(p) : null);
  const v0 = read(pid);
  const n0 = read(ctx.natsPid);
  const delta = (a: number | null, b: number | null) => (a === null || b === null ? null : Math.round((b - a) * 100) / 100);
  return () => ({ variant: delta(v0, read(pid)), nats_server: delta(n0, read(ctx.natsPid)) });
}
