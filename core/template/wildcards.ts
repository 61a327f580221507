// dynamicprompts' WildcardManager over wildcard files handed in as data (no file system here): `.txt` files
// (one value a line; blank lines and `#` lines skipped), `.json` files (names are the file's folder plus the
// key path; weights `"2::value"` or `{"text": …, "weight": …}` only in lists under keys; a top-level list is
// named after the file); `.yaml` files need a YAML parser (see `yaml` option); hidden folders skipped; values
// de-duplicated, then sorted by code point; `*` in a name also matches `/`, and a name with no match is
// retried as `**/name`.
import { describeJsonError, parseJson } from '../text/json';
import { asciiDigits, pyStrip } from './parse';

export interface WildcardFile {
  /** Path relative to the wildcard folder, with `/` separators (e.g. `animals/cats.txt`). */
  path: string;
  /** The file's text (decoded as UTF-8, invalid bytes dropped). */
  content: string;
}

/** One value: `item` is true for the library's WildcardItem (a weighted entry), false for a plain string. */
export interface WildcardValue {
  text: string;
  weight: number;
  item: boolean;
}

export interface WildcardLibraryOptions {
  /** Parses a `.yaml` file's text to plain data; without it, `.yaml` files are skipped. */
  yaml?: (text: string) => unknown;
}

export class WildcardValues {
  readonly strings: string[];
  readonly hasVariedWeights: boolean;
  readonly cumWeights: number[];
  constructor(readonly items: WildcardValue[]) {
    this.strings = items.map((i) => i.text);
    const seen = new Set<number>();
    for (const i of items) seen.add(i.weight);
    this.hasVariedWeights = seen.size > 1;
    let sum = 0;
    this.cumWeights = items.map((i, k) => (sum = k === 0 ? i.weight : sum + i.weight));
  }
  get length(): number {
    return this.items.length;
  }
  /** `iterate_string_values_weighted`: each value int(weight) times. */
  *weighted(): Generator<string> {
    for (const i of this.items) {
      const n = Math.trunc(i.weight);
      for (let k = 0; k < n; k++) yield i.text;
    }
  }
}

/**
 * A library as plain data, to cross a thread: each collection's values, de-duplicated and sorted; those that
 * are plain strings without a newline (a `.txt` file's) as a range of one UTF-8 buffer holding them joined by
 * `\n`, so the buffer can be transferred (no copy, nothing to deserialise) and each collection decoded when
 * first looked up.
 */
export interface PackedWildcardLibrary {
  collections: [name: string, values: WildcardValue[] | [start: number, end: number]][];
  bytes: Uint8Array<ArrayBuffer>;
  warnings: string[];
}

/** A collection still packed: its `\n`-joined values as a string, or as a range of UTF-8 bytes. */
type Packed = string | { bytes: Uint8Array<ArrayBuffer>; start: number; end: number };

export class WildcardLibrary {
  /** Each collection's values, de-duplicated and sorted (as getValues gives them); a packed string until first used. */
  private readonly map = new Map<string, WildcardValue[] | Packed>();
  private readonly cache = new Map<string, WildcardValues>();
  /** getValues of the names that are one collection's name, kept for the library's life (bounded by the collections). */
  private readonly exact = new Map<string, WildcardValues>();
  /** Problems met while reading files (the library logs these and goes on). */
  readonly warnings: string[] = [];

  constructor(files: readonly WildcardFile[] = [], options: WildcardLibraryOptions = {}) {
    // A `.txt` file's values are plain strings: kept as strings until the end.
    const raw = new Map<string, WildcardValue[] | string[]>();
    for (const file of files) {
      const parts = file.path.split('/').filter((p) => p !== '');
      if (parts.length === 0) continue;
      if (parts.slice(0, -1).some((p) => p.startsWith('.'))) continue;
      const name = parts[parts.length - 1]!;
      const suffix = pySuffix(name);
      const folder = parts.slice(0, -1).join('/');
      if (suffix === '.txt') {
        raw.set([...parts.slice(0, -1), pyStem(name)].join('/'), textFileLines(file.content));
      } else if (suffix === '.json' || suffix === '.yaml') {
        let data: unknown;
        try {
          if (suffix === '.json') {
            const parsed = parseJson(file.content);
            if (!parsed.ok) throw new Error(`not valid JSON (${describeJsonError(parsed)})`);
            data = parsed.value;
          }
          else if (options.yaml) data = options.yaml(file.content);
          else {
            this.warnings.push(`${file.path}: YAML support is not available, skipping YAML wildcard file`);
            continue;
          }
        } catch (error) {
          this.warnings.push(`${file.path}: unable to read structured wildcard file: ${(error as Error).message}`);
          continue;
        }
        const prefix = folder === '' ? '' : folder + '/';
        for (const [key, values] of structured(data, pyStem(name), this.warnings, file.path)) raw.set(prefix + key, values);
      }
    }
    // build_tree_from_root_map: names joined onto the root "" and stripped of slashes. Each collection is
    // de-duplicated and sorted once here: de-duplicating and sorting the values of several collections in a
    // row gives the same as doing it to their raw values (the first of equal values stays first, ties keep
    // their order), so getValues of one name needs neither.
    // A collection of plain strings is stored joined by `\n` (a `.txt` line has none), split when first used.
    for (const [name, values] of raw) this.map.set(stripSlashes(name), isStrings(values) ? sortedLines(values) : dedupeSorted(values));
  }

