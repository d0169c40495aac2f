import { CMAPSS_SENSORS } from '@millwright/cmapss';
import { Subjects, type ReadingBatchV1, type ReadingV1 } from '@millwright/contracts';
import type { ModelCard } from '@millwright/rul-features';

export const INFERENCE_SITE = 'bench-inference';
export const INFERENCE_GATEWAY = 'gw-inference';

// FD001 magnitudes for the sensors the model does not read, so a reading has a real one's size.
const OTHER_SENSOR_VALUES: Record<string, number> = { T2: 518.67, P2: 14.62, P15: 21.61, epr: 1.3, farB: 0.03, Nf_dmd: 2388, PCNfR_dmd: 100 };

export interface OutgoingBatch {
  subject: string;
  data: Uint8Array;
  readings: ReadonlyArray<{ asset: string; seq: number }>;
}

const encoder = new TextEncoder();

/**
 * Bench assets handing out readings round-robin (a gateway polls its fleet each cycle), each with
 * a per-asset seq from 1. The model's sensors are drawn around the card's normalisation means, so
 * windows look like a healthy FD001 fleet and predictions are ordinary numbers, not saturated ones.
 */
export class InferenceFleet {
  readonly assets: string[];
  private readonly seqs: Uint32Array;
  private cursor = 0;
  private readonly features: ReadonlyArray<{ name: string; mean: number; std: number }>;

  constructor(assetCount: number, card: ModelCard) {
    this.assets = Array.from({ length: assetCount }, (_, i) => `e${String(i + 1).padStart(5, '0')}`);
    this.seqs = new Uint32Array(assetCount);
    const { features, normalisation } = card.window;
    this.features = features.map((name, j) => ({ name, mean: normalisation.mean[j], std: normalisation.std[j] }));
  }

  private next(ts: number): ReadingV1 {
    const i = this.cursor;
    this.cursor = (i + 1) % this.assets.length;
    const seq = ++this.seqs[i];
    const values: Record<string, number> = {};
    for (const s of CMAPSS_SENSORS) if (OTHER_SENSOR_VALUES[s] !== undefined) values[s] = OTHER_SENSOR_VALUES[s];
    for (const f of this.features) values[f.name] = Math.round((f.mean + f.std * (Math.random() * 2 - 1)) * 1e4) / 1e4;
    return { site: INFERENCE_SITE, asset: this.assets[i], seq, ts, values };
  }

  /** The next `size` readings (consecutive assets, so distinct while size <= assets) as one batch message. */
  nextBatch(size: number, ts: number): OutgoingBatch {
    const readings = Array.from({ length: size }, () => this.next(ts));
    const batch: ReadingBatchV1 = { site: INFERENCE_SITE, gateway: INFERENCE_GATEWAY, readings };
    return { subject: Subjects.readingBatch(INFERENCE_SITE, INFERENCE_GATEWAY), data: encoder.encode(JSON.stringify(batch)), readings };
  }

  /** Highest seq handed out to each asset. */
  lastSeqs(): Map<string, number> {
    return new Map(this.assets.map((a, i) => [a, this.seqs[i]]));
  }
}
