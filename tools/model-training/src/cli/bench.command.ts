import { performance } from 'node:perf_hooks';
import { buildWindowBatch, type SensorReading } from '@millwright/rul-features';
import { mulberry32 } from '../data/seeded.prng';
import { loadModelBundle } from '../onnx/model-bundle.loader';
import { OnnxRulSession } from '../onnx/onnx-rul.session';

export interface BenchResult {
  /** `run`: session.run alone; `window+run`: building the windows from readings by sensor name too. */
  kind: 'run' | 'window+run';
  batch: number;
  runs: number;
  microsPerRun: number;
  microsPerAsset: number;
}

async function time(runs: number, step: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 50; i++) await step();
  const start = performance.now();
  for (let i = 0; i < runs; i++) await step();
  return ((performance.now() - start) * 1000) / runs;
}

/**
 * Times a prediction at a few batch sizes: session.run alone, and with the windows built from
 * readings keyed by sensor name (what the edge does per request).
 */
export async function runBench(modelDir: string, batches: readonly number[], runs: number): Promise<BenchResult[]> {
  const { card, model } = await loadModelBundle(modelDir);
  const size = card.window.length * card.window.features.length;
  const session = await OnnxRulSession.open(model, size);
  const random = mulberry32(1);
  const results: BenchResult[] = [];
  try {
    const { features, normalisation } = card.window;
    // Plausible readings: the training means plus noise of one standard deviation.
    const reading = (): SensorReading => Object.fromEntries(features.map((f, j) => [f, normalisation.mean[j] + (random() * 2 - 1) * normalisation.std[j]]));
    for (const batch of batches) {
      const histories = Array.from({ length: batch }, () => Array.from({ length: card.window.length }, reading));
      const x = buildWindowBatch(histories, card.window);
      const run = await time(runs, () => session.predict(x));
      const full = await time(runs, () => session.predict(buildWindowBatch(histories, card.window)));
      results.push({ kind: 'run', batch, runs, microsPerRun: run, microsPerAsset: run / batch });
      results.push({ kind: 'window+run', batch, runs, microsPerRun: full, microsPerAsset: full / batch });
    }
  } finally {
    await session.close();
  }
  return results;
}