  /** The library as data for another thread (see PackedWildcardLibrary; transfer `bytes.buffer`). */
  pack(): PackedWildcardLibrary {
    const collections: PackedWildcardLibrary['collections'] = [];
    const encoder = new TextEncoder();
    const chunks: Uint8Array[] = [];
    let size = 0;
    for (const name of this.map.keys()) {
      const values = this.map.get(name)!;
      if (Array.isArray(values) && values.some((v) => v.item || v.text.includes('\n'))) {
        collections.push([name, values]);
        continue;
      }
      const chunk = encoder.encode(Array.isArray(values) ? values.map((v) => v.text).join('\n') : this.packedText(name, values));
      collections.push([name, [size, size + chunk.length]]);
      chunks.push(chunk);
      size += chunk.length;
    }
    const bytes = new Uint8Array(size);
    let at = 0;
    for (const chunk of chunks) {
      bytes.set(chunk, at);
      at += chunk.length;
    }
    return { collections, bytes, warnings: this.warnings };
  }

  /** A library from `pack()`'s data; packed collections are decoded and split when first looked up. */
  static unpack(packed: PackedWildcardLibrary): WildcardLibrary {
    const library = new WildcardLibrary();
    const { bytes } = packed;
    for (const [name, values] of packed.collections) {
      library.map.set(name, isRange(values) ? { bytes, start: values[0], end: values[1] } : values);
    }
    for (const warning of packed.warnings) library.warnings.push(warning);
    return library;
  }

  /**
   * The values of one collection that contain `needle` (the cycle search's `__`), without splitting the
   * collection where it is still packed.
   */
  textsContaining(name: string, needle: string): string[] {
    const values = this.map.get(name);
    if (values === undefined) return [];
    if (Array.isArray(values)) return values.filter((v) => v.text.includes(needle)).map((v) => v.text);
    const text = this.packedText(name, values);
    const out: string[] = [];
    let from = 0;
    for (;;) {
      const at = text.indexOf(needle, from);
      if (at < 0) return out;
      const start = text.lastIndexOf('\n', at) + 1;
      let end = text.indexOf('\n', at);
      if (end < 0) end = text.length;
      out.push(text.slice(start, end));
      from = end + 1;
    }
  }

  /** A packed collection as its `\n`-joined string (decoded from its bytes the first time). */
  private packedText(name: string, values: Packed): string {
    if (typeof values === 'string') return values;
    const text = utf8.decode(values.bytes.subarray(values.start, values.end));
    this.map.set(name, text);
    return text;
  }

  private collection(name: string): WildcardValue[] {
    const values = this.map.get(name);
    if (values === undefined) return [];
    if (Array.isArray(values)) return values;
    const text = this.packedText(name, values);
    const unpacked = text === '' ? [] : text.split('\n').map((t) => ({ text: t, weight: 1, item: false }));
    this.map.set(name, unpacked);
    return unpacked;
  }

  /** Every collection name, in the library's order. */
  names(): string[] {
    return [...this.map.keys()];
  }

  /** `WildcardManager.get_values(wildcard)`. */
  getValues(wildcard: string): WildcardValues {
    const known = this.exact.get(wildcard) ?? this.cache.get(wildcard);
    if (known) return known;
    // A name without glob characters matches one collection at most (fnmatch of a literal is equality), whose
    // values are already de-duplicated and sorted.
    const name = this.literalName(wildcard);
    if (name !== undefined && this.map.has(name)) {
      const result = new WildcardValues(this.collection(name));
      this.exact.set(wildcard, result);
      return result;
    }
    let values = this.match(wildcard);
    if (values.length === 0 && !wildcard.startsWith('**')) values = this.match(`**/${wildcard}`);
    const result = new WildcardValues(dedupeSorted(values));
    if (this.cache.size > 100) this.cache.clear();
    this.cache.set(wildcard, result);
    return result;
  }

  /** `to_wildcard`: wraps a name in `__` unless already wrapped. */
  toWildcard(name: string): string {
    if (!name.startsWith('__')) name = `__${name}`;
    if (!name.endsWith('__')) name = `${name}__`;
    return name;
  }

