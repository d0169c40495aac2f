import type { NatsConnection, Subscription } from 'nats';
import { Subjects, decodeTwinChangeFrame, readTwinChangeHeads, type PredictionBatchV1, type TwinChangedV1 } from '@millwright/contracts';

const BASED_ON_SEQ = Buffer.from('"basedOnSeq":');
/** Model versions of the predictions the write-back phase publishes itself (prediction-ingest.phase.ts). */
export const BENCH_MODEL_PREFIX = 'bench-ingest-';

/**
 * The non-negative integer after `key` in a JSON buffer, or -1. The bench shares two cores with the
 * services it measures; a full JSON.parse of every prediction batch would take CPU the predictor needs.
 */
export function integerAfter(buf: Buffer, key: Buffer): number {
  let i = buf.indexOf(key);
  if (i < 0) return -1;
  i += key.length;
  while (buf[i] === 0x20) i++;
  let n = 0;
  let digits = 0;
  for (; buf[i] >= 0x30 && buf[i] <= 0x39; i++, digits++) n = n * 10 + (buf[i] - 0x30);
  return digits > 0 ? n : -1;
}

interface PendingChange {
  seq: number;
  publishedAt: number;
  /** Arrival of the telemetry twin-changed event covering this seq; 0 until then. */
  changedAt: number;
  /** Arrival of the predictor's prediction batch covering this seq (before the twin service stores it); 0 until then. */
  predictedAt: number;
}

interface AssetState {
  /** lastSeq of the newest telemetry event. */
  changedSeq: number;
  /** basedOnSeq of the newest stored ok prediction. */
  predictedSeq: number;
  pending: PendingChange[];
}

/** What the twin-changed stream showed between two `resetCounters` calls. */
export interface TrackerCounters {
  /** Stored predictions (derived events with an ok prediction). */
  predictions: number;
  /** Derived events whose prediction was not ok (insufficient_history, missing_sensors). */
  notOk: number;
  /** Sum of the basedOnSeq advances: readings the stored predictions covered, coalescing included. */
  changesCovered: number;
  firstPredictionAt: number;
  lastPredictionAt: number;
  /** Of `predictions`, those made by the bench itself (model version `bench-ingest-*`), and when the last was stored. */
  benchPredictions: number;
  lastBenchPredictionAt: number;
  /** Telemetry twin-changed events and the readings (lastSeq advances) they carried. */
  changeEvents: number;
  readingsChanged: number;
  firstChangeAt: number;
  lastChangeAt: number;
  /** Predictions the predictor published (any status), before the twin service stores or merges them. */
  published: number;
  firstPublishedAt: number;
  lastPublishedAt: number;
}

const zeroCounters = (): TrackerCounters => ({ predictions: 0, benchPredictions: 0, lastBenchPredictionAt: 0, notOk: 0, changesCovered: 0, firstPredictionAt: 0, lastPredictionAt: 0, changeEvents: 0, readingsChanged: 0, firstChangeAt: 0, lastChangeAt: 0, published: 0, firstPublishedAt: 0, lastPublishedAt: 0 });

/**
 * Follows `twin.v1.changed.<site>`: telemetry events say when a reading changed the twin,
 * derived events with `prediction.basedOnSeq` say when a prediction covering it was stored. The
 * twin service publishes the derived event only after committing the prediction, so its arrival
 * is "stored". One prediction can cover several readings (the predictor coalesces): each reading
 * still gets its own latency sample.
 */
export class PredictionTracker {
  counters: TrackerCounters = zeroCounters();
  unreadableEvents = 0;
  private readonly assets = new Map<string, AssetState>();
  private readonly fromChange: number[] = [];
  private readonly fromPublish: number[] = [];
  private readonly changeToPredicted: number[] = [];
  private readonly predictedToStored: number[] = [];
  private sampleAfter = Number.POSITIVE_INFINITY;
  private readonly subs: Subscription[];

  constructor(
    private readonly nc: NatsConnection,
    site: string,
  ) {
    this.subs = [
      nc.subscribe(Subjects.twinChanges(site), { callback: (_err, msg) => this.onFrame(msg.data) }),
      // The PREDICTIONS stream's subject, as core NATS: splits the path at the predictor's publish.
      nc.subscribe(Subjects.predictions(site), { callback: (_err, msg) => this.onPredictionBatch(msg.data) }),
    ];
  }

  /** Makes sure the server has the subscription before anything is published. */
  ready(): Promise<void> {
    return this.nc.flush();
  }

  resetCounters(): void {
    this.counters = zeroCounters();
  }

  /** Records a published reading whose latency is wanted. */
  published(asset: string, seq: number, publishedAt: number): void {
    this.state(asset).pending.push({ seq, publishedAt, changedAt: 0, predictedAt: 0 });
  }

  /** Readings published before `at` are warm-up: they are followed but give no sample. */
  sampleFrom(at: number): void {
    this.sampleAfter = at;
  }

