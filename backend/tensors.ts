// Moving float data in and out of ONNX Runtime tensors of either float element type.
import * as ort from 'onnxruntime-node';
import { floatsToHalf, halfToFloats } from './half';
import type { FloatType } from './model';

export function floatTensor(type: FloatType, data: Float32Array, dims: readonly number[]): ort.Tensor {
  return type === 'float16' ? new ort.Tensor('float16', floatsToHalf(data), dims) : new ort.Tensor('float32', data, dims);
}

/** The tensor's values as float32, whatever its float element type. */
export function readFloats(value: ort.OnnxValue | undefined, what: string): Float32Array {
  if (!value || !(value instanceof ort.Tensor)) throw new Error(`${what}: no tensor in the output`);
  if (value.type === 'float32') return value.data as Float32Array;
  if (value.type === 'float16') {
    const data = value.data as unknown;
    // Newer runtimes may hand back a Float16Array; both it and Uint16Array are handled.
    if (data instanceof Uint16Array) return halfToFloats(data);
    return Float32Array.from(data as ArrayLike<number>);
  }
  throw new Error(`${what}: expected a float tensor, got ${value.type}`);
}
