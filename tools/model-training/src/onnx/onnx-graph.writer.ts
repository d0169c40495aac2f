import { OnnxAttributeType, OnnxDataType, onnxModelType } from './onnx-proto.schema';

export type OnnxAttributeValue = number | number[] | { float: number } | { floats: number[] };

/** A graph input or output: float32 tensor with fixed sizes or named dynamic dimensions. */
export interface OnnxValueInfo {
  name: string;
  shape: Array<number | string>;
  docString?: string;
}

export interface OnnxModelOptions {
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  opset: number;
  irVersion: number;
  producerName: string;
  producerVersion: string;
  docString?: string;
  metadata?: Record<string, string>;
}

interface NodeMessage {
  opType: string;
  name: string;
  input: string[];
  output: string[];
  attribute: object[];
}

function littleEndianFloat32(data: ArrayLike<number>): Uint8Array {
  const bytes = new Uint8Array(data.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < data.length; i++) view.setFloat32(i * 4, data[i], true);
  return bytes;
}

function littleEndianInt64(data: readonly number[]): Uint8Array {
  const bytes = new Uint8Array(data.length * 8);
  const view = new DataView(bytes.buffer);
  data.forEach((v, i) => view.setBigInt64(i * 8, BigInt(v), true));
  return bytes;
}

function attribute(name: string, value: OnnxAttributeValue): object {
  if (typeof value === 'number') return { name, type: OnnxAttributeType.INT, i: value };
  if (Array.isArray(value)) return { name, type: OnnxAttributeType.INTS, ints: value };
  if ('float' in value) return { name, type: OnnxAttributeType.FLOAT, f: value.float };
  return { name, type: OnnxAttributeType.FLOATS, floats: value.floats };
}

function valueInfo(v: OnnxValueInfo): object {
  const dim = v.shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d }));
  return { name: v.name, docString: v.docString ?? '', type: { tensorType: { elemType: OnnxDataType.FLOAT, shape: { dim } } } };
}

/**
 * Accumulates the nodes and constant tensors of one ONNX graph, in the order they are added (which
 * must be topological), and serialises the ModelProto. Names are given by the caller so that the
 * bytes, and so the model's sha256, depend only on the weights.
 */
export class OnnxGraphWriter {
  private readonly nodes: NodeMessage[] = [];
  private readonly initializers: object[] = [];

  constructor(private readonly graphName: string) {}

  /** A float32 constant; `dims` [] makes a scalar. Returns its name for use as a node input. */
  addFloatTensor(name: string, dims: number[], data: ArrayLike<number>): string {
    const expected = dims.reduce((a, b) => a * b, 1);
    if (data.length !== expected) throw new Error(`tensor ${name}: ${data.length} values for shape [${dims}]`);
    this.initializers.push({ name, dims, dataType: OnnxDataType.FLOAT, rawData: littleEndianFloat32(data) });
    return name;
  }

  addInt64Tensor(name: string, dims: number[], data: readonly number[]): string {
    this.initializers.push({ name, dims, dataType: OnnxDataType.INT64, rawData: littleEndianInt64(data) });
    return name;
  }

  /** Appends one operator; returns its (single) output name. */
  addNode(opType: string, inputs: string[], output: string, attributes: Record<string, OnnxAttributeValue> = {}): string {
    this.nodes.push({
      opType,
      name: `${output}_${opType.toLowerCase()}`,
      input: inputs,
      output: [output],
      attribute: Object.entries(attributes).map(([k, v]) => attribute(k, v)),
    });
    return output;
  }

  encode(options: OnnxModelOptions): Uint8Array {
    const type = onnxModelType();
    const message = {
      irVersion: options.irVersion,
      producerName: options.producerName,
      producerVersion: options.producerVersion,
      docString: options.docString ?? '',
      opsetImport: [{ domain: '', version: options.opset }],
      metadataProps: Object.entries(options.metadata ?? {}).map(([key, value]) => ({ key, value })),
      graph: {
        name: this.graphName,
        node: this.nodes,
        initializer: this.initializers,
        input: options.inputs.map(valueInfo),
        output: options.outputs.map(valueInfo),
      },
    };
    const problem = type.verify(message);
    if (problem) throw new Error(`invalid ONNX model message: ${problem}`);
    return type.encode(type.fromObject(message)).finish();
  }
}
