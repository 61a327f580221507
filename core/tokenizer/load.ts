// Reads a tokenizer folder's files, as SDXL checkpoints and Optimum exports ship them, into the vocabulary,
// the merge list and the special tokens. The caller reads the files (core has no file system) and hands
// their text in; every problem becomes a TokenizerLoadError that names the file and, where it can, the line.

import { TextKeyTable } from './textTable';
import { parseJson } from '../text/json';

export class TokenizerLoadError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly reason: string,
    readonly source?: string,
  ) {
    super(`${source ? `${source}: ` : ''}${file}${line !== undefined ? `, line ${line}` : ''}: ${reason}`);
    this.name = 'TokenizerLoadError';
  }
}

export interface TokenizerFiles {
  vocab: Vocabulary;
  merges: MergeRanks;
  bosToken: string;
  eosToken: string;
  unkToken: string;
}

/** Token string -> id. */
export interface Vocabulary {
  get(token: string): number | undefined;
  has(token: string): boolean;
  readonly size: number;
  entries(): Iterable<[string, number]>;
}

/** The rank of the merge `left right` (a repeated pair keeps its last rank, as in HF's dict). */
export interface MergeRanks {
  rank(left: string, right: string): number | undefined;
}

/** A vocabulary indexed in place over the vocab.json text (see textTable.ts). */
class TextVocabulary implements Vocabulary {
  constructor(
    private readonly table: TextKeyTable,
    /** Keys written with escapes (\" \\ \uXXXX), decoded. */
    private readonly escaped: ReadonlyMap<string, number>,
  ) {}

  get(token: string): number | undefined {
    return this.table.get(token) ?? this.escaped.get(token);
  }

  has(token: string): boolean {
    return this.get(token) !== undefined;
  }

  get size(): number {
    return this.table.size + this.escaped.size;
  }

  *entries(): IterableIterator<[string, number]> {
    yield* this.table.entries();
    yield* this.escaped.entries();
  }
}

/** A vocabulary from a parsed JSON object (tokenizer.json, or a vocab.json of unusual shape). */
class ObjectVocabulary implements Vocabulary {
  private count: number | undefined;

  constructor(private readonly data: Readonly<Record<string, unknown>>) {}

  get(token: string): number | undefined {
    const id = this.data[token];
    // Object.prototype's members are never numbers, so no own-property check is needed.
    return typeof id === 'number' ? id : undefined;
  }

  has(token: string): boolean {
    return this.get(token) !== undefined;
  }

  get size(): number {
    return (this.count ??= Object.keys(this.data).length);
  }

  *entries(): IterableIterator<[string, number]> {
    for (const token of Object.keys(this.data)) yield [token, this.data[token] as number];
  }
}

class MapMergeRanks implements MergeRanks {
  constructor(private readonly ranks: ReadonlyMap<string, number>) {}

  rank(left: string, right: string): number | undefined {
    return this.ranks.get(`${left} ${right}`);
  }
}

/** Reads a file of the folder: its text, or undefined when the folder has no such file. */
export type ReadTokenizerFile = (fileName: string) => string | undefined;

// HF's CLIPTokenizer reads `merges.txt` as `read().strip().split("\n")[1:49152-256-2+1]`: the first line
// (the `#version` header) is always skipped and at most 48,894 merges are used.
const MAX_MERGES = 49152 - 256 - 2;

