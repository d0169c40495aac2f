import * as tf from '@tensorflow/tfjs';
import { mulberry32, shuffleInPlace } from '../data/seeded.prng';
import type { WindowSet } from '../data/window-set.builder';

export interface TrainingSchedule {
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** Learning rate multiplier per epoch: late epochs take smaller steps, so the last epoch's model is not a lucky or unlucky noisy one. */
  decayPerEpoch: number;
  seed: number;
}

export interface EpochReport {
  epoch: number;
  epochs: number;
  loss: number;
  learningRate: number;
  seconds: number;
}

/**
 * Mean-squared-error training with Adam, written as an explicit loop rather than model.fit: fit
 * shuffles with Math.random, which would make two runs with the same seed differ.
 */
export async function trainRulNetwork(
  model: tf.LayersModel,
  data: WindowSet,
  schedule: TrainingSchedule,
  onEpoch: (r: EpochReport) => void | Promise<void> = () => undefined,
): Promise<void> {
  const optimizer = tf.train.adam(schedule.learningRate);
  model.compile({ optimizer, loss: 'meanSquaredError' });
  const x = tf.tensor2d(data.x, [data.count, data.size]);
  const y = tf.tensor2d(data.y, [data.count, 1]);
  const order = Int32Array.from({ length: data.count }, (_, i) => i);
  const random = mulberry32(schedule.seed);
  const started = Date.now();
  try {
    for (let epoch = 1; epoch <= schedule.epochs; epoch++) {
      const learningRate = schedule.learningRate * schedule.decayPerEpoch ** (epoch - 1);
      // tfjs has no public setter for Adam's rate; the field is read afresh on every step.
      (optimizer as unknown as { learningRate: number }).learningRate = learningRate;
      shuffleInPlace(order, random);
      let lossSum = 0;
      for (let start = 0; start < data.count; start += schedule.batchSize) {
        const idx = tf.tensor1d(order.subarray(start, start + schedule.batchSize), 'int32');
        const xb = tf.gather(x, idx);
        const yb = tf.gather(y, idx);
        const loss = (await model.trainOnBatch(xb, yb)) as number;
        lossSum += loss * idx.shape[0];
        tf.dispose([idx, xb, yb]);
      }
      await onEpoch({ epoch, epochs: schedule.epochs, loss: lossSum / data.count, learningRate, seconds: (Date.now() - started) / 1000 });
    }
  } finally {
    tf.dispose([x, y]);
  }
}
