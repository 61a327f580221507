// The CLIP tokenizer as A1111 runs it: text clean-up (ftfy, whitespace, lower case), the CLIP pre-tokenizer
// pattern, byte-level BPE. Two clean-ups exist because A1111's SDXL encoders use two tokenizers:
//  - 'hf' (encoder 1, and A1111's token counter): Hugging Face's slow CLIPTokenizer. Special-token strings
//    are split off first (exact case), then each piece is `whitespace_clean(ftfy.fix_text(piece)).lower()`.
//  - 'open_clip' (encoder 2, OpenCLIP bigG): `whitespace_clean(basic_clean(text)).lower()`, where basic_clean
//    is ftfy.fix_text, then html.unescape twice, then strip. Its special strings are <start_of_text> and
//    <end_of_text>; with a Hugging Face vocab.json they map to the bos and eos ids (49406, 49407).
// The pre-tokenizer is `<special>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+`, IGNORECASE.
//
// Speed: prompts are nearly always printable ASCII without '&'. For them every ftfy step is the identity, so
// one hand-written scan splits, lower-cases and looks words up in the BPE word cache, with exact offsets.

import { PY_SPACE } from '../pyre';
import { BytePairEncoder, utf8 } from './bpe';
import { fixText } from './ftfy';
import { pyHtmlUnescape } from './html';
import type { TokenizerFiles } from './load';
import { AsciiWordCache, HASH_START, hashStep } from './wordCache';

export type TextCleanup = 'hf' | 'open_clip';

export interface EncodedText {
  ids: number[];
  /**
   * For each id, the [start, end) range of the ORIGINAL text it came from (UTF-16 offsets). Exact where the
   * clean-up kept the word as typed (up to case); where ftfy or HTML unescaping changed a word, each of its
   * tokens gets the whole word (the whitespace-separated run of the original text).
   */
  offsets: Array<[number, number]>;
}

