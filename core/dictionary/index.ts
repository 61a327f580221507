// Searchable index over one tag file: prefix and word-start matching on tag names, prefix matching on
// aliases, results ranked by post count, plus exact lookup by name or alias.
//
// Why this shape: the 140k-tag danbooru.csv must load in well under 300 ms on a 2-core machine, so the
// index makes no string per tag. Every searchable start (a name, a later word of a name, an alias) is an
// offset into the file's text; the offsets are grouped by their first two characters in post-count
// order, so a query scans one group and stops at its first `limit` hits.

import { scanTagCsv, type CsvProblem, type TagTable } from './csv';

export interface DictionaryTag {
  /** The tag as the file spells it, underscores kept (`looking_at_viewer`). */
  name: string;
  /** The file's category number (danbooru: 0 general, 1 artist, 3 copyright, 4 character, 5 meta). */
  category: number;
  postCount: number;
  aliases: string[];
}

export type MatchKind = 'name' | 'word' | 'alias';

export interface TagMatch {
  tag: DictionaryTag;
  /** How the query matched: the start of the name, the start of a later word, or an alias. */
  kind: MatchKind;
  /** The alias as the file spells it, when `kind` is 'alias'. */
  alias?: string;
}

/** Search entries as TagIndex keeps them: start offsets and refs (tag * 4 + kind), and each bucket's first entry. */
export interface PrebuiltEntries {
  pos: Int32Array;
  ref: Int32Array;
  bucketStart: Int32Array;
  /** The entries exact lookup finds (a name or alias; of a repeated key the first), sorted by key. */
  sortedExact: Int32Array;
  /** True when the text holds no A-Z or space: it is its own search form. */
  plainText?: boolean;
}

const NAME = 0;
const WORD = 1;
const ALIAS = 2;

/**
 * The form tags are compared in: ASCII lower case, escapes dropped, runs of spaces and underscores as
 * one `_`, trimmed. `Looking at\ viewer` and `looking_at_viewer` have the same key.
 */
export function tagKey(text: string): string {
  return text
    .replace(/\\(.)/g, '$1')
    .replace(/[A-Z]+/g, (s) => s.toLowerCase())
    .trim()
    .replace(/[\s_]+/g, '_');
}

// The search form of a whole file: same length as the file, so offsets are shared. Tag files are nearly
// always lower case without spaces already, and then the file's text is used as it is.
function searchForm(text: string): string {
  return /[A-Z ]/.test(text) ? text.replace(/[A-Z ]/g, (c) => (c === ' ' ? '_' : c.toLowerCase())) : text;
}

function bucketOf(text: string, pos: number): number {
  return ((text.charCodeAt(pos) & 0xff) << 8) | (text.charCodeAt(pos + 1) & 0xff);
}

function isAlnum(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || code > 127;
}

function fnv(text: string, start: number, end: number): number {
  let h = 0x811c9dc5 | 0;
  for (let k = start; k < end; k++) h = Math.imul(h ^ text.charCodeAt(k), 0x01000193);
  // FNV's low bits, which pick the slot, mix poorly; finish as murmur3 does so probes stay short.
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  return h ^ (h >>> 13);
}

export class TagIndex {
  readonly problems: CsvProblem[];
  private readonly table: TagTable;
  private readonly key: string;
  /** Entry starts and refs (tag * 4 + kind), grouped by bucket, each group in post-count order. */
  private readonly entryPos: Int32Array;
  private readonly entryRef: Int32Array;
  private readonly bucketStart: Int32Array;
  /** Open-addressing table of exact names and aliases: slot → entry number + 1. */
  private readonly exactSlots: Int32Array;
  private readonly exactPos: Int32Array;
  private readonly exactEnd: Int32Array;
  private readonly exactRef: Int32Array;
  private readonly exactHash: Int32Array;
  /** Instead of the hash table, in a prebuilt index: the exact entries' numbers sorted by key, for binary search. */
  private readonly sortedExact: Int32Array | undefined;
  private readonly singleCharCache = new Map<string, TagMatch[]>();

