import type * as tf from '@tensorflow/tfjs';
import { RUL_MODEL_IO, type FailureRiskRule } from '@millwright/rul-features';
import { OnnxGraphWriter } from './onnx-graph.writer';

export const ONNX_IR_VERSION = 8;
export const ONNX_OPSET = 13;

export interface DenseLayerWeights {
  name: string;
  inputSize: number;
  units: number;
  /** Row-major [inputSize, units], as tfjs stores it. */
  kernel: Float32Array;
  bias?: Float32Array;
  activation: 'relu' | 'linear';
}

export interface RulGraphOptions {
  layers: DenseLayerWeights[];
  rulCap: number;
  failureRisk: FailureRiskRule;
  producerVersion: string;
  docString?: string;
  metadata?: Record<string, string>;
}

/** The weights of a stack of tfjs Dense layers, in order. */
export function denseLayersOf(model: tf.LayersModel): DenseLayerWeights[] {
  return model.layers.map((layer) => {
    const config = layer.getConfig();
    const activation = config.activation ?? 'linear';
    if (layer.getClassName() !== 'Dense') throw new Error(`cannot export layer ${layer.name} of type ${layer.getClassName()}`);
    if (activation !== 'relu' && activation !== 'linear') throw new Error(`cannot export activation ${String(activation)} of ${layer.name}`);
    const [kernel, bias] = layer.getWeights();
    const [inputSize, units] = kernel.shape;
    return {
      name: layer.name,
      inputSize,
      units,
      kernel: kernel.dataSync() as Float32Array,
      bias: bias ? (bias.dataSync() as Float32Array) : undefined,
      activation,
    };
  });
}

/**
 * Builds the ONNX graph of the RUL network:
 *   window → (MatMul | Gemm [→ Relu])* → Clip[0, cap] → Reshape[-1] → rul
 *   rul → Mul(slope) → Add(intercept) → Sigmoid → failure_risk
 * Layers without bias (the fixed summaries) are a MatMul; the others a Gemm, which is MatMul + bias
 * in one kernel.
 */
export function writeRulOnnx(options: RulGraphOptions): Uint8Array {
  const { layers } = options;
  if (layers.length === 0) throw new Error('no layers to export');
  const last = layers[layers.length - 1];
  if (last.units !== 1) throw new Error(`the last layer must have one unit, has ${last.units}`);
  const g = new OnnxGraphWriter('millwright_rul');
  let x: string = RUL_MODEL_IO.input;
  layers.forEach((layer, i) => {
    if (i > 0 && layer.inputSize !== layers[i - 1].units) throw new Error(`layer ${layer.name} takes ${layer.inputSize} inputs, previous gives ${layers[i - 1].units}`);
    const w = g.addFloatTensor(`${layer.name}.kernel`, [layer.inputSize, layer.units], layer.kernel);
    if (layer.bias) {
      const b = g.addFloatTensor(`${layer.name}.bias`, [layer.units], layer.bias);
      x = g.addNode('Gemm', [x, w, b], `${layer.name}.out`);
    } else {
      x = g.addNode('MatMul', [x, w], `${layer.name}.out`);
    }
    if (layer.activation === 'relu') x = g.addNode('Relu', [x], `${layer.name}.relu`);
  });
  const lo = g.addFloatTensor('rul.min', [], [0]);
  const hi = g.addFloatTensor('rul.max', [], [options.rulCap]);
  const clipped = g.addNode('Clip', [x, lo, hi], 'rul.clipped');
  const flat = g.addInt64Tensor('rul.shape', [1], [-1]);
  const rul = g.addNode('Reshape', [clipped, flat], RUL_MODEL_IO.rul);
  const slope = g.addFloatTensor('risk.slope', [], [options.failureRisk.slope]);
  const intercept = g.addFloatTensor('risk.intercept', [], [options.failureRisk.intercept]);
  const logit = g.addNode('Add', [g.addNode('Mul', [rul, slope], 'risk.scaled'), intercept], 'risk.logit');
  g.addNode('Sigmoid', [logit], RUL_MODEL_IO.failureRisk);
  return g.encode({
    irVersion: ONNX_IR_VERSION,
    opset: ONNX_OPSET,
    producerName: 'millwright-model-training',
    producerVersion: options.producerVersion,
    docString: options.docString,
    metadata: options.metadata,
    inputs: [{ name: RUL_MODEL_IO.input, shape: ['batch', layers[0].inputSize], docString: 'normalised window, time-major' }],
    outputs: [
      { name: RUL_MODEL_IO.rul, shape: ['batch'], docString: `remaining useful life in cycles, clamped to [0, ${options.rulCap}]` },
      { name: RUL_MODEL_IO.failureRisk, shape: ['batch'], docString: `P(failure within ${options.failureRisk.horizonCycles} cycles)` },
    ],
  });
}