const PY_SPACE_RUN = new RegExp(`[${PY_SPACE}]+`, 'g');
const PY_SPACE_EDGES = new RegExp(`^[${PY_SPACE}]+|[${PY_SPACE}]+$`, 'g');
// Whitespace that survives ftfy as whitespace (ftfy deletes \v and \x1c-\x1f, and turns \x85 into '…'):
// the original text is split here to map tokens back to words.
const WORD_SEPARATOR = /[\t\n\f\r \xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/g;

/** Python's `re.sub(r"\s+", " ", text).strip()`. */
function whitespaceClean(text: string): string {
  return text.replace(PY_SPACE_RUN, ' ').replace(PY_SPACE_EDGES, '');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Shared, immutable-after-load data of a tokenizer folder; both clean-ups use the same BPE and its cache. */
export class ClipModel {
  readonly bpe: BytePairEncoder;
  readonly asciiWords = new AsciiWordCache();
  readonly bos: number;
  readonly eos: number;
  readonly unk: number;
  private idToToken: string[] | undefined;

  constructor(readonly files: TokenizerFiles) {
    this.unk = files.vocab.get(files.unkToken)!;
    this.bos = files.vocab.get(files.bosToken)!;
    this.eos = files.vocab.get(files.eosToken)!;
    this.bpe = new BytePairEncoder({
      mergeRank: (left, right) => files.merges.rank(left, right),
      tokenId: (token) => files.vocab.get(token),
      unkId: this.unk,
    });
  }

  tokenString(id: number): string | undefined {
    if (!this.idToToken) {
      this.idToToken = [];
      for (const [token, tokenId] of this.files.vocab.entries()) this.idToToken[tokenId] = token;
    }
    return this.idToToken[id];
  }
}

export class ClipTokenizer {
  /** The pre-tokenizer for cleaned text (lower case); specials first. */
  private readonly pattern: RegExp;
  /** Exact special strings the pattern knows, with their ids. */
  private readonly patternSpecials: ReadonlyMap<string, number>;
  /** HF only: special-token strings split off before clean-up (exact case). */
  private readonly splitSpecials: ReadonlyMap<string, number>;
  private readonly splitPattern: RegExp | undefined;
  /** A character every split special starts with, if they share one. */
  private readonly splitHint: string | undefined;

  /** @internal use loadClipTokenizer */
  constructor(
    private readonly model: ClipModel,
    readonly cleanup: TextCleanup,
  ) {
    const patternSpecials =
      cleanup === 'hf'
        ? new Map([['<|startoftext|>', model.files.vocab.get('<|startoftext|>') ?? model.unk], ['<|endoftext|>', model.files.vocab.get('<|endoftext|>') ?? model.unk]])
        : new Map([['<start_of_text>', model.bos], ['<end_of_text>', model.eos]]);
    this.patternSpecials = patternSpecials;
    const specialAlternatives = [...patternSpecials.keys()].map(escapeRegExp).join('|');
    this.pattern = new RegExp(
      `${specialAlternatives}|'s|'t|'re|'ve|'m|'ll|'d|\\p{L}+|\\p{N}|[^${PY_SPACE}\\p{L}\\p{N}]+`,
      'giu',
    );
    const split = new Map<string, number>();
    if (cleanup === 'hf') {
      for (const token of [model.files.bosToken, model.files.eosToken, model.files.unkToken]) {
        split.set(token, model.files.vocab.get(token)!);
      }
    }
    this.splitSpecials = split;
    const firsts = new Set([...split.keys()].map((token) => token[0]));
    this.splitHint = firsts.size === 1 ? [...firsts][0] : undefined;
    this.splitPattern = split.size > 0 ? new RegExp([...split.keys()].sort((a, b) => b.length - a.length).map(escapeRegExp).join('|'), 'g') : undefined;
  }

  /** The same vocabulary and merges with the other clean-up (shares the word cache). */
  withCleanup(cleanup: TextCleanup): ClipTokenizer {
    return cleanup === this.cleanup ? this : new ClipTokenizer(this.model, cleanup);
  }

  /** `<|startoftext|>`: 49406 with the real vocabulary. */
  get bos(): number {
    return this.model.bos;
  }

  /** `<|endoftext|>`: 49407 with the real vocabulary. */
  get eos(): number {
    return this.model.eos;
  }

  get vocabSize(): number {
    return this.model.files.vocab.size;
  }

  /** The id of a vocabulary entry such as `,</w>`. */
  tokenId(token: string): number | undefined {
    return this.model.files.vocab.get(token);
  }

  /** The vocabulary entry of an id, e.g. `cat</w>` (byte-to-unicode characters). */
  tokenString(id: number): string | undefined {
    return this.model.tokenString(id);
  }

  /** Token ids of `text`, without start and end tokens. */
  encode(text: string): number[] {
    const ids: number[] = [];
    if (isPlainAscii(text)) this.encodeAscii(text, ids, null);
    else this.encodeGeneral(text, ids);
    return ids;
  }

  /** Token ids with the range of the original text each came from (see EncodedText). */
  encodeWithOffsets(text: string): EncodedText {
    const ids: number[] = [];
    const flat: number[] = [];
    this.encodeInto(text, ids, flat);
    const offsets = new Array<[number, number]>(ids.length);
    for (let i = 0; i < ids.length; i++) offsets[i] = [flat[2 * i]!, flat[2 * i + 1]!];
    return { ids, offsets };
  }

  /**
   * encodeWithOffsets without a pair array per token: appends ids to `ids` and start, end pairs to the flat
   * `offsets` (offsets into `text`). For callers that encode many runs (chunking).
   */
  encodeInto(text: string, ids: number[], offsets: number[]): void {
    if (isPlainAscii(text)) this.encodeAscii(text, ids, offsets);
    else this.encodeGeneralWithOffsets(text, ids, offsets);
  }

  // ---- the fast path: printable ASCII without '&' -------------------------------------------------------

  /** The fast path; HF's special-token split first, as on the general path (`_<|endoftext|>` is `_` and eos). */
  private encodeAscii(text: string, ids: number[], offsets: number[] | null): void {
    if (!this.splitPattern || !this.mayHoldSplitSpecial(text)) {
      this.scanAscii(text, 0, text.length, ids, offsets);
      return;
    }
    const pattern = this.splitPattern;
    pattern.lastIndex = 0;
    let last = 0;
    for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) {
      this.scanAscii(text, last, m.index, ids, offsets);
      ids.push(this.splitSpecials.get(m[0])!);
      if (offsets) offsets.push(m.index, m.index + m[0].length);
      last = m.index + m[0].length;
    }
    this.scanAscii(text, last, text.length, ids, offsets);
  }

  /** Whether `text` can contain one of HF's split special tokens (a cheap test before the regex). */
  private mayHoldSplitSpecial(text: string): boolean {
    return this.splitHint === undefined || text.includes(this.splitHint);
  }

  /**
   * Splits, lower-cases and encodes text[from, to) of ASCII text in one pass; `offsets` (flat start, end
   * pairs into `text`) when wanted.
   */
  private scanAscii(text: string, from: number, to: number, ids: number[], offsets: number[] | null): void {
    const n = to;
    const cache = this.model.asciiWords;
    let i = from;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c <= 0x20) {
        i++;
        continue;
      }
      let j = i + 1;
      let hash = hashStep(HASH_START, c | 0x20);
      let lower = false;
      if (isAsciiLetter(c)) {
        // [\p{L}]+ : a run of letters, lower-cased.
        lower = true;
        for (let d = text.charCodeAt(j); j < n && isAsciiLetter(d); d = text.charCodeAt(++j)) hash = hashStep(hash, d | 0x20);
      } else if (c < 0x30 || c > 0x39) {
        if (c === 0x27) {
          const length = contractionLength(text, i);
          if (length > 0 && i + length <= n) {
            this.emitWord(text.slice(i, i + length).toLowerCase(), i, ids, offsets);
            i += length;
            continue;
          }
        } else if (c === 0x3c) {
          const special = this.asciiSpecialAt(text, i, n);
          if (special) {
            ids.push(special[1]);
            if (offsets) offsets.push(i, i + special[0].length);
            i += special[0].length;
            continue;
          }
        }
        // [^\s\p{L}\p{N}]+ : a run of other characters, as they are.
        hash = hashStep(HASH_START, c);
        for (let d = text.charCodeAt(j); j < n && isAsciiPunct(d); d = text.charCodeAt(++j)) hash = hashStep(hash, d);
      } else {
        hash = hashStep(HASH_START, c); // [\p{N}] : one digit
      }
      let tokens = cache.find(text, i, j, hash, lower);
      if (tokens === undefined) {
        const word = lower ? text.slice(i, j).toLowerCase() : text.slice(i, j);
        tokens = this.model.bpe.word(word);
        cache.add(word, hash, tokens);
      }
      const wordIds = tokens.ids;
      if (wordIds.length === 1) ids.push(wordIds[0]!);
      else for (let k = 0; k < wordIds.length; k++) ids.push(wordIds[k]!);
      if (offsets) pushAsciiOffsets(tokens.bytes, i, offsets);
      i = j;
    }
  }

  private asciiSpecialAt(text: string, at: number, end: number): [string, number] | undefined {
    for (const entry of this.patternSpecials) {
      const s = entry[0];
      if (at + s.length <= end && text.slice(at, at + s.length).toLowerCase() === s) return entry;
    }
    return undefined;
  }

  /** Appends a word's ids; offsets assume one UTF-16 unit per byte (true for ASCII words). */
  private emitWord(word: string, start: number, ids: number[], offsets: number[] | null): void {
    const tokens = this.model.bpe.word(word);
    const wordIds = tokens.ids;
    for (let k = 0; k < wordIds.length; k++) ids.push(wordIds[k]!);
    if (offsets) pushAsciiOffsets(tokens.bytes, start, offsets);
  }

  // ---- the general path ---------------------------------------------------------------------------------

  /** Cleans and encodes any text exactly as the reference tokenizer does. */
  private encodeGeneral(text: string, ids: number[]): void {
    if (this.cleanup === 'open_clip') {
      this.scanCleaned(openClipClean(text), ids, null, 0);
      return;
    }
    // HF splits special-token strings off first; each other piece is cleaned on its own.
    let last = 0;
    if (this.splitPattern && this.mayHoldSplitSpecial(text)) {
      this.splitPattern.lastIndex = 0;
      for (let m = this.splitPattern.exec(text); m !== null; m = this.splitPattern.exec(text)) {
        this.scanCleaned(hfClean(text.slice(last, m.index)), ids, null, 0);
        ids.push(this.splitSpecials.get(m[0])!);
        last = m.index + m[0].length;
      }
    }
    this.scanCleaned(hfClean(last === 0 ? text : text.slice(last)), ids, null, 0);
  }

  /**
   * Runs the pre-tokenizer over cleaned text. With `offsets`, the text must be the original from `base` on
   * (lower-cased, same length), and each token gets its exact range.
   */
  private scanCleaned(cleaned: string, ids: number[], offsets: number[] | null, base: number): void {
    const pattern = this.pattern;
    pattern.lastIndex = 0;
    for (let m = pattern.exec(cleaned); m !== null; m = pattern.exec(cleaned)) {
      const piece = m[0];
      const special = this.patternSpecials.get(piece);
      if (special !== undefined) {
        ids.push(special);
        if (offsets) offsets.push(base + m.index, base + m.index + piece.length);
        continue;
      }
      const tokens = this.model.bpe.word(piece);
      for (let k = 0; k < tokens.ids.length; k++) ids.push(tokens.ids[k]!);
      if (offsets) pushExactOffsets(piece, tokens.bytes, base + m.index, offsets);
    }
  }

  /**
   * The general path with offsets: the ids of the whole text are the truth; offsets come from encoding each
   * whitespace-separated word of the original on its own, exact where clean-up left the word as typed.
   * When the words do not add up to the whole (clean-up joined or split across whitespace), every token
   * gets the whole text's range.
   */
  private encodeGeneralWithOffsets(text: string, out: number[], offsets: number[]): void {
    const ids: number[] = [];
    this.encodeGeneral(text, ids);
    for (const id of ids) out.push(id);
    const wordIds: number[] = [];
    const wordOffsets: number[] = [];
    let start = 0;
    const words: Array<[number, number]> = [];
    WORD_SEPARATOR.lastIndex = 0;
    for (let m = WORD_SEPARATOR.exec(text); m !== null; m = WORD_SEPARATOR.exec(text)) {
      if (m.index > start) words.push([start, m.index]);
      start = m.index + m[0].length;
    }
    if (start < text.length) words.push([start, text.length]);
    for (const [from, to] of words) {
      const word = text.slice(from, to);
      const before = wordIds.length;
      this.encodeGeneral(word, wordIds);
      const lowered = word.toLowerCase();
      const asTyped = lowered.length === word.length && this.cleanedOf(word) === lowered;
      if (asTyped) {
        const exactIds: number[] = [];
        const exactOffsets: number[] = [];
        this.scanCleaned(lowered, exactIds, exactOffsets, from);
        if (sameTail(wordIds, before, exactIds)) {
          for (const offset of exactOffsets) wordOffsets.push(offset);
          continue;
        }
      }
      for (let k = before; k < wordIds.length; k++) wordOffsets.push(from, to);
    }
    if (wordIds.length === ids.length && wordIds.every((id, k) => id === ids[k])) {
      for (const offset of wordOffsets) offsets.push(offset);
    } else {
      for (let k = 0; k < ids.length; k++) offsets.push(0, text.length);
    }
  }

  private cleanedOf(word: string): string {
    return this.cleanup === 'hf' ? hfClean(word) : openClipClean(word);
  }
}