  /** Parses and indexes a tag file's content. Never throws; bad rows are in `problems`. */
  static fromCsv(content: string): TagIndex {
    const { table, problems } = scanTagCsv(content);
    if (table.count === 0 && content.trim() !== '') {
      problems.unshift({ line: 1, message: 'no tag rows found; expected a1111 tag-autocomplete CSV (name,category,postCount,"aliases")' });
    }
    return new TagIndex(table, problems);
  }

  /** Indexes a table made elsewhere (core/dictionary/compact.ts lays the shipped dictionary out anew). */
  static fromTable(table: TagTable): TagIndex {
    return new TagIndex(table, []);
  }

  /**
   * An index whose search entries were built before (core/dictionary/compact.ts stores them): only the
   * exact-name table is built here. `entries` must be what `prebuiltEntries` gave for the same table.
   */
  static fromPrebuilt(table: TagTable, entries: PrebuiltEntries): TagIndex {
    return new TagIndex(table, [], entries);
  }

  /** The search entries, grouped by bucket, for storing (core/dictionary/compact.ts). */
  get prebuiltEntries(): PrebuiltEntries {
    return { pos: this.entryPos, ref: this.entryRef, bucketStart: this.bucketStart, sortedExact: this.sortExact(), plainText: this.key === this.table.text };
  }

  /** The exact table's entries as entry numbers, sorted by their key (UTF-16 order). */
  private sortExact(): Int32Array {
    if (this.sortedExact) return this.sortedExact;
    // The hash table took its keys in entry order, repeated keys left out: find each one's entry number.
    const all = new Int32Array(this.exactPos.length);
    const n = this.entryPos.length;
    let x = 0;
    for (let e = 0; e < n && x < all.length; e++) {
      if (this.entryPos[e] === this.exactPos[x] && this.entryRef[e] === this.exactRef[x]) all[x++] = e;
    }
    const winners = all.subarray(0, x);
    const keys = new Map<number, string>();
    for (const e of winners) keys.set(e, this.key.slice(this.entryPos[e], this.entryKeyEnd(e)));
    return winners.sort((a, b) => {
      const ka = keys.get(a)!;
      const kb = keys.get(b)!;
      return ka < kb ? -1 : ka > kb ? 1 : 0;
    });
  }

  /** Where the name or alias an entry starts ends (for a later word: its name's end). */
  private entryKeyEnd(e: number): number {
    const r = this.entryRef[e]!;
    return (r & 3) === ALIAS ? this.aliasEnd(this.entryPos[e]!, r >> 2) : this.table.nameEnd[r >> 2]!;
  }

  /** The table the index is over. */
  get tagTable(): TagTable {
    return this.table;
  }

