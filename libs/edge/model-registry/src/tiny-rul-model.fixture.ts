import { Root, type Type } from 'protobufjs';
import { MODEL_CARD_SCHEMA_VERSION, RUL_MODEL_IO, type ModelCard } from '@millwright/rul-features';
import { formatSignatureFile, parsePrivateKey, signCard, type ModelBundleFiles } from '@millwright/model-release';
import { sha256Hex } from '@millwright/model-release';

/**
 * Test fixture: a tiny but real ONNX RUL model and its card, so the registry's specs exercise
 * onnxruntime without the trained FD001 model. rul = sum(window) * 0.01 + `rul`; failure_risk =
 * sigmoid(3 - 0.1 * rul). Only the onnx.proto fields the graph needs (ids as in onnx.proto).
 */
const DESCRIPTOR = {
  nested: {
    ModelProto: { fields: { irVersion: { type: 'int64', id: 1 }, producerName: { type: 'string', id: 2 }, graph: { type: 'GraphProto', id: 7 }, opsetImport: { rule: 'repeated', type: 'OpsetId', id: 8 } } },
    OpsetId: { fields: { domain: { type: 'string', id: 1 }, version: { type: 'int64', id: 2 } } },
    GraphProto: {
      fields: {
        node: { rule: 'repeated', type: 'NodeProto', id: 1 },
        name: { type: 'string', id: 2 },
        initializer: { rule: 'repeated', type: 'TensorProto', id: 5 },
        input: { rule: 'repeated', type: 'ValueInfoProto', id: 11 },
        output: { rule: 'repeated', type: 'ValueInfoProto', id: 12 },
      },
    },
    NodeProto: { fields: { input: { rule: 'repeated', type: 'string', id: 1 }, output: { rule: 'repeated', type: 'string', id: 2 }, name: { type: 'string', id: 3 }, opType: { type: 'string', id: 4 } } },
    TensorProto: { fields: { dims: { rule: 'repeated', type: 'int64', id: 1 }, dataType: { type: 'int32', id: 2 }, name: { type: 'string', id: 8 }, rawData: { type: 'bytes', id: 9 } } },
    ValueInfoProto: { fields: { name: { type: 'string', id: 1 }, type: { type: 'TypeProto', id: 2 } } },
    TypeProto: { fields: { tensorType: { type: 'TensorType', id: 1 } } },
    TensorType: { fields: { elemType: { type: 'int32', id: 1 }, shape: { type: 'ShapeProto', id: 2 } } },
    ShapeProto: { fields: { dim: { rule: 'repeated', type: 'Dim', id: 1 } } },
    Dim: { fields: { dimValue: { type: 'int64', id: 1 }, dimParam: { type: 'string', id: 2 } } },
  },
};
const FLOAT = 1;
const INT64 = 7;

let modelType: Type | undefined;

export interface TinyModelSpec {
  /** RUL predicted for an all-zero window; differs between versions so a swap is observable. */
  rul: number;
  windowLength?: number;
  features?: string[];
  /** Graph output names; the card always says `rul` and `failure_risk`. */
  outputNames?: { rul: string; failureRisk: string };
  /** Declares batch 1 instead of a dynamic batch. */
  fixedBatch?: boolean;
  /**
   * rul = sqrt(-|sum(window) * 0.01 + rul|): 0 on the all-zero smoke window (sqrt(-0) is -0), NaN
   * on any real one. A model that passes every check before it runs and breaks on live data.
   */
  nanOnData?: boolean;
}

const DEFAULT_FEATURES = ['T24', 'T30', 'T50'];

function floats(values: number[]): Uint8Array {
  return new Uint8Array(new Float32Array(values).buffer);
}

