// Byte-level BPE as CLIP does it (HF CLIPTokenizer.bpe / OpenAI simple_tokenizer.bpe): a word's UTF-8 bytes,
// each shown as one character of the byte-to-unicode map, the last one carrying '</w>'; then, while any
// adjacent pair has a merge rank, every occurrence of the lowest-ranked pair is merged, left to right.
//
// Symbols stay strings, spelled as merges.txt spells them, so loading needs no parsing of the merge list
// beyond cutting it into lines; speed comes from the per-word cache (prompts repeat the same tags).

/** GPT-2/CLIP `bytes_to_unicode`: printable Latin-1 bytes stand for themselves, the rest map to U+0100 on. */
export function bytesToUnicode(): string[] {
  const map: string[] = new Array<string>(256);
  let next = 0;
  for (let b = 0; b < 256; b++) {
    const printable = (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
    map[b] = String.fromCharCode(printable ? b : 256 + next++);
  }
  return map;
}

export const WORD_END = '</w>';
/** Words longer than this (in bytes) merge with a heap, O(n log n), instead of rescanning all pairs. */
const LONG_WORD = 48;

/** The BPE result of one word: its token ids and how many UTF-8 bytes each token covers. */
export interface WordTokens {
  ids: Int32Array;
  bytes: Uint16Array;
}

/** Where the encoder looks up merge ranks and token ids (strings as HF's merges.txt / vocab.json spell them). */
export interface BpeTables {
  /** The rank of the merge `left right`, or undefined when the pair is no merge. */
  mergeRank(left: string, right: string): number | undefined;
  /** A token's id, or undefined when the vocabulary lacks it. */
  tokenId(token: string): number | undefined;
  unkId: number;
}

const BYTE_CHARS = bytesToUnicode();

export class BytePairEncoder {
  private readonly cache = new Map<string, WordTokens>();
  /** Bounds memory on adversarial input (1 MB of random words); real prompts stay far below. */
  private readonly cacheLimit = 100_000;

  constructor(private readonly tables: BpeTables) {}

  /** The tokens of one pre-tokenized word (already cleaned and lower-cased), from the cache when seen before. */
  word(word: string): WordTokens {
    let tokens = this.cache.get(word);
    if (tokens === undefined) {
      tokens = this.encodeBytes(utf8(word));
      if (this.cache.size >= this.cacheLimit) this.cache.clear();
      this.cache.set(word, tokens);
    }
    return tokens;
  }

  /** BPE of a word given as its UTF-8 bytes. */
  encodeBytes(bytes: ArrayLike<number>): WordTokens {
    const n = bytes.length;
    const symbols = new Array<string>(n);
    for (let i = 0; i < n; i++) symbols[i] = BYTE_CHARS[bytes[i]!]!;
    if (n > 0) symbols[n - 1] += WORD_END;
    const merged = n > LONG_WORD ? this.mergeWithHeap(symbols) : this.mergeByScan(symbols);
    const ids = new Int32Array(merged.length);
    const counts = new Uint16Array(merged.length);
    for (let k = 0; k < merged.length; k++) {
      const symbol = merged[k]!;
      ids[k] = this.tables.tokenId(symbol) ?? this.tables.unkId;
      counts[k] = symbol.endsWith(WORD_END) ? symbol.length - WORD_END.length : symbol.length;
    }
    return { ids, bytes: counts };
  }

  private rank(left: string, right: string): number {
    return this.tables.mergeRank(left, right) ?? Infinity;
  }

  /** HF's loop as written: find the lowest-ranked pair, merge all its occurrences left to right, repeat. */
  mergeByScan(initial: string[]): string[] {
    let word = initial;
    while (word.length > 1) {
      let best = Infinity;
      let first = '';
      let second = '';
      for (let i = 0; i < word.length - 1; i++) {
        const r = this.rank(word[i]!, word[i + 1]!);
        if (r < best) {
          best = r;
          first = word[i]!;
          second = word[i + 1]!;
        }
      }
      if (best === Infinity) break;
      const next: string[] = [];
      for (let i = 0; i < word.length; ) {
        if (i < word.length - 1 && word[i] === first && word[i + 1] === second) {
          next.push(first + second);
          i += 2;
        } else {
          next.push(word[i++]!);
        }
      }
      word = next;
    }
    return word;
  }

  /**
   * The same result as mergeByScan in O(n log n), for long words. Positions of the word form a linked list;
   * every pair ever formed is filed under its rank. Each round takes the lowest rank, sorts its positions
   * and merges those that still hold that pair, left to right: exactly HF's "merge every occurrence of the
   * best pair, without overlap", because a round never creates the pair it merges. New pairs wait in their
   * own ranks for later rounds.
   */
  mergeWithHeap(initial: string[]): string[] {
    const n = initial.length;
    const syms = initial.slice();
    const next = new Int32Array(n);
    const prev = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      next[i] = i + 1 < n ? i + 1 : -1;
      prev[i] = i - 1;
    }
    const buckets = new Map<number, number[]>();
    const pairOfRank = new Map<number, [string, string]>();
    const pending = new RankHeap();
    // Long words repeat the same few pairs; a two-level cache reuses each string's cached hash.
    const rankCache = new Map<string, Map<string, number>>();
    const rankOf = (a: string, b: string): number => {
      let inner = rankCache.get(a);
      if (!inner) rankCache.set(a, (inner = new Map()));
      let r = inner.get(b);
      if (r === undefined) inner.set(b, (r = this.rank(a, b)));
      return r;
    };
    const file = (pos: number): void => {
      const q = next[pos]!;
      if (q < 0) return;
      const r = rankOf(syms[pos]!, syms[q]!);
      if (r === Infinity) return;
      const bucket = buckets.get(r);
      if (bucket) bucket.push(pos);
      else {
        buckets.set(r, [pos]);
        pairOfRank.set(r, [syms[pos]!, syms[q]!]);
        pending.push(r);
      }
    };
    for (let i = 0; i < n - 1; i++) file(i);
    const touched: number[] = [];
    while (pending.size > 0) {
      const rank = pending.pop();
      const positions = Int32Array.from(buckets.get(rank)!);
      const [a, b] = pairOfRank.get(rank)!;
      buckets.delete(rank);
      if (!isSorted(positions)) positions.sort();
      touched.length = 0;
      let last = -1;
      for (const pos of positions) {
        if (pos === last) continue;
        last = pos;
        const q = next[pos]!;
        // Merged away (next is -2), at the end, or the pair there is no longer this rank's pair.
        if (q < 0 || syms[pos] !== a || syms[q] !== b) continue;
        syms[pos] = a + b;
        const after = next[q]!;
        next[pos] = after;
        if (after >= 0) prev[after] = pos;
        next[q] = -2;
        touched.push(pos);
      }
      for (const pos of touched) {
        if (prev[pos]! >= 0) file(prev[pos]!);
        file(pos);
      }
    }
    const out: string[] = [];
    for (let i = 0; i >= 0; i = next[i]!) out.push(syms[i]!);
    return out;
  }
}

