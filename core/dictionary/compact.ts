// The compact form of a tag dictionary: a TagIndex with its search entries already built, so loading it
// skips parsing the CSV and building the index (the 140k-tag danbooru.csv: ~75 ms of parsing and ~150 ms of
// indexing on our 2-core machine). The build compacts the shipped CSV (scripts/build.mjs); the server reads
// the bytes and calls loadCompactDictionary. Pure: bytes in, bytes out.
//
// Layout (little-endian; "varint" is LEB128, unsigned):
//   "TSTI" u32 version, u32 flags (1: the text holds no A-Z or space, so it is its own search form)
//   u32 tags, u32 text bytes, u32 entries, u32 non-empty buckets, u32 exact keys
//   text (UTF-8): per tag, most posts first, `name \t aliases \n` (aliases comma-separated, as the CSV)
//   per tag: varint category
//   per tag: varint post count, the first as it is, the others as (previous tag's count − this one's)
//   per non-empty bucket: varint (bucket − previous bucket − 1), varint number of entries
//   per entry, bucket by bucket: varint ((tag − previous tag of the same bucket) × 4 + kind: 0 name,
//     1 a later word of the name, 2 alias), varint (its offset in the tag's line)
//   per exact key (a name or alias; of a repeated key the most posted), in key order: varint entry number

import { scanTagCsv, type TagTable } from './csv';
import { postCountOrder, TagIndex } from './index';

const MAGIC = 0x49545354; // "TSTI" read as a little-endian u32
export const COMPACT_VERSION = 1;
const PLAIN_TEXT = 1;
const HEADER_BYTES = 32;

const WORD = 1;
const ALIAS = 2;

export class CompactDictionaryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CompactDictionaryError';
  }
}

class Writer {
  private bytes = new Uint8Array(1 << 20);
  length = 0;

  private room(n: number): void {
    if (this.length + n <= this.bytes.length) return;
    let size = this.bytes.length * 2;
    while (size < this.length + n) size *= 2;
    const bigger = new Uint8Array(size);
    bigger.set(this.bytes.subarray(0, this.length));
    this.bytes = bigger;
  }

  u32(value: number): void {
    this.room(4);
    new DataView(this.bytes.buffer).setUint32(this.length, value, true);
    this.length += 4;
  }

  varint(value: number): void {
    if (!Number.isSafeInteger(value) || value < 0) throw new CompactDictionaryError(`cannot store ${value} as a varint`);
    this.room(8);
    while (value >= 0x80) {
      this.bytes[this.length++] = (value % 0x80) | 0x80;
      value = Math.floor(value / 0x80);
    }
    this.bytes[this.length++] = value;
  }

  raw(data: Uint8Array): void {
    this.room(data.length);
    this.bytes.set(data, this.length);
    this.length += data.length;
  }

  result(): Uint8Array {
    return this.bytes.slice(0, this.length);
  }
}

/**
 * Compacts an a1111-tagcomplete CSV. Throws a CompactDictionaryError when the file has bad rows (a shipped
 * dictionary must load clean) or a name or alias holding a tab or newline (the layout's separators).
 */
export function compactDictionary(csv: string): Uint8Array {
  const { table: source, problems } = scanTagCsv(csv);
  if (problems.length > 0) throw new CompactDictionaryError(`the CSV has bad rows: ${problems.map((p) => `line ${p.line}: ${p.message}`).join('; ')}`);
  const order = postCountOrder(source);
  const count = source.count;
  const parts: string[] = [];
  const table: TagTable = {
    text: '',
    count,
    nameStart: new Int32Array(count),
    nameEnd: new Int32Array(count),
    aliasStart: new Int32Array(count),
    aliasEnd: new Int32Array(count),
    category: new Int32Array(count),
    postCount: new Float64Array(count),
  };
  let at = 0;
  for (let t = 0; t < count; t++) {
    const s = order[t]!;
    const name = source.text.slice(source.nameStart[s]!, source.nameEnd[s]!);
    const aliases = source.text.slice(source.aliasStart[s]!, source.aliasEnd[s]!);
    if (/[\t\n]/.test(name) || /[\t\n]/.test(aliases)) throw new CompactDictionaryError(`tag ${JSON.stringify(name)}: a tab or newline in a name or alias`);
    table.nameStart[t] = at;
    table.nameEnd[t] = at + name.length;
    table.aliasStart[t] = at + name.length + 1;
    table.aliasEnd[t] = at + name.length + 1 + aliases.length;
    table.category[t] = source.category[s]!;
    table.postCount[t] = source.postCount[s]!;
    parts.push(name, '\t', aliases, '\n');
    at += name.length + aliases.length + 2;
  }
  table.text = parts.join('');
  const { pos, ref, bucketStart, sortedExact } = TagIndex.fromTable(table).prebuiltEntries;

  const text = new TextEncoder().encode(table.text);
  let buckets = 0;
  for (let b = 0; b < 65536; b++) if (bucketStart[b + 1]! > bucketStart[b]!) buckets++;
  const out = new Writer();
  out.u32(MAGIC);
  out.u32(COMPACT_VERSION);
  out.u32(/[A-Z ]/.test(table.text) ? 0 : PLAIN_TEXT);
  out.u32(count);
  out.u32(text.length);
  out.u32(pos.length);
  out.u32(buckets);
  out.u32(sortedExact.length);
  out.raw(text);
  for (let t = 0; t < count; t++) out.varint(table.category[t]!);
  let previous = 0;
  for (let t = 0; t < count; t++) {
    const posts = table.postCount[t]!;
    out.varint(t === 0 ? posts : previous - posts);
    previous = posts;
  }
  let lastBucket = -1;
  for (let b = 0; b < 65536; b++) {
    const size = bucketStart[b + 1]! - bucketStart[b]!;
    if (size === 0) continue;
    out.varint(b - lastBucket - 1);
    out.varint(size);
    lastBucket = b;
  }
  for (let b = 0; b < 65536; b++) {
    let previousTag = 0;
    for (let e = bucketStart[b]!; e < bucketStart[b + 1]!; e++) {
      const tag = ref[e]! >> 2;
      if (tag < previousTag) throw new CompactDictionaryError('entries of a bucket out of tag order');
      out.varint((tag - previousTag) * 4 + (ref[e]! & 3));
      out.varint(pos[e]! - table.nameStart[tag]!);
      previousTag = tag;
    }
  }
  for (const e of sortedExact) out.varint(e);
  return out.result();
}

