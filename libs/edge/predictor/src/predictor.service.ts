import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Subjects, decodeTwinChangeFramePacked, type PackedTwinChange, type PredictionBatchV1, type PredictionV1 } from '@millwright/contracts';
import { NATS_CONNECTION } from '@millwright/messaging';
import { HealthRegistry, MetricsRegistry } from '@millwright/observability';
import { PredictionPlanner, healthOf, type ShadowTrial, type WindowModelSpec } from '@millwright/predictor-domain';
import { ModelRegistry, runRulModel, type ActiveModel, type ModelRegistryEvent, type RulModelHandle, type RulModelOutput } from '@millwright/model-registry';
import type { ModelCard } from '@millwright/rul-features';
import type { JetStreamClient, NatsConnection, Subscription } from 'nats';
import { PREDICTOR_OPTIONS, type PredictorOptions } from './predictor.options';
import { TwinHistoryClient } from './twin-history.client';

const enc = new TextEncoder();
const MAX_PUBLISHES_IN_FLIGHT = 4;
/**
 * Rebuilt windows wait this long for others to finish: at start-up every asset is rebuilt, one
 * history fetch after another, and predicting each on its own meant one run, one publish and one
 * twin service commit per asset.
 */
const RESYNC_COALESCE_MS = 25;

export function windowSpecOf(card: ModelCard): WindowModelSpec {
  return { features: card.window.features, length: card.window.length, mean: card.window.normalisation.mean, std: card.window.normalisation.std };
}

/** A candidate model run beside the active one on the same windows; its outputs are compared, never published. */
export interface ShadowRun {
  candidate: RulModelHandle;
  trial: ShadowTrial;
  /** The active model the trial compares against; its windows are what `renormalise` maps. */
  base: ActiveModel;
  renormalise: (input: Float32Array) => Float32Array;
}

/**
 * Follows twin changes, keeps each asset's window, and predicts in micro-batches: everything that
 * changed since the last run goes into the next one, so batches grow with load. Predictions go to
 * the PREDICTIONS stream (the twin service stores them; the central sync forwards them).
 */
