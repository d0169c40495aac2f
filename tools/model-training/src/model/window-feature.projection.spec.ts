import { buildFeatureProjection } from './window-feature.projection';

function project(window: number[], length: number, features: number): number[] {
  const m = buildFeatureProjection(length, features);
  const cols = 3 * features;
  return Array.from({ length: cols }, (_, c) => window.reduce((s, v, r) => s + v * m[r * cols + c], 0));
}

describe('buildFeatureProjection', () => {
  it('maps a window to per-sensor mean, trend across the window and last value', () => {
    // Sensor 0 rises 2 per cycle from 1; sensor 1 is constant 5; window of 4 cycles, time-major.
    const window = [1, 5, 3, 5, 5, 5, 7, 5];
    const [mean0, mean1, trend0, trend1, last0, last1] = project(window, 4, 2);
    expect(mean0).toBeCloseTo(4, 5);
    expect(mean1).toBeCloseTo(5, 5);
    expect(trend0).toBeCloseTo(6, 5);
    expect(trend1).toBeCloseTo(0, 5);
    expect(last0).toBeCloseTo(7, 5);
    expect(last1).toBeCloseTo(5, 5);
  });

  it('fits the trend by least squares, so one noisy cycle moves it only a little', () => {
    const trend = (w: number[]) => project(w, 5, 1)[1];
    expect(trend([0, 0, 0, 0, 0])).toBeCloseTo(0, 6);
    expect(trend([0, 0, 10, 0, 0])).toBeCloseTo(0, 6);
    expect(Math.abs(trend([0, 0, 0, 0, 10]))).toBeLessThan(10);
  });

  it('refuses a window too short for a trend', () => {
    expect(() => buildFeatureProjection(1, 3)).toThrow(/at least 2/);
  });
});
