import { FeatureReader, type ReadingValues } from './reading-values';

/**
 * The last `length` readings of every asset, as raw feature vectors in fixed-size rings (one
 * Float32Array per asset, no per-reading objects), so a fleet of 10,000 assets costs a few MB and
 * building a model input is a copy, not a query.
 */
export class AssetWindowStore {
  private readonly rings = new Map<string, Ring>();
  /** Shared with the planner's held readings: a sensor set's feature positions are worked out once. */
  readonly reader: FeatureReader;
  /** One reading's features, NaN where missing: filled, then copied into a ring. */
  private readonly scratch: Float64Array;

  constructor(
    readonly features: readonly string[],
    readonly length: number,
  ) {
    this.reader = new FeatureReader(features);
    this.scratch = new Float64Array(features.length);
  }

  /**
   * Appends a reading. A sensor missing from the reading carries its last value forward (gateways
   * may send partial readings); with no last value the reading cannot be used and false is returned.
   */
  append(key: string, r: ReadingValues): boolean {
    // Readings are validated finite, so NaN can stand for a missing sensor as in appendVector.
    this.reader.read(r, this.scratch, 0);
    return this.appendVector(key, r.seq, this.scratch);
  }

  /** Appends a reading given as a vector in `features` order; NaN marks a missing sensor, as in `append`. */
  appendVector(key: string, seq: number, vector: ArrayLike<number>): boolean {
    let ring = this.rings.get(key);
    if (!ring) this.rings.set(key, (ring = newRing(this.features.length, this.length)));
    if (seq <= ring.lastSeq) return true;
    const f = this.features.length;
    const slot = ring.head * f;
    const prev = ring.count > 0 ? ((ring.head - 1 + this.length) % this.length) * f : -1;
    for (let i = 0; i < f; i++) {
      const v = vector[i];
      if (!Number.isNaN(v)) ring.data[slot + i] = v;
      else if (prev >= 0) ring.data[slot + i] = ring.data[prev + i];
      else return false;
    }
    ring.head = (ring.head + 1) % this.length;
    ring.count = Math.min(ring.count + 1, this.length);
    ring.lastSeq = seq;
    return true;
  }

  /** Replaces an asset's window with `history` (oldest first), e.g. after a missed event. */
  reset(key: string, history: ReadonlyArray<{ seq: number; values: Readonly<Record<string, number>> }>): void {
    this.rings.set(key, newRing(this.features.length, this.length));
    for (const h of history.slice(-this.length)) this.append(key, h);
  }

  /** Readings held for the asset (up to `length`). */
  count(key: string): number {
    return this.rings.get(key)?.count ?? 0;
  }

  lastSeq(key: string): number {
    return this.rings.get(key)?.lastSeq ?? -1;
  }

  /**
   * Writes the asset's full window, oldest first, time-major (t * features + f), normalised with
   * `(v - mean) / std`, into `out` at `offset`. The caller checks `count(key) === length` first.
   */
  writeNormalised(key: string, mean: ArrayLike<number>, std: ArrayLike<number>, out: Float32Array, offset: number): void {
    const ring = this.rings.get(key);
    if (!ring || ring.count < this.length) throw new Error(`asset ${key} has ${ring?.count ?? 0} of ${this.length} readings`);
    const f = this.features.length;
    for (let t = 0; t < this.length; t++) {
      const src = ((ring.head + t) % this.length) * f;
      const dst = offset + t * f;
      for (let i = 0; i < f; i++) out[dst + i] = (ring.data[src + i] - mean[i]) / std[i];
    }
  }

  forget(key: string): void {
    this.rings.delete(key);
  }

  get size(): number {
    return this.rings.size;
  }
}

interface Ring {
  data: Float32Array;
  /** Next slot to write; when full, also the oldest reading. */
  head: number;
  count: number;
  lastSeq: number;
}

function newRing(features: number, length: number): Ring {
  return { data: new Float32Array(features * length), head: 0, count: 0, lastSeq: -1 };
}
