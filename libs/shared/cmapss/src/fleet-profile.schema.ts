import { CMAPSS_SENSORS, CMAPSS_SETTINGS, type CmapssSensor, type CmapssSetting } from './cmapss.schema';

/**
 * A compact statistical description of a C-MAPSS training set, enough to synthesise engines that
 * look like it when the data set itself is not on the machine.
 *
 * Each sensor follows `baseline + engineOffset + amplitude * g(rate, f) + noise`, where
 * `f = cycle / failureCycle` is the life fraction and `g(rate, f) = (e^(rate f) - 1) / (e^rate - 1)`
 * (`g = f` for rate 0), so that `amplitude` is the drift reached at failure. The exponential shape is
 * the damage model C-MAPSS itself was generated with (Saxena et al., PHM08).
 */
export interface FleetProfile {
  version: 1;
  /** Subset name, e.g. `FD001`. */
  dataset: string;
  /** File the profile was fitted from. */
  source: string;
  /** Engines in that file. */
  engines: number;
  /** Failure cycles of the training engines; `logMean`/`logStd` are the log-normal fit used to sample. */
  lifetime: { min: number; max: number; mean: number; std: number; logMean: number; logStd: number };
  /** In CMAPSS_SETTINGS order. */
  settings: ChannelProfile<CmapssSetting>[];
  /** In CMAPSS_SENSORS order. */
  sensors: SensorProfile[];
}

export interface ChannelProfile<N extends string = string> {
  name: N;
  mean: number;
  std: number;
  /** Decimal places the data set records this channel with; synthetic values are rounded alike. */
  decimals: number;
}

export interface SensorProfile {
  name: CmapssSensor;
  /** Expected value of a healthy engine (life fraction 0). */
  baseline: number;
  /** Cycle-to-cycle measurement noise. */
  noiseStd: number;
  /** Spread of the per-engine offset (initial wear and manufacturing variation). */
  engineOffsetStd: number;
  /** Drift reached at failure (signed) and the exponential rate of the trend over life fraction. */
  trend: { amplitude: number; rate: number };
  decimals: number;
}

/** The trend shape: 0 at life fraction 0, 1 at failure. */
export function trendShape(rate: number, lifeFraction: number): number {
  if (Math.abs(rate) < 1e-9) return lifeFraction;
  return Math.expm1(rate * lifeFraction) / Math.expm1(rate);
}

/**
 * Checks that a parsed JSON document is a usable profile; throws naming the first problem, so a
 * hand-edited or stale artifact fails at load time rather than producing NaN readings.
 */
export function parseFleetProfile(raw: unknown, source = 'profile'): FleetProfile {
  const fail = (what: string): never => {
    throw new Error(`${source}: ${what}`);
  };
  if (typeof raw !== 'object' || raw === null) fail('not a JSON object');
  const p = raw as Partial<FleetProfile>;
  if (p.version !== 1) fail(`unsupported version ${String(p.version)}`);
  const finite = (x: unknown, what: string) => {
    if (typeof x !== 'number' || !Number.isFinite(x)) fail(`${what} must be a finite number`);
  };
  const lt = p.lifetime ?? fail('lifetime is missing');
  for (const k of ['min', 'max', 'mean', 'std', 'logMean', 'logStd'] as const) finite(lt[k], `lifetime.${k}`);
  if (lt.min < 1 || lt.max < lt.min) fail('lifetime min/max are inconsistent');
  const names = (list: unknown, expected: readonly string[], what: string) => {
    if (!Array.isArray(list) || list.map((c: { name?: unknown }) => c?.name).join() !== expected.join()) {
      fail(`${what} must list ${expected.join(', ')} in that order`);
    }
  };
  names(p.settings, CMAPSS_SETTINGS, 'settings');
  names(p.sensors, CMAPSS_SENSORS, 'sensors');
  for (const s of p.settings as ChannelProfile[]) for (const k of ['mean', 'std', 'decimals'] as const) finite(s[k], `settings.${s.name}.${k}`);
  for (const s of p.sensors as SensorProfile[]) {
    for (const k of ['baseline', 'noiseStd', 'engineOffsetStd', 'decimals'] as const) finite(s[k], `sensors.${s.name}.${k}`);
    finite(s.trend?.amplitude, `sensors.${s.name}.trend.amplitude`);
    finite(s.trend?.rate, `sensors.${s.name}.trend.rate`);
  }
  return p as FleetProfile;
}