/** Offsets of an ASCII word's tokens: one UTF-16 unit per byte. */
function pushAsciiOffsets(tokenBytes: Uint16Array, start: number, offsets: number[]): void {
  let pos = start;
  for (let k = 0; k < tokenBytes.length; k++) {
    offsets.push(pos, pos + tokenBytes[k]!);
    pos += tokenBytes[k]!;
  }
}

function sameTail(all: number[], from: number, part: number[]): boolean {
  if (all.length - from !== part.length) return false;
  for (let k = 0; k < part.length; k++) if (all[from + k] !== part[k]) return false;
  return true;
}

/** Exact offsets of a piece's tokens: token byte lengths mapped back to UTF-16 units of the piece. */
function pushExactOffsets(piece: string, tokenBytes: Uint16Array, start: number, offsets: number[]): void {
  let ascii = true;
  for (let i = 0; i < piece.length; i++) if (piece.charCodeAt(i) > 0x7f) ascii = false;
  if (ascii) {
    let pos = start;
    for (let k = 0; k < tokenBytes.length; k++) {
      const len = tokenBytes[k]!;
      offsets.push(pos, pos + len);
      pos += len;
    }
    return;
  }
  // unitOfByte[b]: the UTF-16 index of the character byte b belongs to; unitEnd[b]: where that character ends.
  const byteCount = utf8(piece).length;
  const unitOfByte = new Int32Array(byteCount);
  const unitEnd = new Int32Array(byteCount);
  let b = 0;
  for (let i = 0; i < piece.length; ) {
    const cp = piece.codePointAt(i)!;
    const units = cp > 0xffff ? 2 : 1;
    const bytes = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    for (let k = 0; k < bytes; k++) {
      unitOfByte[b + k] = i;
      unitEnd[b + k] = i + units;
    }
    b += bytes;
    i += units;
  }
  let pos = 0;
  for (let k = 0; k < tokenBytes.length; k++) {
    const len = tokenBytes[k]!;
    offsets.push(start + unitOfByte[pos]!, start + unitEnd[pos + len - 1]!);
    pos += len;
  }
}

