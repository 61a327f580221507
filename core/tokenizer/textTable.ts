// A string -> integer hash table whose keys are ranges of one source text (vocab.json, merges.txt), so that
// loading a tokenizer creates no string per entry: 49,408 vocabulary keys and 48,894 merges are indexed
// over the file text, and lookups compare characters in place. Loading is what the editor waits for when
// it opens a prompt; this keeps it well below JSON.parse plus a Map.

// The hash reads six characters, not all of them: loading must index ~100,000 keys before V8 has optimized
// anything, and a per-character loop over 1.5 MB of text would cost more than the rest of the load. Full
// keys are compared on every probe, so collisions cost time, never correctness.
/** Mixes the length and the characters at six fixed relative positions of a key. */
function sampledHash(length: number, c0: number, c1: number, cMid: number, c3q: number, cEnd5: number, cLast: number): number {
  let h = Math.imul(length, 0x9e3779b1) ^ 0x811c9dc5;
  h = Math.imul(h ^ c0, 0x01000193);
  h = Math.imul(h ^ c1, 0x01000193);
  h = Math.imul(h ^ cMid, 0x01000193);
  h = Math.imul(h ^ c3q, 0x01000193);
  h = Math.imul(h ^ cEnd5, 0x01000193);
  h = Math.imul(h ^ cLast, 0x01000193);
  return h ^ (h >>> 15);
}

// The sampled positions of a key of length L (L > 0): 0, min(1, L-1), L>>1, (3L)>>2, max(L-5, 0), L-1.
const second = (length: number): number => (length > 1 ? 1 : 0);
const fifthFromEnd = (length: number): number => (length > 5 ? length - 5 : 0);

/** The hash of text[start, end). */
export function hashRange(text: string, start: number, end: number): number {
  const length = end - start;
  if (length === 0) return sampledHash(0, 0, 0, 0, 0, 0, 0);
  return sampledHash(
    length,
    text.charCodeAt(start),
    text.charCodeAt(start + second(length)),
    text.charCodeAt(start + (length >> 1)),
    text.charCodeAt(start + ((length * 3) >> 2)),
    text.charCodeAt(start + fifthFromEnd(length)),
    text.charCodeAt(end - 1),
  );
}

export function hashString(key: string): number {
  return hashRange(key, 0, key.length);
}

/** The hash of `left + ' ' + right` without building it. */
export function hashPair(left: string, right: string): number {
  const split = left.length;
  const length = split + 1 + right.length;
  const at = (i: number): number => (i < split ? left.charCodeAt(i) : i === split ? 0x20 : right.charCodeAt(i - split - 1));
  return sampledHash(length, at(0), at(second(length)), at(length >> 1), at((length * 3) >> 2), at(fifthFromEnd(length)), at(length - 1));
}

export class TextKeyTable {
  private keyStart: Int32Array;
  private keyEnd: Int32Array;
  private values: Int32Array;
  /** Each entry's full hash: probes compare it before comparing characters. */
  private hashes: Int32Array;
  /** Open addressing: entry index + 1, or 0 for an empty slot. */
  private slots: Int32Array;
  private mask: number;
  size = 0;

  constructor(
    readonly text: string,
    expectedEntries: number,
  ) {
    let capacity = 16;
    while (capacity < expectedEntries * 2) capacity <<= 1;
    this.slots = new Int32Array(capacity);
    this.mask = capacity - 1;
    this.keyStart = new Int32Array(Math.max(16, expectedEntries));
    this.keyEnd = new Int32Array(this.keyStart.length);
    this.values = new Int32Array(this.keyStart.length);
    this.hashes = new Int32Array(this.keyStart.length);
  }

  /** Sets text[start, end) -> value; a repeated key is overwritten. */
  set(start: number, end: number, value: number): void {
    const length = end - start;
    const hash = hashRange(this.text, start, end);
    let slot = hash & this.mask;
    for (let entry = this.slots[slot]!; entry !== 0; entry = this.slots[slot]!) {
      const e = entry - 1;
      if (this.hashes[e] === hash && this.keyEnd[e]! - this.keyStart[e]! === length && this.sameRange(this.keyStart[e]!, start, length)) {
        this.values[e] = value;
        return;
      }
      slot = (slot + 1) & this.mask;
    }
    if (this.size === this.keyStart.length) this.grow();
    this.keyStart[this.size] = start;
    this.keyEnd[this.size] = end;
    this.values[this.size] = value;
    this.hashes[this.size] = hash;
    this.slots[slot] = ++this.size;
    if (this.size * 2 > this.slots.length) this.rehash();
  }

  /** The value of `key`, or undefined. */
  get(key: string): number | undefined {
    const hash = hashString(key);
    let slot = hash & this.mask;
    for (let entry = this.slots[slot]!; entry !== 0; entry = this.slots[slot]!) {
      const e = entry - 1;
      const start = this.keyStart[e]!;
      if (this.hashes[e] === hash && this.keyEnd[e]! - start === key.length && this.matches(start, key, 0, key.length)) return this.values[e];
      slot = (slot + 1) & this.mask;
    }
    return undefined;
  }

  /** The value of the key `left + ' ' + right`, without building that string (merge-rank lookups). */
  getPair(left: string, right: string): number | undefined {
    const length = left.length + 1 + right.length;
    const hash = hashPair(left, right);
    let slot = hash & this.mask;
    for (let entry = this.slots[slot]!; entry !== 0; entry = this.slots[slot]!) {
      const e = entry - 1;
      const start = this.keyStart[e]!;
      if (
        this.hashes[e] === hash &&
        this.keyEnd[e]! - start === length &&
        this.text.charCodeAt(start + left.length) === 0x20 &&
        this.matches(start, left, 0, left.length) &&
        this.matches(start + left.length + 1, right, 0, right.length)
      ) {
        return this.values[e];
      }
      slot = (slot + 1) & this.mask;
    }
    return undefined;
  }

  /** Every (key, value), keys sliced from the text. */
  *entries(): IterableIterator<[string, number]> {
    for (let e = 0; e < this.size; e++) yield [this.text.slice(this.keyStart[e], this.keyEnd[e]), this.values[e]!];
  }

  private matches(at: number, key: string, from: number, to: number): boolean {
    const text = this.text;
    for (let i = from; i < to; i++) if (text.charCodeAt(at + i - from) !== key.charCodeAt(i)) return false;
    return true;
  }

  private sameRange(a: number, b: number, length: number): boolean {
    const text = this.text;
    for (let i = 0; i < length; i++) if (text.charCodeAt(a + i) !== text.charCodeAt(b + i)) return false;
    return true;
  }

  private grow(): void {
    const bigger = (a: Int32Array): Int32Array => {
      const b = new Int32Array(a.length * 2);
      b.set(a);
      return b;
    };
    this.keyStart = bigger(this.keyStart);
    this.keyEnd = bigger(this.keyEnd);
    this.values = bigger(this.values);
    this.hashes = bigger(this.hashes);
  }

  private rehash(): void {
    this.slots = new Int32Array(this.slots.length * 2);
    this.mask = this.slots.length - 1;
    for (let e = 0; e < this.size; e++) {
      let slot = this.hashes[e]! & this.mask;
      while (this.slots[slot] !== 0) slot = (slot + 1) & this.mask;
      this.slots[slot] = e + 1;
    }
  }
}