  /** The pattern `match` tests names against, or undefined for a name it refuses (`..`). */
  private pattern(wildcard: string): string | undefined {
    let w = wildcard.startsWith('__') ? wildcard.slice(2) : wildcard;
    if (w.endsWith('__')) w = w.slice(0, -2);
    w = w.replace(/[\\/]+/g, '/');
    w = stripSlashes(w);
    return w.includes('..') ? undefined : w;
  }

  /** The pattern when it has no glob character (`*`, `?`, `[`): the one name it can match. */
  private literalName(wildcard: string): string | undefined {
    const w = this.pattern(wildcard);
    return w !== undefined && !/[*?[]/.test(w) ? w : undefined;
  }

  /** The collections `getValues(wildcard)` takes its values from, in the library's order. */
  matchingNames(wildcard: string): string[] {
    const name = this.literalName(wildcard);
    if (name !== undefined && this.map.has(name)) return [name];
    let names = this.matchNames(wildcard);
    if (names.length === 0 && !wildcard.startsWith('**')) names = this.matchNames(`**/${wildcard}`);
    return names;
  }

  private matchNames(wildcard: string): string[] {
    const w = this.pattern(wildcard);
    if (w === undefined) return [];
    const re = fnmatchRegExp(w);
    const out: string[] = [];
    for (const name of this.map.keys()) if (re.test(name)) out.push(name);
    return out;
  }

  private match(wildcard: string): WildcardValue[] {
    const out: WildcardValue[] = [];
    for (const name of this.matchNames(wildcard)) for (const v of this.collection(name)) out.push(v);
    return out;
  }
}

/** The library's de-duplication (by text, and weight for an item) then its sort (code points, ties in order). */
function dedupeSorted(values: readonly WildcardValue[]): WildcardValue[] {
  const seen = new Set<string>();
  const unique: WildcardValue[] = [];
  for (const v of values) {
    const key = v.item ? `I${v.weight}:${v.text}` : `S:${v.text}`;
    if (seen.has(key)) continue;
    seen.add(key);
    unique.push(v);
  }
  return unique
    .map((v, i) => [v, i] as const)
    .sort((a, b) => compareCodePoints(a[0].text, b[0].text) || a[1] - b[1])
    .map(([v]) => v);
}

function stripSlashes(s: string): string {
  return s.replace(/^\/+|\/+$/g, '');
}

/** Python's PurePath.suffix (3.11). */
function pySuffix(name: string): string {
  const i = name.lastIndexOf('.');
  return i > 0 && i < name.length - 1 ? name.slice(i) : '';
}

/** The name without its suffix (PurePath.with_suffix('')). */
function pyStem(name: string): string {
  const i = name.lastIndexOf('.');
  return i > 0 && i < name.length - 1 ? name.slice(0, i) : name;
}

/** Code-point order, as Python compares strings (not JavaScript's UTF-16 order). */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // A surrogate (U+D800–DFFF, only in pairs above U+FFFF) sorts after every other BMP unit.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

/** A `.txt` wildcard file: universal newlines, each line stripped, blank and `#` lines skipped. */
export function textFileValues(content: string): WildcardValue[] {
  return textFileLines(content).map((text) => ({ text, weight: 1, item: false }));
}

function textFileLines(content: string): string[] {
  const out: string[] = [];
  for (const line of content.includes('\r') ? content.split(/\r\n|\r|\n/) : content.split('\n')) {
    const s = pyStrip(line);
    if (s === '' || s.charCodeAt(0) === 35 /* # */) continue;
    out.push(s);
  }
  return out;
}

const utf8 = new TextDecoder();

function isRange(values: WildcardValue[] | [number, number]): values is [number, number] {
  return values.length === 2 && typeof values[0] === 'number';
}

function isStrings(values: WildcardValue[] | string[]): values is string[] {
  return values.length > 0 && typeof values[0] === 'string';
}

/**
 * dedupeSorted for plain strings, joined by `\n`: sorted by code point, equal neighbours dropped (no hashing
 * of a million strings). compareCodePoints reads characters, which is also about twice as fast as `<` on the
 * substrings a file's split gives.
 */
function sortedLines(lines: string[]): string {
  const sorted = lines.sort(compareCodePoints);
  return sorted.filter((line, i) => i === 0 || line !== sorted[i - 1]).join('\n');
}

function* structured(data: unknown, stem: string, warnings: string[], path: string): Generator<[string, WildcardValue[]]> {
  if (isPlainObject(data)) {
    yield* structuredDict(data, [], warnings, path);
  } else if (Array.isArray(data)) {
    const valid = data.filter((e): e is string => typeof e === 'string');
    if (valid.length > 0) yield [stem, valid.map((text) => ({ text, weight: 1, item: false }))];
  }
}

function* structuredDict(data: Record<string, unknown>, prefix: string[], warnings: string[], path: string): Generator<[string, WildcardValue[]]> {
  for (const [key, raw] of Object.entries(data)) {
    if (!pyTruthy(raw)) continue;
    const names = [...prefix, key];
    const name = names.join('/');
    const value = typeof raw === 'string' ? [raw] : raw;
    if (Array.isArray(value)) {
      try {
        yield [name, structuredList(value, warnings)];
      } catch {
        warnings.push(`${path}: unable to parse key ${name}`);
      }
    } else if (isPlainObject(value)) {
      yield* structuredDict(value, names, warnings, path);
    } else {
      warnings.push(`${path}: unsupported value for key ${name}`);
    }
  }
}

function structuredList(list: unknown[], warnings: string[]): WildcardValue[] {
  const out: WildcardValue[] = [];
  for (const item of list) {
    if (!pyTruthy(item)) continue;
    if (typeof item === 'string') {
      const sep = item.lastIndexOf('::');
      if (/^\p{Nd}|^[\u00b2\u00b3\u00b9\u2070-\u2079\u2080-\u2089\u2460-\u2468\u2474-\u247c\u2488-\u2490\u24f5-\u24fd\u2776-\u277e\u2780-\u2788\u278a-\u2792]/u.test(item) && sep >= 0) {
        const weight = pyFloat(item.slice(0, sep));
        if (weight !== null) {
          out.push({ text: item.slice(sep + 2), weight, item: true });
          continue;
        }
      }
      out.push({ text: item, weight: 1, item: false });
      continue;
    }
    if (isPlainObject(item)) {
      const w = 'weight' in item ? item['weight'] : 1;
      const weight = typeof w === 'number' ? w : typeof w === 'boolean' ? Number(w) : typeof w === 'string' ? pyFloat(w) : null;
      if (weight === null) throw new Error('bad weight');
      const content = pyTruthy(item['text']) ? item['text'] : pyTruthy(item['content']) ? item['content'] : '';
      if (typeof content === 'string' && content !== '') {
        out.push(weight === 1 ? { text: content, weight: 1, item: false } : { text: content, weight, item: true });
        continue;
      }
    }
    warnings.push(`unsupported list item: ${JSON.stringify(item)}`);
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function pyTruthy(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (isPlainObject(v)) return Object.keys(v).length > 0;
  return true;
}

/** Python's float(str), or null where it raises ValueError. */
export function pyFloat(text: string): number | null {
  const s = pyStrip(text);
  const digits = String.raw`\p{Nd}(?:_?\p{Nd})*`;
  const re = new RegExp(String.raw`^[+-]?(?:(?:${digits}(?:\.(?:${digits})?)?|\.${digits})(?:[eE][+-]?${digits})?|inf|infinity|nan)$`, 'iu');
  if (!re.test(s)) return null;
  const lower = s.toLowerCase();
  if (/inf|nan/.test(lower)) return lower.includes('nan') ? NaN : lower.startsWith('-') ? -Infinity : Infinity;
  return Number(asciiDigits(s.replace(/_/g, '')));
}


/** Python's fnmatch.translate as a JavaScript RegExp (POSIX: case-sensitive; `*` matches `/` too). */
export function fnmatchRegExp(pat: string): RegExp {
  let res = '';
  let i = 0;
  const n = pat.length;
  // Not `-`: outside a class it is plain, and `\-` is an invalid escape under the `u` flag.
  const esc = (c: string) => c.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
  while (i < n) {
    const c = pat[i++]!;
    if (c === '*') {
      if (!res.endsWith('[\\s\\S]*')) res += '[\\s\\S]*';
    } else if (c === '?') res += '[\\s\\S]';
    else if (c === '[') {
      let j = i;
      if (j < n && pat[j] === '!') j++;
      if (j < n && pat[j] === ']') j++;
      while (j < n && pat[j] !== ']') j++;
      if (j >= n) res += '\\[';
      else {
        let stuff = pat.slice(i, j);
        i = j + 1;
        if (stuff === '') res += '(?!)';
        else if (stuff === '!') res += '[\\s\\S]';
        else {
          let negate = false;
          if (stuff[0] === '!') {
            negate = true;
            stuff = stuff.slice(1);
          }
          // Keep ranges (a-z); escape everything else that is special inside a JS class.
          const body = stuff.replace(/[\\\]\[^]/g, '\\$&');
          res += `[${negate ? '^' : ''}${body}]`;
        }
      }
    } else res += esc(c);
  }
  try {
    return new RegExp(`^(?:${res})$`, 'su');
  } catch {
    return /(?!)/;
  }
}
