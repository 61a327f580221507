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
  /** True when the tensor entries were not read (options.tensors 'names' and metadata came first). */
  tensorsSkipped?: boolean;
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

export interface HeaderOptions {
  /**
   * 'all' (default): every tensor's dtype and shape. 'names': tensor names only, with an empty shape and
   * dtype — enough for a LoRA, whose real headers name a few thousand tensors that JSON.parse would build
   * objects for (the top-level scan below skips over them instead) — and none at all when kohya's or
   * modelspec's metadata comes first, which already says what the tensor names would.
   */
  tensors?: 'all' | 'names';
}

/**
 * Parses the JSON header bytes (after the 8-byte length). Never throws. Scans the top-level object itself
 * and JSON-parses only the values it needs, so a 250 KB LoRA header costs a character scan, not an object
 * per tensor.
 */
export function parseSafetensorsHeader(bytes: Uint8Array, options: HeaderOptions = {}): Result<SafetensorsHeader> {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return { ok: false, error: 'header is not UTF-8 JSON (invalid UTF-8)' };
  }
  const header: SafetensorsHeader = { metadata: {}, tensors: new Map(), problems: [] };
  const scan = new TopLevelScanner(text);
  if (!scan.open()) {
    return { ok: false, error: scan.error === 'array' ? 'header is not a JSON object' : `header is not UTF-8 JSON (${scan.error ?? 'no object'})` };
  }
  for (;;) {
    const entry = scan.next();
    if (entry === 'end') break;
    if (entry === 'error') return { ok: false, error: `header is not UTF-8 JSON (${scan.error})` };
    const [name, valueStart, valueEnd] = entry;
    if (name === '__metadata__') {
      readMetadata(text.slice(valueStart, valueEnd), header);
      // A LoRA's names matter only without kohya's or modelspec's metadata: with it, the scan stops here
      // (safetensors writes __metadata__ first, so the thousands of tensor entries are never looked at).
      if (options.tensors === 'names' && header.tensors.size === 0 && Object.keys(header.metadata).some((k) => k.startsWith('ss_') || k.startsWith('modelspec.'))) {
        header.tensorsSkipped = true;
        break;
      }
    } else if (options.tensors === 'names') header.tensors.set(name, { dtype: '', shape: [] });
    else readTensor(name, text.slice(valueStart, valueEnd), header);
  }
  return { ok: true, value: header };
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

function readMetadata(text: string, header: SafetensorsHeader): void {
  const parsed = parseJson(text);
  const value = parsed.ok ? parsed.value : undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    header.problems.push('__metadata__ is not an object');
    return;
  }
  for (const [key, entry] of Object.entries(value as Record<string, unknown>)) {
    if (typeof entry === 'string') header.metadata[key] = entry;
    else header.problems.push(`__metadata__.${key} is not a string`);
  }
}

function readTensor(name: string, text: string, header: SafetensorsHeader): void {
  const parsed = parseJson(text);
  const tensor = (parsed.ok ? parsed.value : undefined) as { dtype?: unknown; shape?: unknown } | null | undefined;
  if (
    typeof tensor !== 'object' || tensor === null || typeof tensor.dtype !== 'string' ||
    !Array.isArray(tensor.shape) || !tensor.shape.every((d) => Number.isSafeInteger(d) && d >= 0)
  ) {
    header.problems.push(`tensor ${JSON.stringify(name)} has no valid dtype and shape`);
    return;
  }
  header.tensors.set(name, { dtype: tensor.dtype, shape: tensor.shape as number[] });
}

const isSpace = (c: number | undefined): boolean => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;

/** Walks the members of a top-level JSON object, giving each key and its value's [start, end). */
class TopLevelScanner {
  private at = 0;
  private first = true;
  /** Index of the next backslash at or after `at` (-1: none left), or 0 before the first search. */
  private nextSlash = 0;
  error: string | undefined;

  constructor(private readonly text: string) {}

  private skipSpace(): void {
    while (this.at < this.text.length && isSpace(this.text.charCodeAt(this.at))) this.at++;
  }

