// A small builder for ONNX graphs on top of onnx-proto (the protobuf schema), used to write the tiny test model.
import { onnx } from 'onnx-proto';
import { floatsToHalf } from './half';

export type FloatType = 'float32' | 'float16';
export type ElementType = FloatType | 'int64' | 'int32';

const DATA_TYPE: Record<ElementType, number> = {
  float32: onnx.TensorProto.DataType.FLOAT,
  float16: onnx.TensorProto.DataType.FLOAT16,
  int64: onnx.TensorProto.DataType.INT64,
  int32: onnx.TensorProto.DataType.INT32,
};

/** A dimension: a fixed size or a symbolic name such as `batch_size`. */
export type Dim = number | string;

export interface Graph {
  inputs: onnx.IValueInfoProto[];
  outputs: onnx.IValueInfoProto[];
  nodes: onnx.INodeProto[];
  initializers: onnx.ITensorProto[];
}

export function newGraph(): Graph {
  return { inputs: [], outputs: [], nodes: [], initializers: [] };
}

export function valueInfo(name: string, type: ElementType, dims: Dim[]): onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: DATA_TYPE[type],
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

/** A constant tensor stored as raw little-endian bytes; float values are converted to `type`. */
export function tensor(name: string, type: ElementType, dims: number[], values: ArrayLike<number>): onnx.ITensorProto {
  let raw: Uint8Array;
  if (type === 'float32') raw = new Uint8Array(Float32Array.from(values).buffer);
  else if (type === 'float16') raw = new Uint8Array(floatsToHalf(values).buffer);
  else if (type === 'int64') raw = new Uint8Array(BigInt64Array.from(Array.from(values, (v) => BigInt(v))).buffer);
  else raw = new Uint8Array(Int32Array.from(values).buffer);
  return { name, dataType: DATA_TYPE[type], dims, rawData: raw };
}

type AttributeValue = number | number[] | string;

function attribute(name: string, value: AttributeValue): onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof value === 'string') return { name, type: T.STRING, s: new TextEncoder().encode(value) };
  if (Array.isArray(value)) return { name, type: T.INTS, ints: value };
  return Number.isInteger(value) ? { name, type: T.INT, i: value } : { name, type: T.FLOAT, f: value };
}

/** Appends a node; `attrs` integers become INT attributes, arrays INTS, strings STRING. */
export function node(g: Graph, op: string, inputs: string[], outputs: string[], attrs: Record<string, AttributeValue> = {}): void {
  g.nodes.push({
    opType: op,
    name: `${op}_${g.nodes.length}`,
    input: inputs,
    output: outputs,
    attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
  });
}

/** Adds a constant and returns its name. */
export function constant(g: Graph, name: string, type: ElementType, dims: number[], values: ArrayLike<number>): string {
  g.initializers.push(tensor(name, type, dims, values));
  return name;
}

export const OPSET = 17;

/** Serializes the graph as a complete ONNX model (IR version 8, default domain at opset 17). */
export function encodeModel(g: Graph, graphName: string): Uint8Array {
  const model: onnx.IModelProto = {
    irVersion: 8,
    producerName: 'tagsmith make-test-model',
    opsetImport: [{ domain: '', version: OPSET }],
    graph: {
      name: graphName,
      node: g.nodes,
      initializer: g.initializers,
      input: g.inputs,
      output: g.outputs,
    },
  };
  return onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
}