export function readTokenizerFiles(read: ReadTokenizerFile, source?: string): TokenizerFiles {
  const fail = (file: string, line: number | undefined, reason: string): never => {
    throw new TokenizerLoadError(file, line, reason, source);
  };
  const vocabText = read('vocab.json');
  const mergesText = read('merges.txt');
  let vocab: Vocabulary;
  let merges: MergeRanks;
  let specials: Partial<Record<'bos' | 'eos' | 'unk', string>> = {};
  if (vocabText !== undefined || mergesText !== undefined) {
    if (vocabText === undefined) return fail('vocab.json', undefined, 'missing (merges.txt is there; both are needed)');
    if (mergesText === undefined) return fail('merges.txt', undefined, 'missing (vocab.json is there; both are needed)');
    vocab = scanVocab(vocabText) ?? parseVocab(vocabText, 'vocab.json', fail);
    merges = parseMergesTxt(mergesText, fail);
  } else {
    const jsonText = read('tokenizer.json');
    if (jsonText === undefined) {
      return fail('vocab.json', undefined, 'missing: a CLIP tokenizer folder holds vocab.json and merges.txt, or tokenizer.json');
    }
    ({ vocab, merges, specials } = parseTokenizerJson(jsonText, fail));
  }
  // special_tokens_map.json wins over tokenizer_config.json, as in transformers.
  for (const file of ['tokenizer_config.json', 'special_tokens_map.json']) {
    const text = read(file);
    if (text === undefined) continue;
    const config = parseJsonFile(text, file, fail);
    if (!isObject(config)) return fail(file, 1, 'expected a JSON object');
    for (const key of ['bos', 'eos', 'unk'] as const) {
      const value = config[`${key}_token`];
      if (value === undefined || value === null) continue;
      const content = typeof value === 'string' ? value : isObject(value) ? value.content : undefined;
      if (typeof content !== 'string') {
        return fail(file, lineOfKey(text, `${key}_token`), `"${key}_token" must be a string or an object with "content"`);
      }
      specials[key] = content;
    }
  }
  const result: TokenizerFiles = {
    vocab,
    merges,
    bosToken: specials.bos ?? '<|startoftext|>',
    eosToken: specials.eos ?? '<|endoftext|>',
    unkToken: specials.unk ?? '<|endoftext|>',
  };
  for (const [name, token] of [['bos', result.bosToken], ['eos', result.eosToken], ['unk', result.unkToken]] as const) {
    if (!vocab.has(token)) {
      fail(vocabText !== undefined ? 'vocab.json' : 'tokenizer.json', undefined, `the ${name} token ${JSON.stringify(token)} is not in the vocabulary`);
    }
  }
  return result;
}

type Fail = (file: string, line: number | undefined, reason: string) => never;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** JSON.parse with the failing line in the error. */
function parseJsonFile(text: string, file: string, fail: Fail): unknown {
  const result = parseJson(text);
  if (result.ok) return result.value;
  return fail(file, result.line, `not valid JSON: expected ${result.expected} at column ${result.column}${result.atEnd ? ' (the file ends there)' : ''}`);
}


