import type { CmapssEngine, CmapssRow } from './cmapss.schema';
import { trendShape, type FleetProfile } from './fleet-profile.schema';
import { createRng, type Rng } from './seeded.rng';

/**
 * Synthesises one run-to-failure engine from a fleet profile: a failure cycle drawn from the
 * profile's log-normal lifetime (clamped to the range seen in training), a per-engine offset per
 * sensor, then one row per cycle up to and including the failure cycle. Deterministic for a given
 * rng state.
 */
export function generateSyntheticEngine(profile: FleetProfile, unitId: number, rng: Rng): CmapssEngine {
  const { min, max, logMean, logStd } = profile.lifetime;
  const life = Math.min(max, Math.max(min, Math.round(Math.exp(logMean + logStd * rng.normal()))));
  const offsets = profile.sensors.map((s) => s.engineOffsetStd * rng.normal());

  const rows: CmapssRow[] = [];
  for (let cycle = 1; cycle <= life; cycle++) {
    const f = cycle / life;
    const settings = profile.settings.map((s) => round(s.mean + s.std * rng.normal(), s.decimals)) as CmapssRow['settings'];
    const sensors = profile.sensors.map((s, j) =>
      round(s.baseline + offsets[j] + s.trend.amplitude * trendShape(s.trend.rate, f) + s.noiseStd * rng.normal(), s.decimals),
    );
    rows.push({ unit: unitId, cycle, settings, sensors });
  }
  return { unit: unitId, rows };
}

/** `count` engines numbered from 1, all drawn from one seeded stream. */
export function generateSyntheticFleet(profile: FleetProfile, count: number, seed: number): CmapssEngine[] {
  const rng = createRng(seed);
  return Array.from({ length: count }, (_, i) => generateSyntheticEngine(profile, i + 1, rng));
}

function round(x: number, decimals: number): number {
  const p = 10 ** decimals;
  // + 0 normalises -0, so that a fleet compares equal to its own JSON round trip.
  return Math.round(x * p) / p + 0;
}
