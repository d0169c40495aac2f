export interface OrdersBenchOptions {
  assets: number;
  /** Assets whose RUL crosses lead time + margin per second; crossings are spread evenly at this rate. */
  crossingRate: number;
  /** Predictions per asset before the crossing one (RUL still above the threshold). */
  before: number;
  /** Predictions per asset after the crossing one, plus one exact repeat of it (a redelivery). */
  after: number;
  /** Interval between prediction batches, as the predictor publishes one batch per run. */
  tickMs: number;
  /** Direct order requests to the supplier simulator that time its own response. */
  probes: number;
  /** Waiting for the last orders (and for the planner to see every prediction), after which the run fails. */
  settleTimeoutMs: number;
  serviceNodeArgs: string[];
}

export const ORDERS_BENCH_DEFAULTS: OrdersBenchOptions = {
  assets: 1_000,
  crossingRate: 100,
  before: 3,
  after: 3,
  tickMs: 20,
  probes: 200,
  settleTimeoutMs: 60_000,
  serviceNodeArgs: [],
};

export const ORDERS_BENCH_USAGE = `npm run bench -- orders [--assets 1000] [--rate 100] [--before 3] [--after 3]
  [--tick-ms 20] [--probes 200] [--service-node-args '...'] [--quick]`;

/** Parses `--name value` / `--name=value` flags; `--quick` shrinks the load for a smoke run. */
export function parseOrdersBenchArgs(argv: readonly string[]): OrdersBenchOptions {
  const o: OrdersBenchOptions = { ...ORDERS_BENCH_DEFAULTS };
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i];
    if (token === '--quick') {
      Object.assign(o, { assets: 200, probes: 50 });
      continue;
    }
    const eq = token.startsWith('--') ? token.indexOf('=') : -1;
    const flag = eq > 0 ? token.slice(0, eq) : token;
    const value = eq > 0 ? token.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new Error(`${flag} needs a value\n${ORDERS_BENCH_USAGE}`);
    const int = (min: number): number => {
      const n = Number(value);
      if (!Number.isInteger(n) || n < min) throw new Error(`${flag} must be an integer >= ${min}, got '${value}'`);
      return n;
    };
    switch (flag) {
      case '--assets': o.assets = int(1); break;
      case '--rate': o.crossingRate = int(1); break;
      case '--before': o.before = int(0); break;
      case '--after': o.after = int(0); break;
      case '--tick-ms': o.tickMs = int(1); break;
      case '--probes': o.probes = int(1); break;
      case '--service-node-args': o.serviceNodeArgs = value.split(/\s+/).filter(Boolean); break;
      default:
        throw new Error(`unknown flag '${flag}'\n${ORDERS_BENCH_USAGE}`);
    }
  }
  // One telemetry batch registers the fleet in the twin service; the contract caps it at 1,000 readings.
  if (o.assets > 1_000) throw new Error(`--assets must be at most 1000, got ${o.assets}`);
  return o;
}