function lineAt(text: string, position: number): number {
  let line = 1;
  const end = Math.min(position, text.length);
  for (let i = 0; i < end; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** The line of the first `"key":` in a JSON text (best effort, for messages only). */
function lineOfKey(text: string, key: string): number | undefined {
  const at = text.indexOf(`${JSON.stringify(key)}`);
  return at < 0 ? undefined : lineAt(text, at);
}

/**
 * Indexes the usual vocab.json shape, `{"token": id, ...}` (any JSON whitespace, escapes in keys), in place
 * over its text. Undefined for anything else (other value types, syntax errors, an empty object): the
 * caller then goes through JSON.parse, which also produces the error messages. Accepts only valid JSON and
 * means the same as JSON.parse: a repeated key keeps its last id.
 */
function scanVocab(text: string): Vocabulary | undefined {
  // JSON forbids raw control characters in strings; with none in the whole text none can be in a key
  // (a raw tab or newline inside a key is the one thing this scan would let through).
  if (/[\x00-\x08\x0b\x0c\x0e-\x1f]/.test(text)) return undefined;
  const n = text.length;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const table = new TextKeyTable(text, Math.max(16, n >> 4));
  let escaped: Map<string, number> | undefined;
  let nextBackslash = -1; // -1: not searched yet; 2^32-1 (from >>> 0): none left
  const isSpace = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
  while (isSpace(text.charCodeAt(i))) i++;
  if (text.charCodeAt(i++) !== 0x7b) return undefined; // {
  while (isSpace(text.charCodeAt(i))) i++;
  for (;;) {
    if (text.charCodeAt(i) !== 0x22) return undefined; // "
    const keyStart = ++i;
    // The closing quote: native indexOf, unless a backslash shows there are escapes to walk through.
    let close = text.indexOf('"', i);
    if (close < 0) return undefined;
    // Backslashes are rare: remember where the next one is instead of searching ahead for every key.
    if (nextBackslash < i) nextBackslash = text.indexOf('\\', i) >>> 0;
    const backslash = nextBackslash;
    const hasEscape = backslash < close;
    if (hasEscape) {
      for (i = backslash; ; i++) {
        if (i >= n) return undefined;
        const c = text.charCodeAt(i);
        if (c === 0x22) break;
        if (c !== 0x5c) continue;
        const e = text.charCodeAt(++i);
        if (e === 0x75) {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) return undefined;
          i += 4;
        } else if (e !== 0x22 && e !== 0x5c && e !== 0x2f && e !== 0x62 && e !== 0x66 && e !== 0x6e && e !== 0x72 && e !== 0x74) {
          return undefined;
        }
      }
      close = i;
    }
    const keyEnd = close;
    i = close + 1;
    while (isSpace(text.charCodeAt(i))) i++;
    if (text.charCodeAt(i++) !== 0x3a) return undefined; // :
    while (isSpace(text.charCodeAt(i))) i++;
    const digitsStart = i;
    let id = 0;
    for (let c = text.charCodeAt(i); c >= 0x30 && c <= 0x39; c = text.charCodeAt(++i)) id = id * 10 + (c - 0x30);
    const digits = i - digitsStart;
    // No sign, fraction or exponent, no leading zero, and small enough to stay an exact small integer.
    if (digits === 0 || digits > 9 || (digits > 1 && text.charCodeAt(digitsStart) === 0x30)) return undefined;
    if (hasEscape) (escaped ??= new Map()).set(JSON.parse(text.slice(keyStart - 1, keyEnd + 1)) as string, id);
    else table.set(keyStart, keyEnd, id);
    while (isSpace(text.charCodeAt(i))) i++;
    const c = text.charCodeAt(i++);
    if (c === 0x2c) {
      while (isSpace(text.charCodeAt(i))) i++;
      continue;
    }
    if (c !== 0x7d) return undefined; // }
    while (isSpace(text.charCodeAt(i))) i++;
    if (i !== n) return undefined;
    // The same token written once with and once without escapes: leave the order question to JSON.parse.
    for (const key of escaped?.keys() ?? []) if (table.get(key) !== undefined) return undefined;
    return new TextVocabulary(table, escaped ?? new Map());
  }
}

// After a key's closing quote: anything but a plain integer and then ',' or '}'. JSON.parse already
// accepted the text, so this cheap scan only has to find values that are not ids.
const NON_ID_VALUE = /(?<!\\)"\s*:\s*(?![0-9]+\s*[,}])/;

function parseVocab(text: string, file: string, fail: Fail, parsed?: unknown): Vocabulary {
  const data = parsed ?? parseJsonFile(text, file, fail);
  if (!isObject(data)) return fail(file, 1, 'expected a JSON object mapping tokens to ids');
  // Walking 49,408 entries of a parsed object costs more than the parse; scan the text instead and walk
  // the entries only to name the bad one.
  if (parsed !== undefined || NON_ID_VALUE.test(text)) {
    for (const key in data) {
      const id = data[key];
      if (typeof id !== 'number' || !Number.isInteger(id) || id < 0) {
        return fail(file, lineOfKey(text, key), `the id of token ${JSON.stringify(key)} must be a non-negative integer, got ${JSON.stringify(id)}`);
      }
    }
  }
  for (const _ in data) return new ObjectVocabulary(data);
  return fail(file, 1, 'the vocabulary is empty');
}

function parseMergesTxt(text: string, fail: Fail): MergeRanks {
  // The usual file has only spaces and newlines as whitespace, one space a line: index each line in place.
  // Otherwise (CRLF, tabs, double spaces) split each line with Python's `split()` rules into a Map.
  const plain = !/[\t\v\f\r\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/.test(text);
  if (plain) {
    try {
      return indexMerges(text, fail, true);
    } catch (error) {
      if (!(error instanceof NotPlain)) throw error;
    }
  }
  return indexMerges(text, fail, false);
}

function indexMerges(text: string, fail: Fail, plain: boolean): MergeRanks {
  // Python's `str.strip()` then `split("\n")`; the lines strip() removed still count in messages.
  let from = 0;
  let to = text.length;
  let line = 1;
  while (from < to && isPySpace(text.charCodeAt(from))) if (text.charCodeAt(from++) === 10) line++;
  while (to > from && isPySpace(text.charCodeAt(to - 1))) to--;
  const table = plain ? new TextKeyTable(text, 50_000) : undefined;
  const map = plain ? undefined : new Map<string, number>();
  let rank = 0;
  let pos = from;
  for (let index = 0; pos <= to && rank < MAX_MERGES; index++, line++) {
    let eol = text.indexOf('\n', pos);
    if (eol < 0 || eol > to) eol = to;
    // Line 0 of the stripped text (the `#version` header) is skipped, as HF does.
    if (index > 0) {
      if (table) {
        const space = text.indexOf(' ', pos);
        const second = space < 0 ? -1 : text.indexOf(' ', space + 1);
        if (space <= pos || space >= eol - 1 || (second >= 0 && second < eol)) badMergeLine(text.slice(pos, eol), line, fail);
        table.set(pos, eol, rank++);
      } else {
        const entry = text.slice(pos, eol);
        const parts = entry.split(/[\s\x1c-\x1f\x85]+/).filter((p) => p.length > 0);
        if (parts.length !== 2) badMergeLine(entry, line, fail);
        map!.set(`${parts[0]} ${parts[1]}`, rank++);
      }
    }
    pos = eol + 1;
  }
  if (table) return { rank: (left, right) => table.getPair(left, right) };
  return new MapMergeRanks(map!);
}

function badMergeLine(entry: string, line: number, fail: Fail): never {
  // Python's split() would also accept "a  b" or " a b"; only the exact-two-parts rule matters.
  const parts = entry.split(/\s+/).filter((p) => p.length > 0);
  if (parts.length === 2) throw new NotPlain();
  return fail('merges.txt', line, `expected two symbols separated by a space, got ${JSON.stringify(entry.slice(0, 80))}`);
}

/** A merges line with extra spaces: valid for Python's split(), so redo the file on the Map path. */
class NotPlain extends Error {}

function isPySpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x1f) || c === 0x85 || c === 0xa0 || c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000;
}

