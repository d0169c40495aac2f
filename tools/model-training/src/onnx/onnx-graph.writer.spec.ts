import { InferenceSession, Tensor } from 'onnxruntime-node';
import { OnnxGraphWriter } from './onnx-graph.writer';
import { onnxModelType } from './onnx-proto.schema';

describe('OnnxGraphWriter', () => {
  it('writes a model onnxruntime loads and runs: y = x @ W + b with a dynamic batch', async () => {
    const g = new OnnxGraphWriter('affine');
    const w = g.addFloatTensor('W', [2, 3], [1, 2, 3, 4, 5, 6]);
    const b = g.addFloatTensor('b', [3], [0.5, -0.5, 0]);
    g.addNode('Gemm', ['x', w, b], 'y', { alpha: { float: 2 }, transB: 0 });
    const bytes = g.encode({
      irVersion: 8,
      opset: 13,
      producerName: 'test',
      producerVersion: '1',
      inputs: [{ name: 'x', shape: ['batch', 2] }],
      outputs: [{ name: 'y', shape: ['batch', 3] }],
      metadata: { purpose: 'spec' },
    });
    const session = await InferenceSession.create(bytes);
    try {
      const out = await session.run({ x: new Tensor('float32', Float32Array.from([1, 1, 0, 2]), [2, 2]) });
      // alpha = 2: row 1 = 2 * [5, 7, 9] + b, row 2 = 2 * [8, 10, 12] + b.
      expect(Array.from(out.y.data as Float32Array)).toEqual([10.5, 13.5, 18, 16.5, 19.5, 24]);
      expect(out.y.dims).toEqual([2, 3]);
    } finally {
      await session.release();
    }
  });

  it('serialises the ir version, opset and metadata under onnx.proto field numbers', () => {
    const g = new OnnxGraphWriter('empty');
    g.addNode('Relu', ['x'], 'y');
    const bytes = g.encode({ irVersion: 8, opset: 13, producerName: 'p', producerVersion: 'v', inputs: [{ name: 'x', shape: [1] }], outputs: [{ name: 'y', shape: [1] }], metadata: { k: 'v' } });
    // ModelProto.ir_version is field 1, varint: tag byte 0x08 then 8.
    expect(Array.from(bytes.subarray(0, 2))).toEqual([0x08, 8]);
    const decoded = onnxModelType().toObject(onnxModelType().decode(bytes), { longs: Number }) as {
      opsetImport: Array<{ version: number }>;
      metadataProps: Array<{ key: string; value: string }>;
      graph: { node: Array<{ opType: string }> };
    };
    expect(decoded.opsetImport[0].version).toBe(13);
    expect(decoded.metadataProps).toEqual([{ key: 'k', value: 'v' }]);
    expect(decoded.graph.node[0].opType).toBe('Relu');
  });

  it('refuses a constant whose values do not fill its shape', () => {
    expect(() => new OnnxGraphWriter('g').addFloatTensor('W', [2, 2], [1, 2, 3])).toThrow(/3 values for shape \[2,2\]/);
  });
});
