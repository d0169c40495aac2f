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

  /** Writes feature i's value to `out[at + i]`, NaN where the reading lacks the sensor. */
  read(r: ReadingValues, out: Float32Array | Float64Array, at: number): void {
    const f = this.features;
    if ('names' in r) {
      const pos = this.positionsOf(r.names);
      for (let i = 0; i < f.length; i++) out[at + i] = pos[i] < 0 ? Number.NaN : r.values[r.at + pos[i]];
    } else {
      for (let i = 0; i < f.length; i++) out[at + i] = r.values[f[i]] ?? Number.NaN;
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