  /** Twin change (telemetry event) to stored prediction, and gateway publish to stored prediction, in ms. */
  latencies(): { fromChange: readonly number[]; fromPublish: readonly number[]; changeToPredicted: readonly number[]; predictedToStored: readonly number[] } {
    return { fromChange: this.fromChange, fromPublish: this.fromPublish, changeToPredicted: this.changeToPredicted, predictedToStored: this.predictedToStored };
  }

  /** Published readings for latency that no stored prediction covers yet. */
  unpredicted(): number {
    let n = 0;
    for (const s of this.assets.values()) n += s.pending.length;
    return n;
  }

  /** Assets whose stored ok prediction is not yet based on their `want` seq. */
  missing(want: ReadonlyMap<string, number>): number {
    let n = 0;
    for (const [asset, seq] of want) if ((this.assets.get(asset)?.predictedSeq ?? 0) < seq) n++;
    return n;
  }

  close(): void {
    for (const sub of this.subs) sub.unsubscribe();
  }

  private state(asset: string): AssetState {
    let s = this.assets.get(asset);
    if (!s) this.assets.set(asset, (s = { changedSeq: 0, predictedSeq: 0, pending: [] }));
    return s;
  }

  /**
   * Telemetry frames are read for their event heads only (the bench shares two cores with the
   * services it measures); derived frames carry no readings and are decoded whole.
   */
  private onFrame(data: Uint8Array): void {
    const now = Date.now();
    let heads;
    try {
      heads = readTwinChangeHeads(data).heads;
    } catch {
      this.unreadableEvents++;
      return;
    }
    if (heads.some((h) => h.cause === 'derived')) {
      for (const e of decodeTwinChangeFrame(data).events) if (e.cause === 'derived') this.onDerived(e, now);
    }
    for (const h of heads) if (h.cause === 'telemetry') this.onTelemetry(h.asset, h.lastSeq, now);
  }

  /** Counted by a byte scan; parsed only while readings are published for latency. */
  private onPredictionBatch(data: Uint8Array): void {
    const now = Date.now();
    const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    const c = this.counters;
    for (let i = buf.indexOf(BASED_ON_SEQ); i >= 0; i = buf.indexOf(BASED_ON_SEQ, i + BASED_ON_SEQ.length)) c.published++;
    if (c.firstPublishedAt === 0) c.firstPublishedAt = now;
    c.lastPublishedAt = now;
    if (this.sampleAfter === Number.POSITIVE_INFINITY) return;
    let batch: PredictionBatchV1;
    try {
      batch = JSON.parse(buf.toString('utf8')) as PredictionBatchV1;
    } catch {
      return;
    }
    for (const p of batch.predictions ?? []) {
      if (p.status !== 'ok') continue;
      const s = this.assets.get(p.asset);
      if (!s) continue;
      for (const q of s.pending) {
        if (q.seq > p.basedOnSeq) break;
        if (q.predictedAt === 0) q.predictedAt = now;
      }
    }
  }

  private onTelemetry(asset: string, lastSeq: number, now: number): void {
    const c = this.counters;
    c.changeEvents++;
    if (c.firstChangeAt === 0) c.firstChangeAt = now;
    c.lastChangeAt = now;
    const s = this.state(asset);
    if (lastSeq <= s.changedSeq) return;
    c.readingsChanged += lastSeq - s.changedSeq;
    s.changedSeq = lastSeq;
    for (const p of s.pending) {
      if (p.seq > lastSeq) break;
      if (p.changedAt === 0) p.changedAt = now;
    }
  }

  private onDerived(e: TwinChangedV1, now: number): void {
    const asset = e.asset;
    const prediction = e.changes.derived?.prediction as { status?: string; basedOnSeq?: number; modelVersion?: string } | undefined;
    const basedOnSeq = prediction?.basedOnSeq;
    if (typeof basedOnSeq !== 'number') {
      this.unreadableEvents++;
      return;
    }
    const c = this.counters;
    if (prediction?.status !== 'ok') {
      c.notOk++;
      return;
    }
    c.predictions++;
    if (c.firstPredictionAt === 0) c.firstPredictionAt = now;
    c.lastPredictionAt = now;
    if (prediction.modelVersion?.startsWith(BENCH_MODEL_PREFIX)) {
      c.benchPredictions++;
      c.lastBenchPredictionAt = now;
    }
    const s = this.state(asset);
    if (basedOnSeq <= s.predictedSeq) return;
    c.changesCovered += basedOnSeq - s.predictedSeq;
    s.predictedSeq = basedOnSeq;
    let n = 0;
    while (n < s.pending.length && s.pending[n].seq <= basedOnSeq) {
      const p = s.pending[n++];
      if (p.publishedAt < this.sampleAfter) continue;
      this.fromPublish.push(now - p.publishedAt);
      // A telemetry event lost on the way to the bench (core NATS, at most once) leaves only the publish sample.
      if (p.changedAt > 0) this.fromChange.push(now - p.changedAt);
      if (p.changedAt > 0 && p.predictedAt > 0) {
        this.changeToPredicted.push(p.predictedAt - p.changedAt);
        this.predictedToStored.push(now - p.predictedAt);
      }
    }
    if (n > 0) s.pending.splice(0, n);
  }
}
