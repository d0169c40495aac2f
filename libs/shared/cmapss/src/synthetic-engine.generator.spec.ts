import { CMAPSS_SENSORS } from './cmapss.schema';
import { fitFleetProfile } from './fleet-profile.fitter';
import { loadFleetProfile } from './fleet-profile.loader';
import { createRng } from './seeded.rng';
import { generateSyntheticEngine, generateSyntheticFleet } from './synthetic-engine.generator';

const profile = loadFleetProfile();
const col = (name: (typeof CMAPSS_SENSORS)[number]) => CMAPSS_SENSORS.indexOf(name);
const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('generateSyntheticEngine', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    const a = generateSyntheticEngine(profile, 1, createRng(11));
    expect(generateSyntheticEngine(profile, 1, createRng(11))).toEqual(a);
    expect(generateSyntheticEngine(profile, 1, createRng(12)).rows).not.toEqual(a.rows);
  });

  it('runs cycle 1..failure with lifetimes inside the profile range', () => {
    for (const e of generateSyntheticFleet(profile, 30, 5)) {
      expect(e.rows.map((r) => r.cycle)).toEqual(Array.from({ length: e.rows.length }, (_, i) => i + 1));
      expect(e.rows.every((r) => r.unit === e.unit && r.sensors.length === 21 && r.settings.length === 3)).toBe(true);
      expect(e.rows.length).toBeGreaterThanOrEqual(profile.lifetime.min);
      expect(e.rows.length).toBeLessThanOrEqual(profile.lifetime.max);
    }
  });

  it('degrades like FD001: T50 rises and P30 falls toward failure, constant sensors stay constant', () => {
    const fleet = generateSyntheticFleet(profile, 20, 9);
    for (const e of fleet) {
      const tenth = Math.floor(e.rows.length / 10);
      const early = e.rows.slice(0, tenth);
      const late = e.rows.slice(-tenth);
      expect(avg(late.map((r) => r.sensors[col('T50')])) - avg(early.map((r) => r.sensors[col('T50')]))).toBeGreaterThan(10);
      expect(avg(late.map((r) => r.sensors[col('P30')]))).toBeLessThan(avg(early.map((r) => r.sensors[col('P30')])));
      expect(new Set(e.rows.map((r) => r.sensors[col('T2')]))).toEqual(new Set([518.67]));
    }
  });

  it('rounds values to the resolution of the data set', () => {
    const e = generateSyntheticEngine(profile, 1, createRng(1));
    expect(e.rows.every((r) => Number.isInteger(r.sensors[col('htBleed')]))).toBe(true);
    expect(e.rows.every((r) => Math.abs(r.sensors[col('T50')] * 100 - Math.round(r.sensors[col('T50')] * 100)) < 1e-6)).toBe(true);
  });

  it('yields a fleet that refits to about the profile it came from', () => {
    const refit = fitFleetProfile(generateSyntheticFleet(profile, 100, 21), { dataset: 'SYN', source: 'synthetic' });
    for (const name of ['T50', 'T30', 'Ps30'] as const) {
      const [orig, got] = [profile.sensors[col(name)], refit.sensors[col(name)]];
      expect(Math.abs(got.baseline - orig.baseline)).toBeLessThan(orig.noiseStd);
      expect(got.trend.amplitude / orig.trend.amplitude).toBeGreaterThan(0.85);
      expect(got.trend.amplitude / orig.trend.amplitude).toBeLessThan(1.15);
    }
    expect(Math.abs(refit.lifetime.mean - profile.lifetime.mean)).toBeLessThan(15);
  });
});