function hfClean(text: string): string {
  return whitespaceClean(fixText(text)).toLowerCase();
}

function openClipClean(text: string): string {
  return whitespaceClean(pyHtmlUnescape(pyHtmlUnescape(fixText(text)))).toLowerCase();
}

/** Printable ASCII (plus \t \n \f \r) without '&': text every clean-up step leaves alone but for case and spaces. */
function isPlainAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x20 ? c > 0x7e || c === 0x26 : c !== 0x09 && c !== 0x0a && c !== 0x0c && c !== 0x0d) return false;
  }
  return true;
}

function isAsciiLetter(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
}

/** Not space, letter or digit (inside printable ASCII). */
function isAsciiPunct(c: number): boolean {
  return c > 0x20 && !isAsciiLetter(c) && !(c >= 0x30 && c <= 0x39);
}

/** Length of the contraction ('s 't 're 've 'm 'll 'd, any case) starting at the apostrophe at `i`, or 0. */
function contractionLength(text: string, i: number): number {
  const a = text.charCodeAt(i + 1) | 0x20;
  if (a === 0x73 || a === 0x74 || a === 0x6d || a === 0x64) return 2; // s t m d
  const b = text.charCodeAt(i + 2) | 0x20;
  if ((a === 0x72 && b === 0x65) || (a === 0x76 && b === 0x65) || (a === 0x6c && b === 0x6c)) return 3; // re ve ll
  return 0;
}