function valueInfo(name: string, shape: Array<number | string>): object {
  return { name, type: { tensorType: { elemType: FLOAT, shape: { dim: shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } } };
}

export function tinyRulOnnx(spec: TinyModelSpec): Uint8Array {
  const size = (spec.windowLength ?? 4) * (spec.features ?? DEFAULT_FEATURES).length;
  const names = spec.outputNames ?? { rul: RUL_MODEL_IO.rul, failureRisk: RUL_MODEL_IO.failureRisk };
  const batch = spec.fixedBatch ? 1 : 'batch';
  const node = (opType: string, input: string[], output: string) => ({ opType, input, output: [output], name: output });
  modelType ??= Root.fromJSON(DESCRIPTOR).lookupType('ModelProto');
  const message = {
    irVersion: 8,
    producerName: 'millwright-model-registry-fixture',
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'tiny_rul',
      initializer: [
        { name: 'w', dims: [size, 1], dataType: FLOAT, rawData: floats(Array(size).fill(0.01)) },
        { name: 'b', dims: [1], dataType: FLOAT, rawData: floats([spec.rul]) },
        { name: 'flat', dims: [1], dataType: INT64, rawData: new Uint8Array(new BigInt64Array([-1n]).buffer) },
        { name: 'slope', dims: [], dataType: FLOAT, rawData: floats([-0.1]) },
        { name: 'intercept', dims: [], dataType: FLOAT, rawData: floats([3]) },
      ],
      node: [
        node('Gemm', [RUL_MODEL_IO.input, 'w', 'b'], 'rul2d'),
        ...(spec.nanOnData
          ? [node('Reshape', ['rul2d', 'flat'], 'lin'), node('Abs', ['lin'], 'abs'), node('Neg', ['abs'], 'neg'), node('Sqrt', ['neg'], names.rul)]
          : [node('Reshape', ['rul2d', 'flat'], names.rul)]),
        node('Mul', [names.rul, 'slope'], 'scaled'),
        node('Add', ['scaled', 'intercept'], 'logit'),
        node('Sigmoid', ['logit'], names.failureRisk),
      ],
      input: [valueInfo(RUL_MODEL_IO.input, [batch, size])],
      output: [valueInfo(names.rul, [batch]), valueInfo(names.failureRisk, [batch])],
    },
  };
  return modelType.encode(modelType.fromObject(message)).finish();
}

/** A card for `modelBytes` that passes the validator; `version` defaults to `tiny-<sha256 prefix>`. */
export function tinyModelCard(modelBytes: Uint8Array, spec: Pick<TinyModelSpec, 'windowLength' | 'features'> = {}, version?: string): ModelCard {
  const length = spec.windowLength ?? 4;
  const features = spec.features ?? DEFAULT_FEATURES;
  const sha256 = sha256Hex(modelBytes);
  const tensor = (name: string, shape: Array<number | 'batch'>) => ({ name, dtype: 'float32' as const, shape, description: name });
  return {
    schemaVersion: MODEL_CARD_SCHEMA_VERSION,
    name: 'tiny-rul',
    version: version ?? `tiny-${sha256.slice(0, 12)}`,
    subset: 'TEST',
    model: { file: 'model.onnx', format: 'onnx', irVersion: 8, opset: 13, sha256, bytes: modelBytes.length },
    inputs: [tensor(RUL_MODEL_IO.input, ['batch', length * features.length])],
    outputs: [tensor(RUL_MODEL_IO.rul, ['batch']), tensor(RUL_MODEL_IO.failureRisk, ['batch'])],
    window: { length, features, normalisation: { method: 'z-score', mean: features.map(() => 0), std: features.map(() => 1) }, layout: 'time-major', padding: 'reject', minHistory: length },
    target: { kind: 'piecewise-linear-rul', capCycles: 125 },
    failureRisk: { horizonCycles: 30, intercept: 3, slope: -0.1, description: 'fixture' },
    training: { data: [], seed: 1, trainUnits: [], validationUnits: [], architecture: 'fixture', epochs: 0, batchSize: 1, learningRate: 0, framework: 'none' },
    validation: { units: [], windows: 0, rmse: 0, mae: 0, phm08Score: 0, phm08ScoreMean: 0, failureRiskBrier: 0 },
  };
}

export function cardBytesOf(card: ModelCard): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(card, null, 2) + '\n');
}

/** The three files of a release of `modelBytes` (a tiny model by default), signed when a private key PEM is given. */
export function tinyRelease(o: { spec?: TinyModelSpec; modelBytes?: Uint8Array; card?: ModelCard; privateKeyPem?: string }): ModelBundleFiles {
  const modelBytes = o.modelBytes ?? tinyRulOnnx(o.spec ?? { rul: 100 });
  const cardBytes = cardBytesOf(o.card ?? tinyModelCard(modelBytes, o.spec));
  const signatureText = o.privateKeyPem ? formatSignatureFile(signCard(cardBytes, parsePrivateKey(o.privateKeyPem))) : undefined;
  return { cardBytes, modelBytes, signatureText };
}