function parseTokenizerJson(
  text: string,
  fail: Fail,
): { vocab: Vocabulary; merges: MergeRanks; specials: Partial<Record<'bos' | 'eos' | 'unk', string>> } {
  const file = 'tokenizer.json';
  const data = parseJsonFile(text, file, fail);
  if (!isObject(data) || !isObject(data.model)) return fail(file, lineOfKey(text, 'model'), 'expected an object with a "model" object');
  const model = data.model;
  if (model.type !== undefined && model.type !== 'BPE') {
    return fail(file, lineOfKey(text, 'type'), `model.type is ${JSON.stringify(model.type)}; a CLIP tokenizer is "BPE"`);
  }
  if (!isObject(model.vocab)) return fail(file, lineOfKey(text, 'vocab'), 'model.vocab must be an object mapping tokens to ids');
  const vocab = parseVocab(text, file, fail, model.vocab);
  if (!Array.isArray(model.merges)) return fail(file, lineOfKey(text, 'merges'), 'model.merges must be an array');
  const mergesAt = text.indexOf('"merges"');
  const mergeRanks = new Map<string, number>();
  model.merges.forEach((entry: unknown, index: number) => {
    // Older files write "a b", newer ones ["a", "b"].
    const parts = typeof entry === 'string' ? entry.split(' ') : entry;
    if (!Array.isArray(parts) || parts.length !== 2 || typeof parts[0] !== 'string' || typeof parts[1] !== 'string' || !parts[0] || !parts[1]) {
      const at = text.indexOf(JSON.stringify(entry), Math.max(0, mergesAt));
      fail(file, at < 0 ? undefined : lineAt(text, at), `model.merges[${index}] must be "a b" or ["a", "b"], got ${JSON.stringify(entry)}`);
    }
    mergeRanks.set(`${parts[0] as string} ${parts[1] as string}`, index);
  });
  return { vocab, merges: new MapMergeRanks(mergeRanks), specials: {} };
}

