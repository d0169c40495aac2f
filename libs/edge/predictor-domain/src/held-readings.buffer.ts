import type { FeatureReader, ReadingValues } from './reading-values';

/**
 * Readings of one asset that arrive while its history is being fetched: the newest `capacity` by
 * seq, as feature vectors in one Float32Array (NaN where the reading lacked a sensor). At start-up
 * every asset is fetched at once; holding parsed reading objects instead cost a few hundred bytes
 * per sensor value and ran a 128 MB predictor out of heap when the twin service answered slowly.
 */
export class HeldReadings {
  private readonly data: Float32Array;
  private readonly seqs: number[] = [];
  private readonly width: number;

  constructor(
    private readonly reader: FeatureReader,
    readonly capacity: number,
  ) {
    this.width = reader.features.length;
    this.data = new Float32Array(this.width * capacity);
  }

  get size(): number {
    return this.seqs.length;
  }

  /** Keeps the reading unless `capacity` newer ones are held already; a held seq is not held twice. */
  add(r: ReadingValues): void {
    const seq = r.seq;
    if (this.seqs.includes(seq)) return;
    let slot = this.seqs.length;
    if (slot === this.capacity) {
      // Full: the oldest held reading gives way, unless this one is older still.
      slot = 0;
      for (let i = 1; i < this.seqs.length; i++) if (this.seqs[i] < this.seqs[slot]) slot = i;
      if (seq < this.seqs[slot]) return;
    }
    this.seqs[slot] = seq;
    this.reader.read(r, this.data, slot * this.width);
  }

  /** Held readings oldest first; `vector` is a view that is valid until the next `add`. */
  *inOrder(): Generator<{ seq: number; vector: Float32Array }> {
    const f = this.width;
    const order = this.seqs.map((seq, slot) => ({ seq, slot })).sort((a, b) => a.seq - b.seq);
    for (const { seq, slot } of order) yield { seq, vector: this.data.subarray(slot * f, slot * f + f) };
  }
}