  private constructor(table: TagTable, problems: CsvProblem[], prebuilt?: PrebuiltEntries) {
    this.table = table;
    this.problems = problems;
    this.key = prebuilt?.plainText ? table.text : searchForm(table.text);
    if (prebuilt) {
      this.entryPos = prebuilt.pos;
      this.entryRef = prebuilt.ref;
      this.bucketStart = prebuilt.bucketStart;
    } else {
      [this.entryPos, this.entryRef, this.bucketStart] = this.buildEntries();
    }
    const n = this.entryPos.length;
    if (prebuilt) {
      this.sortedExact = prebuilt.sortedExact;
      this.exactSlots = this.exactPos = this.exactEnd = this.exactRef = this.exactHash = new Int32Array(0);
      return;
    }

    // Exact table over names and aliases; the first (most posted) holder of a key wins.
    let exactCount = 0;
    for (let e = 0; e < n; e++) if ((this.entryRef[e]! & 3) !== WORD) exactCount++;
    let size = 1024;
    while (size < exactCount * 2) size *= 2;
    this.exactSlots = new Int32Array(size);
    this.exactPos = new Int32Array(exactCount);
    this.exactEnd = new Int32Array(exactCount);
    this.exactRef = new Int32Array(exactCount);
    this.exactHash = new Int32Array(exactCount);
    const key = this.key;
    let x = 0;
    for (let e = 0; e < n; e++) {
      const r = this.entryRef[e]!;
      if ((r & 3) === WORD) continue;
      const p = this.entryPos[e]!;
      const end = (r & 3) === NAME ? table.nameEnd[r >> 2]! : this.aliasEnd(p, r >> 2);
      if (end <= p) continue;
      const hash = fnv(key, p, end);
      if (this.findExact(key, p, end, hash) >= 0) continue;
      this.exactPos[x] = p;
      this.exactEnd[x] = end;
      this.exactRef[x] = r;
      this.exactHash[x] = hash;
      let slot = hash & (size - 1);
      while (this.exactSlots[slot] !== 0) slot = (slot + 1) & (size - 1);
      this.exactSlots[slot] = x + 1;
      x++;
    }
  }

  /** Every searchable start (name, later word, alias) in post-count order, counting-sorted by bucket. */
  private buildEntries(): [pos: Int32Array, ref: Int32Array, bucketStart: Int32Array] {
    const table = this.table;
    const order = postCountOrder(table);

    // Collect every searchable start in post-count order, then counting-sort them by bucket (stable).
    let cap = table.count * 4 + 16;
    let pos = new Int32Array(cap);
    let ref = new Int32Array(cap);
    let n = 0;
    const key = this.key;
    const { nameStart, nameEnd, aliasStart, aliasEnd } = table;
    for (let r = 0; r < order.length; r++) {
      const t = order[r]!;
      // Room for the worst case of this tag: every character a word start, every alias.
      const need = n + (nameEnd[t]! - nameStart[t]!) + (aliasEnd[t]! - aliasStart[t]!) + 2;
      if (need > cap) {
        cap = Math.max(cap * 2, need);
        const p2 = new Int32Array(cap);
        p2.set(pos);
        pos = p2;
        const r2 = new Int32Array(cap);
        r2.set(ref);
        ref = r2;
      }
      const start = nameStart[t]!;
      const end = nameEnd[t]!;
      pos[n] = start;
      ref[n++] = t * 4 + NAME;
      let previousAlnum = isAlnum(key.charCodeAt(start));
      for (let k = start + 1; k < end; k++) {
        const alnum = isAlnum(key.charCodeAt(k));
        if (alnum && !previousAlnum) {
          pos[n] = k;
          ref[n++] = t * 4 + WORD;
        }
        previousAlnum = alnum;
      }
      const aEnd = aliasEnd[t]!;
      let k = aliasStart[t]!;
      while (k < aEnd) {
        let c = key.charCodeAt(k);
        while (k < aEnd && (c === 95 || c === 32)) c = key.charCodeAt(++k);
        if (k < aEnd && c !== 44) {
          pos[n] = k;
          ref[n++] = t * 4 + ALIAS;
        }
        const comma = key.indexOf(',', k);
        k = comma < 0 || comma >= aEnd ? aEnd : comma + 1;
      }
    }
    const bucket = new Uint16Array(n);
    for (let e = 0; e < n; e++) bucket[e] = bucketOf(key, pos[e]!);
    const bucketStart = new Int32Array(65537);
    for (let e = 0; e < n; e++) bucketStart[bucket[e]! + 1]!++;
    for (let b = 0; b < 65536; b++) bucketStart[b + 1]! += bucketStart[b]!;
    const fill = bucketStart.slice(0, 65536);
    const entryPos = new Int32Array(n);
    const entryRef = new Int32Array(n);
    for (let e = 0; e < n; e++) {
      const slot = fill[bucket[e]!]!++;
      entryPos[slot] = pos[e]!;
      entryRef[slot] = ref[e]!;
    }
    return [entryPos, entryRef, bucketStart];
  }