/**
 * Loads a compact dictionary. Throws a CompactDictionaryError when the bytes are not one (another
 * version, cut short, inconsistent); never returns a half-built index.
 */
export function loadCompactDictionary(bytes: Uint8Array): TagIndex {
  const fail = (what: string): never => {
    throw new CompactDictionaryError(`not a Tagsmith compact dictionary of version ${COMPACT_VERSION}: ${what}`);
  };
  if (bytes.length < HEADER_BYTES) fail('too short');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== MAGIC) fail('wrong magic number');
  const version = view.getUint32(4, true);
  if (version !== COMPACT_VERSION) fail(`it is version ${version}`);
  const flags = view.getUint32(8, true);
  const count = view.getUint32(12, true);
  const textBytes = view.getUint32(16, true);
  const entryCount = view.getUint32(20, true);
  const bucketCount = view.getUint32(24, true);
  const exactCount = view.getUint32(28, true);
  let p = HEADER_BYTES + textBytes;
  if (p > bytes.length) fail('cut short in the text');
  const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(HEADER_BYTES, p));

  const n = bytes.length;
  // Inlined LEB128 reads: this loop runs ~1.5 million times per load.
  const varint = (): number => {
    let b = bytes[p++]!;
    if (b < 0x80) return b;
    let value = b & 0x7f;
    let scale = 0x80;
    for (;;) {
      if (p >= n) return fail('cut short');
      b = bytes[p++]!;
      value += (b & 0x7f) * scale;
      if (b < 0x80) return value;
      scale *= 0x80;
    }
  };

  const table: TagTable = {
    text,
    count,
    nameStart: new Int32Array(count),
    nameEnd: new Int32Array(count),
    aliasStart: new Int32Array(count),
    aliasEnd: new Int32Array(count),
    category: new Int32Array(count),
    postCount: new Float64Array(count),
  };
  let at = 0;
  for (let t = 0; t < count; t++) {
    const tab = text.indexOf('\t', at);
    const eol = text.indexOf('\n', at);
    if (tab < 0 || eol < tab) fail(`the text ends before tag ${t + 1} of ${count}`);
    table.nameStart[t] = at;
    table.nameEnd[t] = tab;
    table.aliasStart[t] = tab + 1;
    table.aliasEnd[t] = eol;
    at = eol + 1;
  }
  if (at !== text.length) fail('more text than tags');
  if (p + 2 * count + 2 * bucketCount + 2 * entryCount + exactCount > n) fail('cut short');
  for (let t = 0; t < count; t++) table.category[t] = varint();
  let posts = 0;
  for (let t = 0; t < count; t++) {
    posts = t === 0 ? varint() : posts - varint();
    if (posts < 0) fail('a negative post count');
    table.postCount[t] = posts;
  }
  const bucketStart = new Int32Array(65537);
  let bucket = -1;
  let total = 0;
  for (let k = 0; k < bucketCount; k++) {
    bucket += varint() + 1;
    if (bucket > 65535) fail('a bucket number out of range');
    const size = varint();
    bucketStart[bucket + 1] = size;
    total += size;
  }
  if (total !== entryCount) fail('bucket sizes do not add up to the entries');
  for (let b = 0; b < 65536; b++) bucketStart[b + 1]! += bucketStart[b]!;
  const pos = new Int32Array(entryCount);
  const ref = new Int32Array(entryCount);
  const { nameStart } = table;
  const textLength = text.length;
  for (let b = 0; b < 65536; b++) {
    let tag = 0;
    const end = bucketStart[b + 1]!;
    for (let e = bucketStart[b]!; e < end; e++) {
      if (p >= n) fail('cut short in the entries');
      const step = varint();
      tag += step >>> 2;
      const kind = step & 3;
      if (tag >= count || kind > ALIAS) fail('an entry of a tag that does not exist');
      const at = nameStart[tag]! + varint();
      if (at >= textLength) fail('an entry outside the text');
      pos[e] = at;
      ref[e] = tag * 4 + kind;
    }
  }
  const sortedExact = new Int32Array(exactCount);
  for (let x = 0; x < exactCount; x++) {
    if (p >= n) fail('cut short in the exact keys');
    const e = varint();
    if (e >= entryCount || (ref[e]! & 3) === WORD) fail('an exact key that is no name or alias');
    sortedExact[x] = e;
  }
  if (p !== n) fail('bytes after the exact keys');
  return TagIndex.fromPrebuilt(table, { pos, ref, bucketStart, sortedExact, plainText: (flags & PLAIN_TEXT) !== 0 });
}

