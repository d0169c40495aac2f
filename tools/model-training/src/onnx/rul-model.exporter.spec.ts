import * as tf from '@tensorflow/tfjs';
import { failureRisk, type FailureRiskRule } from '@millwright/rul-features';
import { mulberry32 } from '../data/seeded.prng';
import { createRulNetwork, predictRul } from '../model/rul-network.factory';
import { OnnxRulSession } from './onnx-rul.session';
import { denseLayersOf, writeRulOnnx } from './rul-model.exporter';

const rule: FailureRiskRule = { horizonCycles: 30, intercept: 5, slope: -0.15, description: 'test' };

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('writeRulOnnx (parity with tfjs)', () => {
  beforeAll(async () => {
    tf.enableProdMode();
    await tf.setBackend('cpu');
  });

  it('gives the training framework\'s RUL and failure risk on the same inputs, at any batch size', async () => {
    const length = 6;
    const features = 4;
    const size = length * features;
    const model = createRulNetwork({ windowLength: length, features, hidden: [16, 8], l2: 0, seed: 11, initialOutput: 60 });
    // Nudge the weights off their initial values with a few steps, so parity is checked on a trained net.
    const random = mulberry32(5);
    const xTrain = tf.tensor2d(Float32Array.from({ length: 64 * size }, () => random() * 4 - 2), [64, size]);
    const yTrain = tf.tensor2d(Float32Array.from({ length: 64 }, () => random() * 125), [64, 1]);
    model.compile({ optimizer: tf.train.adam(0.01), loss: 'meanSquaredError' });
    for (let i = 0; i < 5; i++) await model.trainOnBatch(xTrain, yTrain);
    tf.dispose([xTrain, yTrain]);
    // Spread the output around the middle of [0, 125] so that some raw outputs leave it on both sides
    // and the clamp is compared too.
    const head = model.layers[model.layers.length - 1];
    head.setWeights([tf.tensor2d(Array.from({ length: 8 }, (_, j) => [j % 2 === 0 ? 30 : -30])), tf.tensor1d([62.5])]);

    const session = await OnnxRulSession.open(writeRulOnnx({ layers: denseLayersOf(model), rulCap: 125, failureRisk: rule, producerVersion: 'test' }), size);
    try {
      for (const batch of [1, 7, 256]) {
        const x = Float32Array.from({ length: batch * size }, () => random() * 4 - 2);
        const expected = predictRul(model, x, size, 125);
        const onnx = await session.predict(x);
        expect(maxAbsDiff(onnx.rul, expected)).toBeLessThanOrEqual(1e-3);
        expect(maxAbsDiff(onnx.failureRisk, Array.from(expected, (r) => failureRisk(r, rule)))).toBeLessThanOrEqual(1e-5);
        if (batch === 256) {
          expect(Math.min(...onnx.rul)).toBe(0);
          expect(Math.max(...onnx.rul)).toBe(125);
        }
      }
    } finally {
      await session.close();
    }
  });

  it('refuses a network whose last layer is not a single RUL unit', () => {
    const model = createRulNetwork({ windowLength: 3, features: 2, hidden: [4], l2: 0, seed: 1, initialOutput: 0 });
    const layers = denseLayersOf(model).slice(0, -1);
    expect(() => writeRulOnnx({ layers, rulCap: 125, failureRisk: rule, producerVersion: 'test' })).toThrow(/one unit/);
  });
});