  /** Number of tags. */
  get size(): number {
    return this.table.count;
  }

  /** The tag named `text` (any spelling with the same key), or the tag `text` is an alias of. */
  lookup(text: string): TagMatch | undefined {
    const q = tagKey(text);
    if (q === '') return undefined;
    if (this.sortedExact) {
      const e = this.findSorted(q);
      return e < 0 ? undefined : this.toMatch(this.entryRef[e]!, this.entryPos[e]!);
    }
    const x = this.findExact(q, 0, q.length);
    return x < 0 ? undefined : this.toMatch(this.exactRef[x]!, this.exactPos[x]!);
  }

  /** Binary search of the sorted exact entries: the entry whose key is `q`, or -1. */
  private findSorted(q: string): number {
    const sorted = this.sortedExact!;
    const key = this.key;
    let low = 0;
    let high = sorted.length - 1;
    while (low <= high) {
      const mid = (low + high) >> 1;
      const e = sorted[mid]!;
      const p = this.entryPos[e]!;
      const length = this.entryKeyEnd(e) - p;
      let order = 0;
      const common = Math.min(length, q.length);
      for (let k = 0; k < common && order === 0; k++) order = key.charCodeAt(p + k) - q.charCodeAt(k);
      if (order === 0) order = length - q.length;
      if (order === 0) return e;
      if (order < 0) low = mid + 1;
      else high = mid - 1;
    }
    return -1;
  }

