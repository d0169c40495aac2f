export interface InferenceBenchOptions {
  /** Seconds of each raw session.run loop (batch 1, 64 and the predictor's largest batch). */
  rawSeconds: number;
  /** Bench assets; each gets a full window before anything is measured. */
  assets: number;
  /** Readings per asset before measuring: at least the model's window, so every prediction is a real one. */
  seedReadings: number;
  /** Throughput: this many new readings per asset, published as fast as the broker takes them. */
  throughputRounds: number;
  /**
   * The throughput phase is run this often (each time with new readings) and the fastest run is
   * kept, as the ingest bench keeps its best drain: other work on a shared machine only ever slows a
   * run down. Every run is reported.
   */
  throughputRuns: number;
  batchSize: number;
  /** Latency: twin changes per second offered (one reading per asset and change). */
  latencyRate: number;
  latencySeconds: number;
  /** Write-back alone: rounds of one bench-made prediction per asset straight into PREDICTIONS. */
  ingestRounds: number;
  /** Changes published in the first seconds give no sample (JIT, first batches, SQLite cache). */
  warmupSeconds: number;
  synchronous: 'full' | 'normal';
  /** Extra node flags for the predictor and the twin service after their deployed NODE_OPTIONS, e.g. `--max-semi-space-size=4`. */
  predictorNodeArgs: string[];
  serviceNodeArgs: string[];
  /** Writes CPU profiles of both services into this folder and prints their hottest functions. */
  profileDir?: string;
  /** Per waiting step (seeding, the end of a throughput run), after which the phase fails. */
  phaseTimeoutMs: number;
}

export const INFERENCE_BENCH_DEFAULTS: InferenceBenchOptions = {
  rawSeconds: 3,
  assets: 5_000,
  seedReadings: 30,
  throughputRounds: 10,
  throughputRuns: 3,
  batchSize: 50,
  latencyRate: 5_000,
  latencySeconds: 10,
  ingestRounds: 6,
  warmupSeconds: 1,
  synchronous: 'full',
  // None of their own: both run with their Deployment's NODE_OPTIONS and their image's script and ENV.
  predictorNodeArgs: [],
  serviceNodeArgs: [],
  phaseTimeoutMs: 90_000,
};

export const INFERENCE_BENCH_USAGE = `npm run bench -- inference [--raw-seconds 3] [--assets 5000] [--seed-readings 30]
  [--rounds 10] [--throughput-runs 3] [--batch-size 50] [--rate 5000] [--latency-seconds 10] [--ingest-rounds 6] [--synchronous full|normal]
  [--profile DIR] [--predictor-node-args '...'] [--service-node-args '...'] [--quick]`;

/** Parses `--name value` / `--name=value` flags; `--quick` shrinks every load for a smoke run. */
export function parseInferenceBenchArgs(argv: readonly string[]): InferenceBenchOptions {
  const o: InferenceBenchOptions = { ...INFERENCE_BENCH_DEFAULTS };
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i];
    if (token === '--quick') {
      Object.assign(o, { rawSeconds: 1, assets: 1_000, throughputRounds: 5, throughputRuns: 1, latencySeconds: 4, ingestRounds: 2 });
      continue;
    }
    const eq = token.startsWith('--') ? token.indexOf('=') : -1;
    const flag = eq > 0 ? token.slice(0, eq) : token;
    const value = eq > 0 ? token.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new Error(`${flag} needs a value\n${INFERENCE_BENCH_USAGE}`);
    const int = (): number => {
      const n = Number(value);
      if (!Number.isInteger(n) || n <= 0) throw new Error(`${flag} must be a positive integer, got '${value}'`);
      return n;
    };
    switch (flag) {
      case '--raw-seconds': o.rawSeconds = int(); break;
      case '--assets': o.assets = int(); break;
      case '--seed-readings': o.seedReadings = int(); break;
      case '--rounds': o.throughputRounds = int(); break;
      case '--throughput-runs': o.throughputRuns = int(); break;
      case '--batch-size': o.batchSize = int(); break;
      case '--rate': o.latencyRate = int(); break;
      case '--latency-seconds': o.latencySeconds = int(); break;
      case '--ingest-rounds': o.ingestRounds = int(); break;
      case '--profile': o.profileDir = value; break;
      case '--predictor-node-args': o.predictorNodeArgs = value.split(/\s+/).filter(Boolean); break;
      case '--service-node-args': o.serviceNodeArgs = value.split(/\s+/).filter(Boolean); break;
      case '--synchronous':
        if (value !== 'full' && value !== 'normal') throw new Error(`--synchronous must be full or normal, got '${value}'`);
        o.synchronous = value;
        break;
      default:
        throw new Error(`unknown flag '${flag}'\n${INFERENCE_BENCH_USAGE}`);
    }
  }
  // Paced publishing sends whole messages of one reading per asset: a message must not name an asset twice.
  if (o.batchSize > o.assets) throw new Error(`--batch-size (${o.batchSize}) must not exceed --assets (${o.assets})`);
  return o;
}
