import type { WindowPadding, WindowSpec } from './model-card.schema';
import { normaliseSeries, type SensorReading } from './sensor.normaliser';

/**
 * Cuts the window that ends at cycle index `end` (inclusive) out of a normalised [cycles, features]
 * series and writes it time-major (index = t * features + f, t = 0 the oldest cycle) into `out` at
 * `offset`, so a batch is built without intermediate arrays.
 */
export function writeWindow(
  series: Float32Array,
  features: number,
  end: number,
  length: number,
  padding: WindowPadding,
  out: Float32Array,
  offset = 0,
): void {
  const cycles = series.length / features;
  if (!Number.isInteger(cycles)) throw new Error(`series of ${series.length} values is not a multiple of ${features} features`);
  if (end < 0 || end >= cycles) throw new Error(`window end ${end} outside the series of ${cycles} cycles`);
  const start = end - length + 1;
  if (start < 0 && padding === 'reject') {
    throw new Error(`window needs ${length} cycles of history, got ${end + 1}`);
  }
  for (let t = 0; t < length; t++) {
    // Replicating the oldest reading (not zero-filling) keeps the padded part flat: zeros would
    // read as a jump to the fleet mean, a trend that never happened.
    const src = Math.max(start + t, 0);
    out.set(series.subarray(src * features, (src + 1) * features), offset + t * features);
  }
}

/**
 * The model input for one asset: the last `spec.length` readings, normalised with the card's
 * constants, flattened time-major into [length * features].
 */
export function buildWindow(history: readonly SensorReading[], spec: WindowSpec, padding: WindowPadding = 'reject'): Float32Array {
  if (history.length === 0) throw new Error('cannot build a window from an empty history');
  const recent = history.slice(-spec.length);
  const series = normaliseSeries(recent, spec.features, spec.normalisation);
  const out = new Float32Array(spec.length * spec.features.length);
  writeWindow(series, spec.features.length, recent.length - 1, spec.length, padding, out);
  return out;
}

/** Several assets' windows stacked into one [batch, length * features] input. */
export function buildWindowBatch(
  histories: readonly (readonly SensorReading[])[],
  spec: WindowSpec,
  padding: WindowPadding = 'reject',
): Float32Array {
  const size = spec.length * spec.features.length;
  const out = new Float32Array(histories.length * size);
  histories.forEach((h, i) => out.set(buildWindow(h, spec, padding), i * size));
  return out;
}