  open(): boolean {
    this.skipSpace();
    if (this.text.charCodeAt(this.at) !== 0x7b) {
      this.error = this.at >= this.text.length ? 'empty' : this.text.charCodeAt(this.at) === 0x5b ? 'array' : 'not a JSON object';
      return false;
    }
    this.at++;
    return true;
  }

  /** The end of the string starting at `start` (on its opening quote): the index after the closing quote. */
  private stringEnd(start: number): number {
    // indexOf runs natively; a quote is the string's end unless an odd run of backslashes escapes it.
    for (let quote = this.text.indexOf('"', start + 1); quote >= 0; quote = this.text.indexOf('"', quote + 1)) {
      let slashes = 0;
      while (this.text.charCodeAt(quote - 1 - slashes) === 0x5c) slashes++;
      if (slashes % 2 === 0) return quote + 1;
    }
    return -1;
  }

  /**
   * A tensor entry `{"dtype":…,"shape":[…],"data_offsets":[…]}` holds no object and no brace in a string:
   * its end is the next `}`, found natively. Anything else takes the general scan.
   */
  private flatObjectEnd(): number {
    const close = this.text.indexOf('}', this.at + 1);
    if (close < 0) return -1;
    const inner = this.text.indexOf('{', this.at + 1);
    if (inner >= 0 && inner < close) return -1;
    // The next backslash, remembered: searching afresh from every entry would rescan to the end each time.
    if (this.nextSlash !== -1 && this.nextSlash <= this.at) this.nextSlash = this.text.indexOf('\\', this.at + 1);
    if (this.nextSlash !== -1 && this.nextSlash < close) return -1;
    return close + 1;
  }

  /** The end of the value starting at `this.at`: strings skipped, brackets counted. */
  private valueEnd(): number {
    const text = this.text;
    let depth = 0;
    for (let i = this.at; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        const end = this.stringEnd(i);
        if (end < 0) return -1;
        i = end - 1;
        if (depth === 0) return end;
      } else if (c === 0x7b || c === 0x5b) {
        depth++;
      } else if (c === 0x7d || c === 0x5d) {
        if (depth === 0) return i;
        depth--;
        if (depth === 0) return i + 1;
      } else if (c === 0x2c && depth === 0) {
        return i;
      }
    }
    return depth === 0 ? text.length : -1;
  }

  next(): [string, number, number] | 'end' | 'error' {
    this.skipSpace();
    const c = this.text.charCodeAt(this.at);
    if (c === 0x7d) {
      this.at++;
      this.skipSpace();
      if (this.at !== this.text.length) return this.fail('text after the object');
      return 'end';
    }
    if (!this.first) {
      if (c !== 0x2c) return this.fail(Number.isNaN(c) ? 'unexpected end' : `expected ',' at ${this.at}`);
      this.at++;
      this.skipSpace();
    }
    this.first = false;
    if (this.text.charCodeAt(this.at) !== 0x22) return this.fail(`expected a key at ${this.at}`);
    const keyEnd = this.stringEnd(this.at);
    if (keyEnd < 0) return this.fail('unterminated key');
    const raw = this.text.slice(this.at + 1, keyEnd - 1);
    const key = raw.includes('\\') ? parseJson(`"${raw}"`) : { ok: true as const, value: raw };
    if (!key.ok || typeof key.value !== 'string') return this.fail(`bad key at ${this.at}`);
    this.at = keyEnd;
    this.skipSpace();
    if (this.text.charCodeAt(this.at) !== 0x3a) return this.fail(`expected ':' at ${this.at}`);
    this.at++;
    this.skipSpace();
    const start = this.at;
    const flat = this.text.charCodeAt(start) === 0x7b ? this.flatObjectEnd() : -1;
    const end = flat >= 0 ? flat : this.valueEnd();
    if (end < 0 || end === start) return this.fail(`bad value at ${start}`);
    this.at = end;
    return [key.value, start, end];
  }

  private fail(message: string): 'error' {
    this.error = message;
    return 'error';
  }
}
