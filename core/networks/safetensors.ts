// The header of a .safetensors file (huggingface/safetensors README): 8 bytes of little-endian u64 N, then
// N bytes of UTF-8 JSON naming each tensor's dtype, shape and data offsets, and an optional
// `__metadata__` object of strings. Tagsmith reads the header only, never the tensors: the caller reads
// 8 bytes, asks `headerLength` how many more to read, and hands those bytes to `parseSafetensorsHeader`.

/** Headers above this are refused. Real LoRA headers are a few KB to a few MB (ss_tag_frequency). */
export const MAX_HEADER_BYTES = 32 * 1024 * 1024;

export interface TensorInfo {
  dtype: string;
  shape: number[];
}

export interface SafetensorsHeader {
  /** `__metadata__`: string keys to string values (other values are dropped; see `problems`). */
  metadata: Record<string, string>;
  tensors: Map<string, TensorInfo>;
  /** Fields that were present but malformed, each a sentence naming the field. */
  problems: string[];
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: string };

/**
 * The header length from the file's first 8 bytes, checked against the file size and MAX_HEADER_BYTES.
 * The error says what is wrong, for a message that names the file.
 */
export function headerLength(prefix: Uint8Array, fileSize: number): Result<number> {
  if (prefix.length < 8 || fileSize < 8) return { ok: false, error: `file too short for a safetensors header (${fileSize} bytes)` };
  const view = new DataView(prefix.buffer, prefix.byteOffset, 8);
  const high = view.getUint32(4, true);
  const length = high * 2 ** 32 + view.getUint32(0, true);
  if (high >= 2 ** 21 || length > MAX_HEADER_BYTES) {
    return { ok: false, error: `header length ${length} bytes is over the ${MAX_HEADER_BYTES}-byte limit (not a safetensors file, or a corrupt one)` };
  }
  if (length < 2) return { ok: false, error: `header length ${length} is too small for a JSON object` };
  if (8 + length > fileSize) return { ok: false, error: `truncated: the header says ${length} bytes but the file has ${fileSize - 8} after the length` };
  return { ok: true, value: length };
}

/** Parses the JSON header bytes (after the 8-byte length). Never throws. */
export function parseSafetensorsHeader(bytes: Uint8Array): Result<SafetensorsHeader> {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (error) {
    return { ok: false, error: `header is not UTF-8 JSON (${error instanceof Error ? error.message : String(error)})` };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return { ok: false, error: 'header is not a JSON object' };
  const header: SafetensorsHeader = { metadata: {}, tensors: new Map(), problems: [] };
  for (const [name, value] of Object.entries(json as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        header.problems.push('__metadata__ is not an object');
        continue;
      }
      for (const [key, text] of Object.entries(value as Record<string, unknown>)) {
        if (typeof text === 'string') header.metadata[key] = text;
        else header.problems.push(`__metadata__.${key} is not a string`);
      }
      continue;
    }
    const tensor = value as { dtype?: unknown; shape?: unknown } | null;
    if (
      typeof tensor !== 'object' || tensor === null || typeof tensor.dtype !== 'string' ||
      !Array.isArray(tensor.shape) || !tensor.shape.every((d) => Number.isSafeInteger(d) && d >= 0)
    ) {
      header.problems.push(`tensor ${JSON.stringify(name)} has no valid dtype and shape`);
      continue;
    }
    header.tensors.set(name, { dtype: tensor.dtype, shape: tensor.shape as number[] });
  }
  return { ok: true, value: header };
}