@Injectable()
export class PredictorService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger(PredictorService.name);
  private planner!: PredictionPlanner;
  private js!: JetStreamClient;
  private sub?: Subscription;
  private readonly history: TwinHistoryClient;
  private running = false;
  private scheduled = false;
  /** A drain waiting for more rebuilt windows; a twin change does not wait for it. */
  private coalesceTimer?: NodeJS.Timeout;
  private stopped = false;
  private readonly resyncQueue: string[] = [];
  private resyncsInFlight = 0;
  /** Assets already told they lack history: saying it once is enough until that changes. */
  private readonly toldInsufficient = new Set<string>();
  private readonly inFlight = new Set<Promise<void>>();
  /**
   * The model input of the last run, reused by the next: a new one per batch was megabytes per
   * second of ArrayBuffers, and V8 answers external memory growth with full collections, whose
   * pauses showed up in the latency tail.
   */
  private scratch?: Float32Array;
  private shadow?: ShadowRun;
  /** The shadow run in progress, if any: the candidate runs off the hot path, one batch at a time. */
  private shadowBusy?: Promise<void>;
  private readonly m;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(PREDICTOR_OPTIONS) private readonly o: PredictorOptions,
    private readonly models: ModelRegistry,
    metrics: MetricsRegistry,
    health: HealthRegistry,
  ) {
    this.history = new TwinHistoryClient(o.twinServiceUrl, o.twinServiceToken);
    this.m = {
      predictions: metrics.counter('millwright_predictions_total', 'Predictions published', ['status']),
      batchSize: metrics.histogram('millwright_predict_batch_size', 'Windows per inference run', [1, 4, 16, 64, 128, 256, 512, 1024]),
      inferenceSeconds: metrics.histogram('millwright_inference_seconds', 'onnxruntime session.run time per batch', [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1]),
      resyncs: metrics.counter('millwright_window_resyncs_total', 'Windows rebuilt from twin history (start-up or a missed event)', ['result']),
      errors: metrics.counter('millwright_predict_errors_total', 'Inference runs or publishes that failed'),
      model: metrics.gauge('millwright_model_info', 'The model serving predictions (value 1)', ['version']),
      badFrames: metrics.counter('millwright_twin_change_frames_dropped_total', 'Twin change messages that were not valid frames'),
    };
    health.register('nats', () => (this.nc.isClosed() ? 'NATS connection closed' : null));
    health.register('twin-changes', () => (this.sub && !this.sub.isClosed() ? null : 'not subscribed to twin changes'));
    health.register('model', () => (this.models.current() ? null : 'no model loaded'));
  }

  onApplicationBootstrap(): void {
    const model = this.models.current();
    if (!model) throw new Error('the predictor needs a model: set MODEL_DIR or publish a release');
    this.planner = new PredictionPlanner(windowSpecOf(model.card));
    this.m.model.set({ version: model.version }, 1);
    this.models.onChange((e) => this.onModelEvent(e));
    this.js = this.nc.jetstream();
    // One subscriber, not a queue group: windows need every event of an asset in one place.
    this.sub = this.nc.subscribe(Subjects.allTwinChanges, { callback: (err, msg) => (err ? this.log.error(err.message) : this.onChanges(msg.data)) });
    this.log.log(`predicting with model ${model.version} (window ${model.card.window.length} x ${model.card.window.features.length})`);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.coalesceTimer);
    this.sub?.unsubscribe();
    while (this.running) await new Promise((r) => setTimeout(r, 10));
    await Promise.all(this.inFlight);
    await this.shadowBusy;
  }

  /** Starts (or, with undefined, ends) a shadow run; it applies from the next batch. */
  setShadow(shadow: ShadowRun | undefined): void {
    this.shadow = shadow;
  }

  private async runShadow(shadow: ShadowRun, model: ActiveModel, input: Float32Array, activeRul: Float32Array): Promise<void> {
    // Evidence against another model than the one the candidate would replace cannot justify replacing it.
    if (model !== shadow.base) {
      shadow.trial.observeError(`the active model changed to ${model.version} during the shadow run`);
      return;
    }
    try {
      const out = await runRulModel(shadow.candidate, shadow.renormalise(input));
      shadow.trial.observe(activeRul, out.rul);
    } catch (e) {
      shadow.trial.observeError(`inference failed: ${(e as Error).message}`);
    }
  }

  /**
   * Predictions must not wait for the candidate: while it is still busy, a batch goes without a
   * shadow run. Returns whether one started: it then reads `input` after this batch is done.
   */
  private startShadow(model: ActiveModel, input: Float32Array, activeRul: Float32Array): boolean {
    const shadow = this.shadow;
    if (!shadow || this.shadowBusy) return false;
    this.shadowBusy = this.runShadow(shadow, model, input, activeRul).finally(() => (this.shadowBusy = undefined));
    return true;
  }

  private onModelEvent(e: ModelRegistryEvent): void {
    if (e.type === 'refused') {
      this.log.warn(`model ${e.refusal.version ?? '(unknown)'} refused (${e.refusal.code}): ${e.refusal.reason}; still predicting with ${this.models.current()?.version}`);
      return;
    }
    this.adopt(e.model);
  }

  private adopt(model: ActiveModel): void {
    this.m.model.reset();
    this.m.model.set({ version: model.version }, 1);
    if (this.planner.setSpec(windowSpecOf(model.card))) this.log.warn(`model ${model.version} needs other windows: rebuilding them from history`);
    this.log.log(`now predicting with model ${model.version}`);
  }

  private onChanges(data: Uint8Array): void {
    let events: PackedTwinChange[];
    try {
      // Packed: the readings' values stay in one array per frame, copied straight into the windows.
      // The planner needs versions and readings only: the JSON parts (our own predictions coming
      // back, desired state) are not parsed.
      events = decodeTwinChangeFramePacked(data, { readingsOnly: true }).events;
    } catch (e) {
      this.m.badFrames.inc();
      this.log.warn(`twin change frame dropped: ${(e as Error).message}`);
      return;
    }
    let queued = false;
    for (const e of events) {
      if (!Number.isSafeInteger(e.version) || !Number.isSafeInteger(e.fromVersion)) continue;
      const outcome = this.planner.onTwinChanged(e);
      if (outcome === 'resync') this.queueResync(`${e.site}/${e.asset}`);
      else if (outcome === 'queued') queued = true;
    }
    if (queued) this.schedule();
  }

  private queueResync(key: string): void {
    this.resyncQueue.push(key);
    this.pumpResyncs();
  }

  private pumpResyncs(): void {
    while (this.resyncsInFlight < this.o.resyncConcurrency && this.resyncQueue.length > 0) {
      const key = this.resyncQueue.shift()!;
      const [site, asset] = key.split('/');
      this.resyncsInFlight++;
      this.history
        .window(site, asset, this.planner.windowLength)
        .then(({ version, points }) => {
          this.planner.completeResync(key, version, points);
          this.m.resyncs.inc({ result: 'ok' });
          this.scheduleAfterResync();
        })
        .catch((err: Error) => {
          this.planner.failResync(key);
          this.m.resyncs.inc({ result: 'failed' });
          this.log.warn(`history of ${key} unavailable, will retry on its next change: ${err.message}`);
        })
        .finally(() => {
          this.resyncsInFlight--;
          this.pumpResyncs();
        });
    }
  }

  private schedule(): void {
    if (this.scheduled || this.running || this.stopped) return;
    clearTimeout(this.coalesceTimer);
    this.coalesceTimer = undefined;
    this.scheduled = true;
    setImmediate(() => void this.drain());
  }

  private scheduleAfterResync(): void {
    if (this.scheduled || this.running || this.stopped || this.coalesceTimer) return;
    this.coalesceTimer = setTimeout(() => {
      this.coalesceTimer = undefined;
      this.schedule();
    }, RESYNC_COALESCE_MS);
  }

  private async drain(): Promise<void> {
    this.scheduled = false;
    if (this.running) return;
    this.running = true;
    try {
      while (this.planner.pendingAssets > 0 && !this.stopped) await this.predictOnce();
    } finally {
      this.running = false;
    }
  }

  private async predictOnce(): Promise<void> {
    // Captured once: a model swap during this batch applies from the next one.
    const model = this.models.current()!;
    // Owned by this batch until its run is done (and by a shadow run that takes it).
    const scratch = this.scratch?.length === this.o.maxBatch * this.planner.inputSize ? this.scratch : new Float32Array(this.o.maxBatch * this.planner.inputSize);
    this.scratch = undefined;
    const batch = this.planner.takeBatch(this.o.maxBatch, scratch);
    const now = Date.now();
    const out: PredictionV1[] = [];
    for (const miss of batch.insufficient) {
      if (this.toldInsufficient.has(miss.key)) continue;
      this.toldInsufficient.add(miss.key);
      const [site, asset] = miss.key.split('/');
      out.push({
        site, asset, status: 'insufficient_history', health: 'unknown', modelVersion: model.version, at: now, basedOnSeq: miss.basedOnSeq,
        detail: `the model needs ${model.card.window.length} readings of history; the asset has ${miss.have}`,
      });
    }
    let res: RulModelOutput | undefined;
    if (batch.keys.length > 0) {
      const t0 = process.hrtime.bigint();
      try {
        res = await runRulModel(model, batch.input);
      } catch (e) {
        this.m.errors.inc();
        this.log.error(`inference of ${batch.keys.length} windows failed: ${(e as Error).message}`);
        return;
      }
      this.m.inferenceSeconds.observe(Number(process.hrtime.bigint() - t0) / 1e9);
      this.m.batchSize.observe(batch.keys.length);
      for (let i = 0; i < batch.keys.length; i++) {
        const [site, asset] = batch.keys[i].split('/');
        this.toldInsufficient.delete(batch.keys[i]);
        const rul = round(res.rul[i], 2);
        const failureRisk = round(res.failureRisk[i], 4);
        out.push({ site, asset, status: 'ok', rul, failureRisk, health: healthOf(rul, failureRisk, this.o.thresholds), modelVersion: model.version, at: now, basedOnSeq: batch.basedOnSeq[i] });
      }
    }
    // The next batch need not wait for this one's stream acks; a few in flight keep the model busy
    // while bounding what a broker outage can pile up in memory.
    const sent = this.publish(out).finally(() => this.inFlight.delete(sent));
    this.inFlight.add(sent);
    if (!res || !this.startShadow(model, batch.input, res.rul)) this.scratch = scratch;
    if (this.inFlight.size >= MAX_PUBLISHES_IN_FLIGHT) await Promise.race(this.inFlight);
  }

  private async publish(predictions: PredictionV1[]): Promise<void> {
    const bySite = new Map<string, PredictionV1[]>();
    for (const p of predictions) {
      let list = bySite.get(p.site);
      if (!list) bySite.set(p.site, (list = []));
      list.push(p);
    }
    await Promise.all(
      [...bySite].map(async ([site, list]) => {
        const body: PredictionBatchV1 = { site, predictions: list };
        try {
          await this.js.publish(Subjects.predictions(site), enc.encode(JSON.stringify(body)));
          // One labelled increment per status and batch, not per prediction.
          const byStatus = new Map<PredictionV1['status'], number>();
          for (const p of list) byStatus.set(p.status, (byStatus.get(p.status) ?? 0) + 1);
          for (const [status, n] of byStatus) this.m.predictions.inc({ status }, n);
        } catch (e) {
          this.m.errors.inc();
          this.log.error(`${list.length} predictions for ${site} not stored: ${(e as Error).message}`);
        }
      }),
    );
  }
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
