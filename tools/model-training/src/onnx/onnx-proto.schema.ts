import { Root, type INamespace, type Type } from 'protobufjs';

/**
 * The subset of onnx.proto (github.com/onnx/onnx, onnx/onnx.proto, proto2) that a feed-forward
 * graph needs, as a protobufjs reflection descriptor. It lives in code rather than a .proto file
 * because the build copies .json/.onnx assets but not .proto files, and parsing one at run time
 * would need it beside dist/. Field ids are the wire format and must match onnx.proto exactly;
 * names are ours (camelCase). Fields we never write are left out: decoders skip unknown ids.
 */
export const ONNX_SUBSET_DESCRIPTOR: INamespace = {
  nested: {
    onnx: {
      nested: {
        ModelProto: {
          fields: {
            irVersion: { type: 'int64', id: 1 },
            producerName: { type: 'string', id: 2 },
            producerVersion: { type: 'string', id: 3 },
            domain: { type: 'string', id: 4 },
            modelVersion: { type: 'int64', id: 5 },
            docString: { type: 'string', id: 6 },
            graph: { type: 'GraphProto', id: 7 },
            opsetImport: { rule: 'repeated', type: 'OperatorSetIdProto', id: 8 },
            metadataProps: { rule: 'repeated', type: 'StringStringEntryProto', id: 14 },
          },
        },
        OperatorSetIdProto: {
          fields: { domain: { type: 'string', id: 1 }, version: { type: 'int64', id: 2 } },
        },
        StringStringEntryProto: {
          fields: { key: { type: 'string', id: 1 }, value: { type: 'string', id: 2 } },
        },
        GraphProto: {
          fields: {
            node: { rule: 'repeated', type: 'NodeProto', id: 1 },
            name: { type: 'string', id: 2 },
            initializer: { rule: 'repeated', type: 'TensorProto', id: 5 },
            docString: { type: 'string', id: 10 },
            input: { rule: 'repeated', type: 'ValueInfoProto', id: 11 },
            output: { rule: 'repeated', type: 'ValueInfoProto', id: 12 },
          },
        },
        NodeProto: {
          fields: {
            input: { rule: 'repeated', type: 'string', id: 1 },
            output: { rule: 'repeated', type: 'string', id: 2 },
            name: { type: 'string', id: 3 },
            opType: { type: 'string', id: 4 },
            attribute: { rule: 'repeated', type: 'AttributeProto', id: 5 },
            docString: { type: 'string', id: 6 },
            domain: { type: 'string', id: 7 },
          },
        },
        AttributeProto: {
          fields: {
            name: { type: 'string', id: 1 },
            f: { type: 'float', id: 2 },
            i: { type: 'int64', id: 3 },
            s: { type: 'bytes', id: 4 },
            t: { type: 'TensorProto', id: 5 },
            floats: { rule: 'repeated', type: 'float', id: 7 },
            ints: { rule: 'repeated', type: 'int64', id: 8 },
            type: { type: 'int32', id: 20 },
          },
        },
        TensorProto: {
          fields: {
            dims: { rule: 'repeated', type: 'int64', id: 1 },
            dataType: { type: 'int32', id: 2 },
            name: { type: 'string', id: 8 },
            rawData: { type: 'bytes', id: 9 },
            docString: { type: 'string', id: 12 },
          },
        },
        ValueInfoProto: {
          fields: { name: { type: 'string', id: 1 }, type: { type: 'TypeProto', id: 2 }, docString: { type: 'string', id: 3 } },
        },
        TypeProto: {
          nested: {
            Tensor: { fields: { elemType: { type: 'int32', id: 1 }, shape: { type: 'TensorShapeProto', id: 2 } } },
          },
          fields: { tensorType: { type: 'Tensor', id: 1 } },
        },
        TensorShapeProto: {
          nested: {
            Dimension: { fields: { dimValue: { type: 'int64', id: 1 }, dimParam: { type: 'string', id: 2 } } },
          },
          fields: { dim: { rule: 'repeated', type: 'Dimension', id: 1 } },
        },
      },
    },
  },
};

/** TensorProto.DataType values we use. */
export const OnnxDataType = { FLOAT: 1, INT64: 7 } as const;

/** AttributeProto.AttributeType values we use. */
export const OnnxAttributeType = { FLOAT: 1, INT: 2, FLOATS: 6, INTS: 7 } as const;

let modelType: Type | undefined;

/** The ModelProto type, built once from the descriptor. */
export function onnxModelType(): Type {
  modelType ??= Root.fromJSON(ONNX_SUBSET_DESCRIPTOR).lookupType('onnx.ModelProto');
  return modelType;
}
