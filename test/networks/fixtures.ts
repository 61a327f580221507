// Writes real .safetensors bytes for the tests: the 8-byte little-endian header length, the JSON header,
// then the tensors' bytes (zeros, float16), laid out as huggingface/safetensors specifies.

export interface FixtureTensor {
  shape: number[];
  dtype?: 'F16' | 'F32';
}

export function safetensorsBytes(tensors: Record<string, FixtureTensor>, metadata?: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata) header['__metadata__'] = metadata;
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    const dtype = t.dtype ?? 'F16';
    const size = t.shape.reduce((a, b) => a * b, 1) * (dtype === 'F16' ? 2 : 4);
    header[name] = { dtype, shape: t.shape, data_offsets: [offset, offset + size] };
    offset += size;
  }
  return withHeader(new TextEncoder().encode(JSON.stringify(header)), offset);
}

/** A file of `headerBytes` as its header, `dataBytes` zero bytes after it. */
export function withHeader(headerBytes: Uint8Array, dataBytes = 0, declaredLength = headerBytes.length): Uint8Array {
  const out = new Uint8Array(8 + headerBytes.length + dataBytes);
  new DataView(out.buffer).setBigUint64(0, BigInt(declaredLength), true);
  out.set(headerBytes, 8);
  return out;
}
