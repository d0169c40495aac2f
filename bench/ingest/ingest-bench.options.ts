export type IngestVariant = 'floor' | 'millwright' | 'naive';

export interface IngestBenchOptions {
  /** Distinct assets the readings spread over; the memory target is stated for 10,000. */
  assets: number;
  singleReadings: number;
  batchedReadings: number;
  batchSize: number;
  /** Smaller than the others: the baseline is expected to be tens of times slower. */
  naiveReadings: number;
  latencyRate: number;
  latencySeconds: number;
  /** Readings published in the first seconds of a latency run give no sample (JIT, first twins created). */
  warmupSeconds: number;
  synchronous: 'full' | 'normal';
  /** Passed to the twin service when set; its own default otherwise. */
  ingestMaxBatch?: number;
  historyMaxPerAsset?: number;
  /**
   * Floor and twin-service drains are repeated this often, alternating, and the best of each is
   * kept: other work on a shared machine only ever slows a run down, so the fastest is the cleanest.
   */
  rounds: number;
  /** Extra node flags for the twin service after its deployed NODE_OPTIONS, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to see where its time goes. */
  serviceNodeArgs: string[];
  /** Extra environment for the twin service, e.g. `INGEST_MAX_ACK_PENDING=500`, for experiments with its settings. */
  serviceEnv: Record<string, string>;
  /** Per drain, after which a variant counts as stalled and is reported with what it committed. */
  drainTimeoutMs: number;
  variants: Set<IngestVariant>;
}

export const INGEST_BENCH_DEFAULTS: IngestBenchOptions = {
  assets: 10_000,
  singleReadings: 100_000,
  batchedReadings: 300_000,
  batchSize: 50,
  naiveReadings: 10_000,
  latencyRate: 5_000,
  latencySeconds: 10,
  warmupSeconds: 1,
  synchronous: 'full',
  rounds: 2,
  // None of its own: the service runs with its Deployment's NODE_OPTIONS and its image's ENV.
  serviceNodeArgs: [],
  serviceEnv: {},
  drainTimeoutMs: 60_000,
  variants: new Set<IngestVariant>(['floor', 'millwright', 'naive']),
};

export const INGEST_BENCH_USAGE = `npm run bench -- ingest [--assets 10000] [--single 100000] [--batched 300000] [--batch-size 50]
  [--naive 10000] [--rate 5000] [--latency-seconds 10] [--synchronous full|normal] [--ingest-max-batch N]
  [--history-max-per-asset N] [--rounds 2] [--only floor,millwright,naive] [--quick]
  [--service-node-args '--cpu-prof --cpu-prof-dir=/tmp/prof'] [--service-env 'INGEST_MAX_ACK_PENDING=500 TWIN_FLUSH_DELAY=2s']`;

/** Parses `--name value` / `--name=value` flags; `--quick` shrinks every load for a smoke run. */
export function parseIngestBenchArgs(argv: readonly string[]): IngestBenchOptions {
  const o: IngestBenchOptions = { ...INGEST_BENCH_DEFAULTS, variants: new Set(INGEST_BENCH_DEFAULTS.variants), serviceEnv: {} };
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i];
    if (token === '--quick') {
      Object.assign(o, { singleReadings: 20_000, batchedReadings: 50_000, naiveReadings: 2_000, latencySeconds: 4, rounds: 1 });
      continue;
    }
    const eq = token.startsWith('--') ? token.indexOf('=') : -1;
    const flag = eq > 0 ? token.slice(0, eq) : token;
    const value = eq > 0 ? token.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new Error(`${flag} needs a value\n${INGEST_BENCH_USAGE}`);
    const int = (): number => {
      const n = Number(value);
      if (!Number.isInteger(n) || n <= 0) throw new Error(`${flag} must be a positive integer, got '${value}'`);
      return n;
    };
    switch (flag) {
      case '--assets': o.assets = int(); break;
      case '--single': o.singleReadings = int(); break;
      case '--batched': o.batchedReadings = int(); break;
      case '--batch-size': o.batchSize = int(); break;
      case '--naive': o.naiveReadings = int(); break;
      case '--rate': o.latencyRate = int(); break;
      case '--latency-seconds': o.latencySeconds = int(); break;
      case '--rounds': o.rounds = int(); break;
      case '--service-node-args': o.serviceNodeArgs = value.split(/\s+/).filter(Boolean); break;
      case '--service-env':
        for (const pair of value.split(/\s+/).filter(Boolean)) {
          const at = pair.indexOf('=');
          if (at <= 0) throw new Error(`--service-env takes NAME=value pairs, got '${pair}'`);
          o.serviceEnv[pair.slice(0, at)] = pair.slice(at + 1);
        }
        break;
      case '--ingest-max-batch': o.ingestMaxBatch = int(); break;
      case '--history-max-per-asset': o.historyMaxPerAsset = int(); break;
      case '--synchronous':
        if (value !== 'full' && value !== 'normal') throw new Error(`--synchronous must be full or normal, got '${value}'`);
        o.synchronous = value;
        break;
      case '--only': {
        const wanted = value.split(',').map((v) => v.trim());
        const bad = wanted.filter((v) => !INGEST_BENCH_DEFAULTS.variants.has(v as IngestVariant));
        if (bad.length) throw new Error(`unknown variant(s) ${bad.join(', ')}; known: floor, millwright, naive`);
        o.variants = new Set(wanted as IngestVariant[]);
        break;
      }
      default:
        throw new Error(`unknown flag '${flag}'\n${INGEST_BENCH_USAGE}`);
    }
  }
  // Batches of a fixed size: round the batched load to whole messages.
  o.batchedReadings = Math.max(o.batchSize, Math.round(o.batchedReadings / o.batchSize) * o.batchSize);
  return o;
}
