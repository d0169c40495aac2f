import type { CmapssEngine } from '@millwright/cmapss';
import {
  cmapssRowToReading,
  normaliseSeries,
  runToFailureTargets,
  writeWindow,
  type SensorReading,
  type WindowSpec,
} from '@millwright/rul-features';

/** One engine's readings by sensor name, with its cycle numbers. */
export interface EngineSeries {
  unit: number;
  cycles: number[];
  readings: SensorReading[];
}

/** Windows stacked for training or scoring: x is [count, length * features] time-major. */
export interface WindowSet {
  x: Float32Array;
  /** Capped RUL at each window's last cycle (run-to-failure data only; NaN otherwise). */
  y: Float32Array;
  unit: Int32Array;
  cycle: Int32Array;
  count: number;
  size: number;
}

export function toEngineSeries(engines: readonly CmapssEngine[]): EngineSeries[] {
  return engines.map((e) => ({ unit: e.unit, cycles: e.rows.map((r) => r.cycle), readings: e.rows.map(cmapssRowToReading) }));
}

/**
 * Every full window of run-to-failure engines (one per cycle from `spec.length` on), labelled with
 * the capped RUL at its last cycle. Short engines contribute nothing: padded windows are never
 * trained on, which is why the edge requires a full window of history.
 */
export function buildTrainingWindows(engines: readonly EngineSeries[], spec: WindowSpec, capCycles: number): WindowSet {
  const f = spec.features.length;
  const size = spec.length * f;
  const count = engines.reduce((n, e) => n + Math.max(0, e.readings.length - spec.length + 1), 0);
  const set: WindowSet = { x: new Float32Array(count * size), y: new Float32Array(count), unit: new Int32Array(count), cycle: new Int32Array(count), count, size };
  let k = 0;
  for (const e of engines) {
    const series = normaliseSeries(e.readings, spec.features, spec.normalisation);
    const targets = runToFailureTargets(e.cycles, capCycles);
    for (let end = spec.length - 1; end < e.readings.length; end++, k++) {
      writeWindow(series, f, end, spec.length, 'reject', set.x, k * size);
      set.y[k] = targets[end];
      set.unit[k] = e.unit;
      set.cycle[k] = e.cycles[end];
    }
  }
  return set;
}

/** One window per engine, ending at its last cycle (test files: the cycle to predict at). */
export function buildLastCycleWindows(engines: readonly EngineSeries[], spec: WindowSpec): WindowSet {
  const f = spec.features.length;
  const size = spec.length * f;
  const count = engines.length;
  const set: WindowSet = { x: new Float32Array(count * size), y: new Float32Array(count).fill(NaN), unit: new Int32Array(count), cycle: new Int32Array(count), count, size };
  engines.forEach((e, k) => {
    const series = normaliseSeries(e.readings, spec.features, spec.normalisation);
    writeWindow(series, f, e.readings.length - 1, spec.length, 'replicate-first', set.x, k * size);
    set.unit[k] = e.unit;
    set.cycle[k] = e.cycles[e.cycles.length - 1];
  });
  return set;
}
