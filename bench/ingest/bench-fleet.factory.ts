import { CMAPSS_SENSORS } from '@millwright/cmapss';
import { Subjects, type ReadingBatchV1, type ReadingV1 } from '@millwright/contracts';

export const BENCH_SITE = 'bench';
export const BENCH_GATEWAY = 'gw-bench';

// Typical FD001 magnitudes, so that a reading has the byte size of a real one (about 420 bytes).
const SENSOR_BASE = [518.67, 642.5, 1589.7, 1408.9, 14.62, 21.61, 553.4, 2388.1, 9065.2, 1.3, 47.47, 521.7, 2388.1, 8143.8, 8.42, 0.03, 392, 2388, 100, 38.8, 23.3];

export type MessageKind = 'single' | 'batched';

export interface OutgoingMessage {
  subject: string;
  data: Uint8Array;
  readings: ReadingV1[];
}

/**
 * A fleet of bench assets that hands out readings in round-robin order (a gateway polls its whole
 * fleet each cycle), with a per-asset sequence that starts at 1. Every phase makes its own fleet
 * against a fresh twin database, so the sequences never collide with an earlier phase.
 */
export class BenchFleet {
  readonly assets: string[];
  private readonly seqs: Uint32Array;
  private cursor = 0;

  constructor(assetCount: number) {
    this.assets = Array.from({ length: assetCount }, (_, i) => `a${String(i + 1).padStart(5, '0')}`);
    this.seqs = new Uint32Array(assetCount);
  }

  next(ts: number): ReadingV1 {
    const i = this.cursor;
    this.cursor = (i + 1) % this.assets.length;
    const seq = ++this.seqs[i];
    const values: Record<string, number> = {};
    // Deterministic wiggle: values change from reading to reading, as a real twin update would.
    for (let s = 0; s < CMAPSS_SENSORS.length; s++) values[CMAPSS_SENSORS[s]] = Math.round(SENSOR_BASE[s] * (1 + ((seq * 31 + s * 7 + i) % 97) / 9700) * 100) / 100;
    return { site: BENCH_SITE, asset: this.assets[i], seq, ts, values };
  }

  /** The highest sequence handed out per asset: a run is committed when every twin reaches it. */
  finalSeqs(): Map<string, number> {
    const out = new Map<string, number>();
    this.assets.forEach((a, i) => {
      if (this.seqs[i] > 0) out.set(a, this.seqs[i]);
    });
    return out;
  }

  /** The next message of `kind`: one reading, or a batch of `batchSize` readings of consecutive assets. */
  nextMessage(kind: MessageKind, batchSize: number, ts: number): OutgoingMessage {
    if (kind === 'single') {
      const r = this.next(ts);
      return { subject: Subjects.reading(r.site, r.asset), data: encode(r), readings: [r] };
    }
    const readings = Array.from({ length: batchSize }, () => this.next(ts));
    const batch: ReadingBatchV1 = { site: BENCH_SITE, gateway: BENCH_GATEWAY, readings };
    return { subject: Subjects.readingBatch(BENCH_SITE, BENCH_GATEWAY), data: encode(batch), readings };
  }
}

const encoder = new TextEncoder();
const encode = (v: unknown): Uint8Array => encoder.encode(JSON.stringify(v));
