import type { NatsConnection } from 'nats';
import { Subjects, type PredictionBatchV1, type PredictionV1 } from '@millwright/contracts';
import { waitFor } from '@millwright/testing';
import { readProcCpuSeconds } from '../common/process-memory.sampler';
import { assertRunning, type BenchService } from './bench-services.launcher';
import { INFERENCE_SITE, type InferenceFleet } from './inference-fleet.factory';
import { BENCH_MODEL_PREFIX, type PredictionTracker } from './prediction.tracker';

export interface PredictionIngestResult {
  rounds: number;
  predictions: number;
  /** First publish to the last derived event, over all rounds. */
  seconds: number;
  stored_pps: number;
  /** Twin service CPU per stored prediction: parse, apply, commit, derived event. */
  twin_cpu_us_per_prediction: number | null;
}

const PER_MESSAGE = 256;
const enc = new TextEncoder();

/**
 * The twin service's half of the path on its own: the bench plays the predictor and publishes one
 * prediction per asset per round into PREDICTIONS, then waits until every one is stored before the
 * next round, so no two predictions of a twin meet in one ingest batch (that would merge them and
 * flatter the rate). Each round uses its own model version: same basedOnSeq, a new model, so every
 * prediction is a real change of the twin. Without telemetry competing for the twin service, this
 * is the ceiling of the write-back, and its CPU per prediction is what the write-back costs.
 */
export async function measurePredictionIngest(nc: NatsConnection, tracker: PredictionTracker, fleet: InferenceFleet, twin: BenchService, rounds: number, timeoutMs: number): Promise<PredictionIngestResult> {
  const lastSeqs = fleet.lastSeqs();
  const pid = twin.proc.child.pid;
  const cpu0 = pid ? readProcCpuSeconds(pid) : null;
  tracker.sampleFrom(Number.POSITIVE_INFINITY);
  tracker.resetCounters();
  const t0 = Date.now();
  for (let r = 0; r < rounds; r++) {
    const modelVersion = `${BENCH_MODEL_PREFIX}${r}`;
    let list: PredictionV1[] = [];
    const flush = () => {
      const body: PredictionBatchV1 = { site: INFERENCE_SITE, predictions: list };
      nc.publish(Subjects.predictions(INFERENCE_SITE), enc.encode(JSON.stringify(body)));
      list = [];
    };
    const at = Date.now();
    for (const [asset, seq] of lastSeqs) {
      list.push({ site: INFERENCE_SITE, asset, status: 'ok', rul: 100 + r, failureRisk: 0.01, health: 'ok', modelVersion, at, basedOnSeq: seq });
      if (list.length === PER_MESSAGE) flush();
    }
    if (list.length) flush();
    await nc.flush();
    const want = (r + 1) * lastSeqs.size;
    await waitFor(
      () => {
        assertRunning(twin);
        // Only the bench's own: the predictor keeps running and may still store predictions of its own.
        return tracker.counters.benchPredictions >= want;
      },
      { timeoutMs, intervalMs: 5, what: `round ${r + 1} of the prediction write-back to be stored (${tracker.counters.benchPredictions} of ${want})` },
    );
  }
  const seconds = (tracker.counters.lastBenchPredictionAt - t0) / 1000;
  const cpu1 = pid ? readProcCpuSeconds(pid) : null;
  const predictions = tracker.counters.benchPredictions;
  return {
    rounds,
    predictions,
    seconds,
    stored_pps: seconds > 0 ? predictions / seconds : 0,
    twin_cpu_us_per_prediction: cpu0 !== null && cpu1 !== null && predictions > 0 ? Math.round(((cpu1 - cpu0) / predictions) * 1e6 * 10) / 10 : null,
  };
}
