// The fast path's word cache: looks a word up by its place in the prompt text, so the hot loop makes no
// substring and hashes as it scans. Keys are the lower-cased ASCII words; values the BPE result.
import type { WordTokens } from './bpe';

export const HASH_START = 0x811c9dc5 | 0;

/** One FNV-1a step; the scan applies it to each (lower-cased) character of a word. */
export function hashStep(hash: number, code: number): number {
  return Math.imul(hash ^ code, 0x01000193);
}

export class AsciiWordCache {
  private keys: string[] = [];
  private values: WordTokens[] = [];
  private slots: Int32Array;
  private mask: number;

  constructor(private readonly limit = 1 << 16) {
    this.slots = new Int32Array(limit * 2);
    this.mask = this.slots.length - 1;
  }

  /**
   * The tokens of text[start, end) (lower-cased by `| 0x20` when `lower`: the range is all letters), whose
   * hash the scan computed with hashStep over the same lower-cased codes.
   */
  find(text: string, start: number, end: number, hash: number, lower: boolean): WordTokens | undefined {
    const length = end - start;
    const mask = this.mask;
    const flip = lower ? 0x20 : 0;
    let slot = hash & mask;
    for (let entry = this.slots[slot]!; entry !== 0; entry = this.slots[slot]!) {
      const key = this.keys[entry - 1]!;
      if (key.length === length) {
        let k = 0;
        while (k < length && (text.charCodeAt(start + k) | flip) === key.charCodeAt(k)) k++;
        if (k === length) return this.values[entry - 1];
      }
      slot = (slot + 1) & mask;
    }
    return undefined;
  }

  add(key: string, hash: number, tokens: WordTokens): void {
    // Bounded: on adversarial input (a megabyte of distinct words) start over rather than grow.
    if (this.keys.length >= this.limit) {
      this.keys = [];
      this.values = [];
      this.slots.fill(0);
    }
    let slot = hash & this.mask;
    while (this.slots[slot] !== 0) slot = (slot + 1) & this.mask;
    this.keys.push(key);
    this.values.push(tokens);
    this.slots[slot] = this.keys.length;
  }
}
