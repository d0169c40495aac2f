import * as tf from '@tensorflow/tfjs';
import { buildFeatureProjection } from './window-feature.projection';

export interface RulNetworkConfig {
  windowLength: number;
  features: number;
  hidden: number[];
  seed: number;
  /** L2 penalty on the trainable kernels (0: none). */
  l2: number;
  /** Starting output bias: the mean training target, so the first epochs are not spent climbing to it. */
  initialOutput: number;
}

/** The name of the fixed projection layer (exported as a plain MatMul, never trained). */
export const PROJECTION_LAYER = 'window_summaries';

/**
 * window [batch, length*features] → fixed summaries (MatMul) → dense ReLU layers → linear RUL.
 * Every initializer has its own seed derived from `seed`, so the same seed gives the same weights.
 */
export function createRulNetwork(config: RulNetworkConfig): tf.Sequential {
  const inputSize = config.windowLength * config.features;
  const projection = buildFeatureProjection(config.windowLength, config.features);
  const model = tf.sequential({ name: 'rul_mlp' });
  model.add(
    tf.layers.dense({
      name: PROJECTION_LAYER,
      inputShape: [inputSize],
      units: projection.length / inputSize,
      useBias: false,
      trainable: false,
      weights: [tf.tensor2d(projection, [inputSize, projection.length / inputSize])],
    }),
  );
  config.hidden.forEach((units, i) =>
    model.add(
      tf.layers.dense({
        name: `hidden_${i + 1}`,
        units,
        activation: 'relu',
        kernelInitializer: tf.initializers.glorotUniform({ seed: config.seed * 101 + i + 1 }),
        kernelRegularizer: config.l2 > 0 ? tf.regularizers.l2({ l2: config.l2 }) : undefined,
      }),
    ),
  );
  model.add(
    tf.layers.dense({
      name: 'rul_linear',
      units: 1,
      kernelInitializer: tf.initializers.glorotUniform({ seed: config.seed * 101 + 99 }),
      biasInitializer: tf.initializers.constant({ value: config.initialOutput }),
    }),
  );
  return model;
}

/** The framework's RUL for a batch: the network's output clamped to [0, cap], as the ONNX graph does. */
export function predictRul(model: tf.LayersModel, x: Float32Array, inputSize: number, cap: number): Float32Array {
  return tf.tidy(() => {
    const out = model.predict(tf.tensor2d(x, [x.length / inputSize, inputSize])) as tf.Tensor;
    return out.clipByValue(0, cap).reshape([-1]).dataSync() as Float32Array;
  });
}
