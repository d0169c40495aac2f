import { CMAPSS_SENSORS, CMAPSS_SETTINGS, type CmapssEngine } from './cmapss.schema';
import { trendShape, type ChannelProfile, type FleetProfile, type SensorProfile } from './fleet-profile.schema';

export interface FitOptions {
  dataset: string;
  source: string;
}

// Candidate exponential rates; 0 is the linear trend. A grid (rather than a non-linear solver)
// keeps the fit deterministic and dependency-free, and 0.25 steps are finer than the data resolves.
const RATES = Array.from({ length: 61 }, (_, i) => i * 0.25);

/**
 * Fits a FleetProfile from run-to-failure engines (a `train_*` file: each engine's last cycle is its
 * failure cycle).
 */
export function fitFleetProfile(engines: CmapssEngine[], opts: FitOptions): FleetProfile {
  const usable = engines.filter((e) => e.rows.length > 0);
  if (usable.length < 2) throw new Error(`need at least 2 run-to-failure engines to fit a profile, got ${usable.length}`);
  const lifetimes = usable.map((e) => e.rows[e.rows.length - 1].cycle);
  const logs = lifetimes.map(Math.log);

  const fractions: number[] = [];
  const engineIndex: number[] = [];
  usable.forEach((e, i) => {
    const life = lifetimes[i];
    for (const r of e.rows) {
      fractions.push(r.cycle / life);
      engineIndex.push(i);
    }
  });
  const rows = usable.flatMap((e) => e.rows);

  const settings = CMAPSS_SETTINGS.map((name, j): ChannelProfile<(typeof CMAPSS_SETTINGS)[number]> => {
    const xs = rows.map((r) => r.settings[j]);
    return { name, mean: sig(mean(xs), 7), std: sig(std(xs), 4), decimals: decimalsOf(xs) };
  });
  const bases = RATES.map((rate) => trendBasis(rate, fractions));
  const sensors = CMAPSS_SENSORS.map((name, j): SensorProfile => {
    const ys = rows.map((r) => r.sensors[j]);
    return { name, ...fitSensor(ys, fractions, bases, engineIndex, usable.length), decimals: decimalsOf(ys) };
  });

  return {
    version: 1,
    dataset: opts.dataset,
    source: opts.source,
    engines: usable.length,
    lifetime: {
      min: Math.min(...lifetimes),
      max: Math.max(...lifetimes),
      mean: sig(mean(lifetimes), 6),
      std: sig(std(lifetimes), 5),
      logMean: sig(mean(logs), 6),
      logStd: sig(std(logs), 5),
    },
    settings,
    sensors,
  };
}

type SensorFit = Omit<SensorProfile, 'name' | 'decimals'>;

/** One rate's trend shape at every row, with the sums its least-squares fits need. */
interface TrendBasis {
  rate: number;
  g: Float64Array;
  sum: number;
  sumSq: number;
}

// Shared by all sensors: the shapes depend on the life fractions only, so each sensor's fit per
// rate is a single pass over the rows.
function trendBasis(rate: number, fs: number[]): TrendBasis {
  const g = Float64Array.from(fs, (f) => trendShape(rate, f));
  let sum = 0;
  let sumSq = 0;
  for (const x of g) {
    sum += x;
    sumSq += x * x;
  }
  return { rate, g, sum, sumSq };
}

function fitSensor(ys: number[], fs: number[], bases: TrendBasis[], engineIndex: number[], engineCount: number): SensorFit {
  // Relative threshold: summing thousands of identical floats leaves rounding noise, not signal.
  if (std(ys) <= 1e-9 * Math.max(1, Math.abs(mean(ys)))) {
    return { baseline: sig(ys[0], 7), noiseStd: 0, engineOffsetStd: 0, trend: { amplitude: 0, rate: 0 } };
  }
  const n = ys.length;
  let sy = 0;
  let syy = 0;
  for (const y of ys) {
    sy += y;
    syy += y * y;
  }
  const cyy = syy - (sy * sy) / n;

  // Ordinary least squares of y = baseline + amplitude * g for each rate; keep the rate whose
  // residual sum of squares (cyy - cgy^2 / cgg) is smallest.
  let best = { sse: Infinity, baseline: 0, amplitude: 0, rate: 0 };
  for (const b of bases) {
    let sgy = 0;
    for (let i = 0; i < n; i++) sgy += b.g[i] * ys[i];
    const cgy = sgy - (b.sum * sy) / n;
    const cgg = b.sumSq - (b.sum * b.sum) / n;
    if (cgg <= 0) continue;
    const amplitude = cgy / cgg;
    const sse = cyy - cgy * amplitude;
    if (sse < best.sse) best = { sse, baseline: (sy - amplitude * b.sum) / n, amplitude, rate: b.rate };
  }

  // Split what the trend leaves into a per-engine offset and cycle-to-cycle noise: synthetic engines
  // need both, or they would all start from the same value and look like one engine.
  const sums = new Array<number>(engineCount).fill(0);
  const counts = new Array<number>(engineCount).fill(0);
  const residuals = ys.map((y, i) => y - best.baseline - best.amplitude * trendShape(best.rate, fs[i]));
  residuals.forEach((r, i) => {
    sums[engineIndex[i]] += r;
    counts[engineIndex[i]]++;
  });
  const engineMeans = sums.map((s, e) => s / counts[e]);
  const noise = std(residuals.map((r, i) => r - engineMeans[engineIndex[i]]));
  // An engine mean also carries noise/n of variance; subtract it so the offset is not overstated.
  const meanCount = n / engineCount;
  const offsetVar = Math.max(0, variance(engineMeans) - (noise * noise) / meanCount);

  return {
    baseline: sig(best.baseline, 7),
    noiseStd: sig(noise, 4),
    engineOffsetStd: sig(Math.sqrt(offsetVar), 4),
    trend: { amplitude: sig(best.amplitude, 5), rate: best.rate },
  };
}

function mean(xs: number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

function variance(xs: number[]): number {
  const m = mean(xs);
  let s = 0;
  for (const x of xs) s += (x - m) ** 2;
  return s / xs.length;
}

function std(xs: number[]): number {
  return Math.sqrt(variance(xs));
}

/** Rounds to significant digits, so that the committed JSON stays small and diffs stay readable. */
function sig(x: number, digits: number): number {
  return x === 0 ? 0 : Number(x.toPrecision(digits));
}

/** The resolution the values were recorded with (the most decimals any of them shows). */
function decimalsOf(xs: number[]): number {
  let d = 0;
  for (const x of xs) {
    const s = String(x);
    if (s.includes('e')) return 6;
    const dot = s.indexOf('.');
    if (dot >= 0) d = Math.max(d, s.length - dot - 1);
    if (d >= 6) return 6;
  }
  return d;
}
