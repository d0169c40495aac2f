import { CMAPSS_SENSORS, type CmapssEngine, type CmapssRow } from './cmapss.schema';
import { fitFleetProfile } from './fleet-profile.fitter';
import { trendShape } from './fleet-profile.schema';
import { createRng } from './seeded.rng';

const T50 = CMAPSS_SENSORS.indexOf('T50');
const P30 = CMAPSS_SENSORS.indexOf('P30');

/**
 * Engines with a known law: T50 = 1400 + offset + 30 g(4, f) + noise, P30 falls linearly by 3, the
 * other sensors are constant at 100 + index.
 */
function knownFleet(lifetimes: number[], noise: number, offsetStd: number): CmapssEngine[] {
  const rng = createRng(3);
  return lifetimes.map((life, e) => {
    const offset = offsetStd * rng.normal();
    const rows: CmapssRow[] = [];
    for (let cycle = 1; cycle <= life; cycle++) {
      const f = cycle / life;
      const sensors = CMAPSS_SENSORS.map((_, j) => 100 + j);
      sensors[T50] = 1400 + offset + 30 * trendShape(4, f) + noise * rng.normal();
      sensors[P30] = 550 - 3 * f;
      rows.push({ unit: e + 1, cycle, settings: [0, 0, 100], sensors });
    }
    return { unit: e + 1, rows };
  });
}

describe('fitFleetProfile', () => {
  it('recovers the trend of a noiseless fleet exactly and summarises the failure cycles', () => {
    const p = fitFleetProfile(knownFleet([100, 150, 200, 250], 0, 0), { dataset: 'TEST', source: 'known' });
    const t50 = p.sensors[T50];
    expect(t50.baseline).toBeCloseTo(1400, 3);
    expect(t50.trend).toEqual({ amplitude: expect.closeTo(30, 3), rate: 4 });
    expect(t50.noiseStd).toBeCloseTo(0, 3);
    expect(p.sensors[P30].trend).toEqual({ amplitude: expect.closeTo(-3, 4), rate: 0 });
    expect(p.sensors[0]).toEqual({ name: 'T2', baseline: 100, noiseStd: 0, engineOffsetStd: 0, trend: { amplitude: 0, rate: 0 }, decimals: 0 });
    expect(p.lifetime).toEqual(expect.objectContaining({ min: 100, max: 250, mean: 175 }));
    expect(p.engines).toBe(4);
    expect(p.lifetime.std).toBeCloseTo(Math.sqrt(3125), 2);
  });

  it('separates cycle noise from per-engine offsets', () => {
    const lifetimes = Array.from({ length: 60 }, (_, i) => 150 + (i % 7) * 10);
    const t50 = fitFleetProfile(knownFleet(lifetimes, 2, 5), { dataset: 'TEST', source: 'known' }).sensors[T50];
    expect(t50.noiseStd).toBeGreaterThan(1.8);
    expect(t50.noiseStd).toBeLessThan(2.2);
    expect(t50.engineOffsetStd).toBeGreaterThan(3.5);
    expect(t50.engineOffsetStd).toBeLessThan(6.5);
    expect(t50.trend.amplitude).toBeGreaterThan(26);
    expect(t50.trend.amplitude).toBeLessThan(34);
  });

  it('refuses to fit a fleet of fewer than two engines', () => {
    expect(() => fitFleetProfile(knownFleet([100], 0, 0), { dataset: 'TEST', source: 'known' })).toThrow(/at least 2/);
  });
});