  /** Up to `limit` tags whose name, a later word of the name, or an alias starts with `query`; most posts first. */
  search(query: string, limit = 50): TagMatch[] {
    const q = tagKey(query).replace(/[,"\n\r]/g, '');
    if (q === '' || limit <= 0) return [];
    if (q.length === 1) return this.searchSingleChar(q, limit);
    const b = bucketOf(q, 0);
    return this.collect(b, q, limit, [], new Set());
  }

  /** The category number of the tag with this key, or undefined; cheap enough to call per tag. */
  categoryOf(text: string): number | undefined {
    return this.lookup(text)?.tag.category;
  }

  private collect(b: number, q: string, limit: number, out: TagMatch[], seen: Set<number>): TagMatch[] {
    const key = this.key;
    const end = this.bucketStart[b + 1]!;
    for (let e = this.bucketStart[b]!; e < end && out.length < limit; e++) {
      const p = this.entryPos[e]!;
      if (!key.startsWith(q, p)) continue;
      const r = this.entryRef[e]!;
      if (seen.has(r >> 2)) continue;
      // A match must stay inside its field (a query never holds a comma, but may run past a short name).
      if ((r & 3) === ALIAS ? p + q.length > this.aliasEnd(p, r >> 2) : p + q.length > this.table.nameEnd[r >> 2]!) continue;
      seen.add(r >> 2);
      out.push(this.toMatch(r, p));
    }
    return out;
  }

  // One typed character: gather from every bucket that starts with it, then rank (a tag's name beats
  // its later words and aliases); cached, since the first character of every tag is typed.
  private searchSingleChar(q: string, limit: number): TagMatch[] {
    const cached = this.singleCharCache.get(q);
    if (cached && cached.length >= limit) return cached.slice(0, limit);
    const found: TagMatch[] = [];
    const first = (q.charCodeAt(0) & 0xff) << 8;
    for (let b = first; b < first + 256; b++) found.push(...this.collect(b, q, limit, [], new Set()));
    const rank: Record<MatchKind, number> = { name: 0, word: 1, alias: 2 };
    found.sort((a, b) => b.tag.postCount - a.tag.postCount || rank[a.kind] - rank[b.kind]);
    const seen = new Set<string>();
    const result: TagMatch[] = [];
    for (const match of found) {
      if (seen.has(match.tag.name)) continue;
      seen.add(match.tag.name);
      result.push(match);
      if (result.length === limit) break;
    }
    this.singleCharCache.set(q, result);
    return result;
  }

  private findExact(text: string, start: number, end: number, hash = fnv(text, start, end)): number {
    const size = this.exactSlots.length;
    const length = end - start;
    const key = this.key;
    for (let slot = hash & (size - 1); ; slot = (slot + 1) & (size - 1)) {
      const x = this.exactSlots[slot]! - 1;
      if (x < 0) return -1;
      if (this.exactHash[x] !== hash) continue;
      const p = this.exactPos[x]!;
      if (this.exactEnd[x]! - p !== length) continue;
      let k = 0;
      while (k < length && key.charCodeAt(p + k) === text.charCodeAt(start + k)) k++;
      if (k === length) return x;
    }
  }

  private forEachAlias(t: number, visit: (start: number) => void): void {
    const end = this.table.aliasEnd[t]!;
    const key = this.key;
    let k = this.table.aliasStart[t]!;
    while (k < end) {
      while (k < end && (key.charCodeAt(k) === 95 || key.charCodeAt(k) === 32)) k++;
      if (k < end && key.charCodeAt(k) !== 44) visit(k);
      const comma = key.indexOf(',', k);
      k = comma < 0 || comma >= end ? end : comma + 1;
    }
  }

  private aliasEnd(start: number, t: number): number {
    const limit = this.table.aliasEnd[t]!;
    const comma = this.key.indexOf(',', start);
    let end = comma < 0 || comma > limit ? limit : comma;
    while (end > start && this.key.charCodeAt(end - 1) === 95) end--;
    return end;
  }

  private toMatch(ref: number, pos: number): TagMatch {
    const t = ref >> 2;
    const tag = this.tagAt(t);
    const kind = ref & 3;
    if (kind === NAME) return { tag, kind: 'name' };
    if (kind === WORD) return { tag, kind: 'word' };
    return { tag, kind: 'alias', alias: this.table.text.slice(pos, this.aliasEnd(pos, t)) };
  }

  private tagAt(t: number): DictionaryTag {
    const { text, nameStart, nameEnd, category, postCount } = this.table;
    const aliases: string[] = [];
    this.forEachAlias(t, (a) => aliases.push(text.slice(a, this.aliasEnd(a, t))));
    return { name: text.slice(nameStart[t]!, nameEnd[t]!), category: category[t]!, postCount: postCount[t]!, aliases };
  }
}

/** Tag numbers by post count, highest first; files are usually sorted already, so check before sorting. */
export function postCountOrder(table: TagTable): Int32Array {
  const order = new Int32Array(table.count);
  let sorted = true;
  for (let t = 0; t < table.count; t++) {
    order[t] = t;
    if (t > 0 && table.postCount[t]! > table.postCount[t - 1]!) sorted = false;
  }
  if (!sorted) order.sort((a, b) => table.postCount[b]! - table.postCount[a]! || a - b);
  return order;
}

/** Searches several dictionaries at once: one list by post count; a tag found in two files is listed once. */
export function searchAll(indexes: readonly TagIndex[], query: string, limit = 50): TagMatch[] {
  if (indexes.length === 1) return indexes[0]!.search(query, limit);
  const all = indexes.flatMap((index) => index.search(query, limit));
  all.sort((a, b) => b.tag.postCount - a.tag.postCount);
  const seen = new Set<string>();
  const out: TagMatch[] = [];
  for (const match of all) {
    const k = tagKey(match.tag.name);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(match);
    if (out.length === limit) break;
  }
  return out;
}

/** Looks a tag up across dictionaries; the first file that knows it wins. */
export function lookupAll(indexes: readonly TagIndex[], text: string): TagMatch | undefined {
  for (const index of indexes) {
    const match = index.lookup(text);
    if (match) return match;
  }
  return undefined;
}