/**
 * Python's `bytes_to_unicode()` of CLIP's simple_tokenizer.py: the 256 byte characters in its order (the
 * printable bytes `!`..`~`, `¡`..`¬`, `®`..`ÿ` as themselves, then the other bytes as U+0100 onwards).
 */
export function clipByteCharacters(): string[] {
  const printable: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) printable.push(b);
  for (let b = 0xa1; b <= 0xac; b++) printable.push(b);
  for (let b = 0xae; b <= 0xff; b++) printable.push(b);
  const chars = printable.map((b) => String.fromCharCode(b));
  const kept = new Set(printable);
  let next = 0;
  for (let b = 0; b < 256; b++) if (!kept.has(b)) chars.push(String.fromCharCode(256 + next++));
  return chars;
}

/**
 * The tokenizer files of OpenAI's CLIP from its merges.txt alone, as CLIP's simple_tokenizer.py builds the
 * vocabulary: the byte characters, the same with `</w>`, every merge joined, then `<|startoftext|>` and
 * `<|endoftext|>` (ids 49406 and 49407 for the 48,894 merges CLIP ships). This is the vocab.json of every
 * SDXL checkpoint's `tokenizer/` and `tokenizer_2/`, so the shipped merges give exact counts with no model.
 */
export function clipFilesFromMerges(mergesText: string, source?: string): TokenizerFiles {
  const fail = (file: string, line: number | undefined, reason: string): never => {
    throw new TokenizerLoadError(file, line, reason, source);
  };
  const merges = parseMergesTxt(mergesText, fail);
  const bos = '<|startoftext|>';
  const eos = '<|endoftext|>';
  // The merge lines as the loader counts them: the stripped text's first line skipped, at most MAX_MERGES.
  const body = mergesText.replace(/^[\s\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|[\s\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/g, '');
  const bytes = clipByteCharacters();
  // A token's id is its place in the list; a repeated one keeps its last, as `dict(zip(vocab, range(...)))`:
  // the specials win over merges, later merges over earlier ones, merges over the byte tokens.
  const byteIds = new Map<string, number>();
  bytes.forEach((c, i) => {
    byteIds.set(c, i);
    byteIds.set(`${c}</w>`, 256 + i);
  });
  const plain = !/[\t\v\f\r\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]|  |^ | $/m.test(body);
  let mergedIds: { get(token: string): number | undefined; size: number; entries(): Iterable<[string, number]> };
  let count = 0;
  if (plain) {
    // Every merge line is `left right`: without its space it is the merged token, so the joined text holds
    // every merged token as a line, indexed in place (no string per token; this is what a load waits for).
    const joined = body.replaceAll(' ', '');
    const table = new TextKeyTable(joined, 50_000);
    let pos = joined.indexOf('\n') + 1;
    while (pos > 0 && pos <= joined.length && count < MAX_MERGES) {
      let eol = joined.indexOf('\n', pos);
      if (eol < 0) eol = joined.length;
      table.set(pos, eol, 512 + count++);
      pos = eol + 1;
    }
    mergedIds = table;
  } else {
    const map = new Map<string, number>();
    const lines = body.split('\n');
    for (let k = 1; k < lines.length && k <= MAX_MERGES; k++) {
      map.set(lines[k]!.split(/[\s\x1c-\x1f\x85]+/).filter((p) => p.length > 0).join(''), 512 + count++);
    }
    mergedIds = map;
  }
  const specials = new Map([[bos, 512 + count], [eos, 513 + count]]);
  const get = (token: string): number | undefined => specials.get(token) ?? mergedIds.get(token) ?? byteIds.get(token);
  let size: number | undefined;
  function* entries(): IterableIterator<[string, number]> {
    yield* specials;
    for (const [token, id] of mergedIds.entries()) if (!specials.has(token)) yield [token, id];
    for (const [token, id] of byteIds) if (!specials.has(token) && mergedIds.get(token) === undefined) yield [token, id];
  }
  const vocab: Vocabulary = {
    get,
    has: (token) => get(token) !== undefined,
    get size() {
      if (size === undefined) {
        size = 0;
        for (const _ of entries()) size++;
      }
      return size;
    },
    entries,
  };
  return { vocab, merges, bosToken: bos, eosToken: eos, unkToken: eos };
}
