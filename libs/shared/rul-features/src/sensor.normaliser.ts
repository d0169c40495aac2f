import type { Normalisation } from './model-card.schema';

/** One cycle of one asset: sensor name → value (the shape of a telemetry reading's `values`). */
export type SensorReading = Readonly<Record<string, number>>;

function valueOf(reading: SensorReading, sensor: string, index: number): number {
  const v = reading[sensor];
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new Error(`reading ${index} has no finite value for sensor ${sensor}`);
  }
  return v;
}

/**
 * Per-sensor mean and population standard deviation. Call it with the training units' readings
 * only: statistics that saw validation units would leak them into the model's inputs.
 */
export function fitNormalisation(readings: readonly SensorReading[], features: readonly string[]): Normalisation {
  if (readings.length === 0) throw new Error('cannot fit a normalisation on no readings');
  const mean = features.map(() => 0);
  const m2 = features.map(() => 0);
  // Welford: the raw values (e.g. Nc ≈ 9000) would lose digits in a sum of squares.
  readings.forEach((r, n) => {
    features.forEach((f, j) => {
      const x = valueOf(r, f, n);
      const d = x - mean[j];
      mean[j] += d / (n + 1);
      m2[j] += d * (x - mean[j]);
    });
  });
  const std = m2.map((s) => {
    const sd = Math.sqrt(s / readings.length);
    return sd > 1e-9 ? sd : 1;
  });
  return { method: 'z-score', mean, std };
}

/**
 * Normalises a series of readings into a dense row-major [cycles, features] array, the layout
 * windows are cut from.
 */
export function normaliseSeries(
  readings: readonly SensorReading[],
  features: readonly string[],
  norm: Normalisation,
): Float32Array {
  if (norm.mean.length !== features.length || norm.std.length !== features.length) {
    throw new Error(`normalisation has ${norm.mean.length} means and ${norm.std.length} stds for ${features.length} features`);
  }
  const out = new Float32Array(readings.length * features.length);
  readings.forEach((r, t) => {
    features.forEach((f, j) => {
      out[t * features.length + j] = (valueOf(r, f, t) - norm.mean[j]) / norm.std[j];
    });
  });
  return out;
}
