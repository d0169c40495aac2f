import { duration } from '@millwright/config';

export interface SyncBenchOptions {
  assets: number;
  /** Seconds of readings at 1 reading/s per asset that the cut site buffers. */
  seconds: number;
  /** The twin service's compaction window (SYNC_INTERVAL). */
  interval: string;
  intervalMs: number;
  /** Also drain the raw readings (a hub stream sourcing the site's TELEMETRY), for comparison. */
  rawDrain: boolean;
}

export const SYNC_BENCH_USAGE = `npm run bench -- sync [flags]
  --assets N        assets at the site (default 500)
  --seconds S       seconds of backlog at 1 reading/s per asset (default 3600: one hour)
  --interval D      compaction window of the twin service (default 10s, its default)
  --no-raw-drain    skip draining the raw readings for comparison
  --quick           50 assets, 10 minutes of backlog: a smoke run`;

export function parseSyncBenchArgs(argv: string[]): SyncBenchOptions | 'help' {
  const o: SyncBenchOptions = { assets: 500, seconds: 3600, interval: '10s', intervalMs: 10_000, rawDrain: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const num = () => {
      const n = Number(argv[++i]);
      if (!Number.isInteger(n) || n <= 0) throw new Error(`${a} needs a positive integer`);
      return n;
    };
    if (a === '--help' || a === '-h') return 'help';
    else if (a === '--assets') o.assets = num();
    else if (a === '--seconds') o.seconds = num();
    else if (a === '--interval') {
      o.interval = argv[++i];
      // The twin service's own parser: the bench waits on the same duration the service reads.
      o.intervalMs = duration('--interval').parse(o.interval);
    }
    else if (a === '--no-raw-drain') o.rawDrain = false;
    else if (a === '--quick') Object.assign(o, { assets: 50, seconds: 600 });
    else throw new Error(`unknown flag ${a}\n${SYNC_BENCH_USAGE}`);
  }
  if (o.assets > 1000) throw new Error('--assets: at most 1000 (one gateway batch per second of data)');
  return o;
}
