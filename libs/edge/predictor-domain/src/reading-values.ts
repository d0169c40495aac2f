import type { PackedReading } from '@millwright/contracts';

/** A reading's values as a map of sensor name to value, or packed as they come out of a frame. */
export type ReadingValues = { seq: number; values: Readonly<Record<string, number>> } | PackedReading;

/**
 * Reads a model's features out of readings. Packed readings name their sensors with shared arrays,
 * so where each feature sits in a reading is worked out once per sensor set, not per reading.
 */
export class FeatureReader {
  private readonly positions = new WeakMap<readonly string[], Int32Array>();

  constructor(readonly features: readonly string[]) {}

  /** Calls `write(i, v)` with feature i's value, NaN where the reading lacks the sensor. */
  read(r: ReadingValues, write: (feature: number, value: number) => void): void {
    const f = this.features;
    if ('names' in r) {
      const pos = this.positionsOf(r.names);
      for (let i = 0; i < f.length; i++) write(i, pos[i] < 0 ? Number.NaN : r.values[r.at + pos[i]]);
    } else {
      for (let i = 0; i < f.length; i++) write(i, r.values[f[i]] ?? Number.NaN);
    }
  }

  private positionsOf(names: readonly string[]): Int32Array {
    let pos = this.positions.get(names);
    if (!pos) {
      pos = new Int32Array(this.features.length);
      for (let i = 0; i < this.features.length; i++) pos[i] = names.indexOf(this.features[i]);
      this.positions.set(names, pos);
    }
    return pos;
  }
}