function isSorted(a: Int32Array): boolean {
  for (let i = 1; i < a.length; i++) if (a[i - 1]! > a[i]!) return false;
  return true;
}

/** A binary min-heap of distinct merge ranks that have pairs waiting. */
class RankHeap {
  private readonly items: number[] = [];

  get size(): number {
    return this.items.length;
  }

  push(rank: number): void {
    const items = this.items;
    items.push(rank);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (items[parent]! <= rank) break;
      items[i] = items[parent]!;
      i = parent;
    }
    items[i] = rank;
  }

  pop(): number {
    const items = this.items;
    const top = items[0]!;
    const last = items.pop()!;
    if (items.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= items.length) break;
        const c = l + 1 < items.length && items[l + 1]! < items[l]! ? l + 1 : l;
        if (items[c]! >= last) break;
        items[i] = items[c]!;
        i = c;
      }
      items[i] = last;
    }
    return top;
  }
}

/** UTF-8 bytes of a string (an ASCII string is its own byte sequence); a lone surrogate becomes U+FFFD. */
export function utf8(text: string): ArrayLike<number> {
  let ascii = true;
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) > 0x7f) {
      ascii = false;
      break;
    }
  }
  if (ascii) return asciiBytes(text);
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
      } else {
        c = 0xfffd;
      }
    } else if (c >= 0xd800 && c <= 0xdfff) {
      c = 0xfffd;
    }
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 0x3f));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 0x3f), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f));
  }
  return out;
}

function asciiBytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}
