// A1111's `parse_prompt_attention` (modules/prompt_parser.py, master): prompt text -> [text, weight] runs.
// Mirrored to the bit: the same token pattern under Python's `re` semantics, the same order of
// multiplications, the same merging of equal neighbours. Every piece also keeps its source range so the
// editor can map weights and tokens back to the text.

import { PY_DIGIT, PY_SPACE, isPySpaceCode, isPyWordChar, pyFloat } from './pyre';

export type AttentionPair = [text: string, weight: number];

/** One entry of A1111's `res` list before merging, with the source range it came from. */
export interface AttentionPiece {
  text: string;
  weight: number;
  /** Offsets into the parsed text (UTF-16 code units), end exclusive. */
  start: number;
  end: number;
  /** `text` is a contiguous slice of the source starting at `start` (false for escapes and BREAK). */
  verbatim: boolean;
}

/** A merged run: A1111's output pair, plus the pieces it was merged from. */
export interface WeightedRun {
  text: string;
  weight: number;
  pieces: AttentionPiece[];
}

/** Something A1111 would crash on or silently misread; `start`/`end` are source offsets. */
export interface AttentionProblem {
  kind: 'malformed-weight';
  start: number;
  end: number;
  text: string;
}

export const ROUND_MULTIPLIER = 1.1;
export const SQUARE_MULTIPLIER = 1 / 1.1;

// The alternatives of A1111's re_attention, in its order; group 1 is the weight.
const ATTENTION_TOKEN = new RegExp(
  [
    String.raw`\\\(`,
    String.raw`\\\)`,
    String.raw`\\\[`,
    String.raw`\\\]`,
    String.raw`\\\\`,
    String.raw`\\`,
    String.raw`\(`,
    String.raw`\[`,
    `:[${PY_SPACE}]*([+-]?[.${PY_DIGIT}]+)[${PY_SPACE}]*\\)`,
    String.raw`\)`,
    String.raw`\]`,
    String.raw`[^\\()\[\]:]+`,
    ':',
  ].join('|'),
  'gsu',
);

/** Finds A1111's `\s*\bBREAK\b\s*` matches in `text` (Python semantics), as [start, end) pairs. */
export function findBreaks(text: string): Array<[number, number]> {
  const found: Array<[number, number]> = [];
  let searchFrom = 0;
  let lastEnd = 0;
  for (;;) {
    const at = text.indexOf('BREAK', searchFrom);
    if (at < 0) break;
    if (!isBreakWordAt(text, at)) {
      searchFrom = at + 1;
      continue;
    }
    let start = at;
    while (start > lastEnd && isPySpaceCode(text.charCodeAt(start - 1))) start--;
    let end = at + 5;
    while (end < text.length && isPySpaceCode(text.charCodeAt(end))) end++;
    found.push([start, end]);
    lastEnd = end;
    searchFrom = end;
  }
  return found;
}

/** True when the `BREAK` at `at` stands as a word of its own: Python's `\bBREAK\b`, which looks at whole
 * code points (a letter outside the BMP is one character, not two surrogates). */
export function isBreakWordAt(text: string, at: number): boolean {
  const before = at > 0 ? charBefore(text, at) : undefined;
  return !isPyWordChar(before) && !isPyWordChar(charAt(text, at + 5));
}

function charBefore(text: string, index: number): string {
  const code = text.charCodeAt(index - 1);
  if (code >= 0xdc00 && code <= 0xdfff && index >= 2) {
    const high = text.charCodeAt(index - 2);
    if (high >= 0xd800 && high <= 0xdbff) return text.slice(index - 2, index);
  }
  return text[index - 1]!;
}

function charAt(text: string, index: number): string | undefined {
  if (index >= text.length) return undefined;
  const cp = text.codePointAt(index)!;
  return String.fromCodePoint(cp);
}

/**
 * A1111's algorithm, before the final merge: the `res` list with source ranges.
 * `offset` is added to every range (for text that is a slice of a larger document). Without `withText`, every
 * piece's text is '' (for a reader of weights and ranges only: no slice per piece).
 */
export function attentionPieces(text: string, problems?: AttentionProblem[], offset = 0, withText = true): AttentionPiece[] {
  const res: AttentionPiece[] = [];
  const round: number[] = [];
  const square: number[] = [];
  // A1111's multiply_range(p, m) multiplies every entry from p to the end: nesting n deep costs it n x
  // entries. Factors (below) keeps the same products, in the same order, a run of entries at a time.
  const factors = new Factors();
  // Where every closing multiplies by the same number (only [ ] in the text, or only ( ) and no weight), an entry's
  // factor is that number multiplied in once per closing that covered it: closings counted in a difference
  // array, O(1) each. Factors' segments do not stay few for every nesting (`[a:[a:[a:x:0.5]:0.5]:0.5]` deep).
  const uniform = !text.includes('(') ? SQUARE_MULTIPLIER : !text.includes('[') && !text.includes(':') ? ROUND_MULTIPLIER : undefined;
  const covered: number[] = [];
  const multiplyRange = (from: number, multiplier: number): void => {
    if (from >= res.length) return;
    if (uniform === undefined) {
      factors.multiply(from, multiplier);
      return;
    }
    covered[from] = (covered[from] ?? 0) + 1;
    covered[res.length] = (covered[res.length] ?? 0) - 1;
  };
  const push = (piece: AttentionPiece): void => {
    if (uniform === undefined) factors.push(res.length);
    res.push(piece);
  };
  const pushText = (chunk: string, at: number): void => {
    let cursor = 0;
    if (chunk.includes('BREAK')) for (const [bStart, bEnd] of findBreaks(chunk)) {
      push({ text: withText ? chunk.slice(cursor, bStart) : '', weight: 1, start: at + cursor, end: at + bStart, verbatim: true });
      push({ text: 'BREAK', weight: -1, start: at + bStart, end: at + bEnd, verbatim: false });
      cursor = bEnd;
    }
    push({ text: !withText ? '' : cursor === 0 ? chunk : chunk.slice(cursor), weight: 1, start: at + cursor, end: at + chunk.length, verbatim: true });
  };

  ATTENTION_TOKEN.lastIndex = 0;
  for (let m = ATTENTION_TOKEN.exec(text); m !== null; m = ATTENTION_TOKEN.exec(text)) {
    const token = m[0];
    const weight = m[1];
    const at = offset + m.index;
    if (token.charCodeAt(0) === 0x5c) {
      push({ text: withText ? token.slice(1) : '', weight: 1, start: at, end: at + token.length, verbatim: false });
    } else if (token === '(') {
      round.push(res.length);
      factors.boundary();
    } else if (token === '[') {
      square.push(res.length);
      factors.boundary();
    } else if (weight !== undefined && round.length > 0) {
      const value = pyFloat(weight);
      if (value === undefined) {
        // A1111 raises ValueError here and the render fails; we report it and treat the group as `(x)`.
        problems?.push({ kind: 'malformed-weight', start: at, end: at + token.length, text: token });
        multiplyRange(round.pop()!, ROUND_MULTIPLIER);
      } else {
        multiplyRange(round.pop()!, value);
      }
    } else if (token === ')' && round.length > 0) {
      multiplyRange(round.pop()!, ROUND_MULTIPLIER);
    } else if (token === ']' && square.length > 0) {
      multiplyRange(square.pop()!, SQUARE_MULTIPLIER);
    } else {
      pushText(token, at);
    }
  }
  if (uniform === undefined) factors.apply(res);
  else applyCovered(res, covered, uniform);
  // Unclosed brackets are closed at the end: every round one first, then every square one, oldest first.
  closeAll(res, round, ROUND_MULTIPLIER);
  closeAll(res, square, SQUARE_MULTIPLIER);
  return res;
}

/**
 * The factors A1111's multiply_range calls give the entries of its list, kept without touching every entry.
 * Entries form runs (a run starts at every bracket opening, so multiply_range always starts at a run);
 * consecutive runs form segments of two kinds, each changed in O(1) by a multiplication:
 *  - uniform: every run has the factor `b` (`m` is NaN);
 *  - progression: run t has had `i + t` multiplications by `m` after reaching `b` — A1111's products
 *    (((b * m) * m) ...), computed once per (b, m) in a shared chain. Deep nesting with text at every level
 *    (`(a (a (a x)))`) is one progression.
 * A multiplication by another `m` than a long progression's splits it into runs (rebased on their exact
 * values), and neighbouring segments merge again where they can. An entry's weight is its starting weight
 * (1, or -1 for BREAK) times its run's factor: the same double as A1111's, since IEEE products are exact
 * under sign changes. Cost: the number of segments after the multiplication's start, not of entries.
 */
class Factors {
  private readonly runStart: number[] = [];
  private segRun: number[] = [];
  private segLen: number[] = [];
  private segB: number[] = [];
  private segM: number[] = [];
  private segI: number[] = [];
  private atBoundary = true;
  private lastFresh = false;
  private readonly chains = new Map<number | string, Map<number, number[]>>();

  boundary(): void {
    this.atBoundary = true;
  }

  /** An entry at index `piece` is appended with factor 1. */
  push(piece: number): void {
    if (!this.atBoundary && this.lastFresh) return;
    this.atBoundary = false;
    this.lastFresh = true;
    const run = this.runStart.length;
    this.runStart.push(piece);
    const last = this.segB.length - 1;
    if (last >= 0 && Number.isNaN(this.segM[last]) && Object.is(this.segB[last], 1)) {
      this.segLen[last]!++;
      return;
    }
    this.segRun.push(run);
    this.segLen.push(1);
    this.segB.push(1);
    this.segM.push(NaN);
    this.segI.push(0);
  }

  private value(b: number, m: number, i: number): number {
    if (Number.isNaN(m) || i === 0) return b;
    const key = Object.is(b, -0) ? '-0' : b;
    let byM = this.chains.get(key);
    if (!byM) this.chains.set(key, (byM = new Map()));
    let chain = byM.get(m);
    if (!chain) byM.set(m, (chain = [b]));
    while (chain.length <= i) chain.push(chain[chain.length - 1]! * m);
    return chain[i]!;
  }

  /** multiply_range(piece, multiplier); `piece` is where a bracket opened, so a run starts there. */
  multiply(piece: number, multiplier: number): void {
    const { runStart, segRun, segLen, segB, segM, segI } = this;
    // The run starting at `piece`: runs start at increasing entries.
    let lo = 0;
    let hi = runStart.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (runStart[mid]! <= piece) lo = mid;
      else hi = mid - 1;
    }
    const run = lo;
    let k = segRun.length - 1;
    while (segRun[k]! > run) k--;
    if (segRun[k]! < run) {
      const before = run - segRun[k]!;
      const uniform = Number.isNaN(segM[k]!);
      this.insert(k + 1, run, segLen[k]! - before, segB[k]!, segM[k]!, uniform ? 0 : segI[k]! + before);
      segLen[k] = before;
      k++;
    }
    // The segments from k on are rebuilt (a split progression becomes several), then put back.
    const tail = { run: [] as number[], len: [] as number[], b: [] as number[], m: [] as number[], i: [] as number[] };
    const add = (run: number, len: number, b: number, m: number, i: number): void => {
      tail.run.push(run);
      tail.len.push(len);
      tail.b.push(b);
      tail.m.push(m);
      tail.i.push(i);
    };
    for (let j = k; j < segRun.length; j++) {
      const m = segM[j]!;
      const len = segLen[j]!;
      const b = segB[j]!;
      const i = segI[j]!;
      if (Number.isNaN(m)) {
        if (len === 1) add(segRun[j]!, 1, b, multiplier, 1);
        else add(segRun[j]!, len, b * multiplier, NaN, 0);
      } else if (Object.is(m, multiplier)) {
        add(segRun[j]!, len, b, m, i + 1);
      } else {
        // Another multiplier: each run rebased on its exact value, then multiplied once.
        for (let t = 0; t < len; t++) add(segRun[j]! + t, 1, this.value(b, m, i + t), multiplier, 1);
      }
    }
    segRun.length = segLen.length = segB.length = segM.length = segI.length = k;
    for (let t = 0; t < tail.run.length; t++) {
      segRun.push(tail.run[t]!);
      segLen.push(tail.len[t]!);
      segB.push(tail.b[t]!);
      segM.push(tail.m[t]!);
      segI.push(tail.i[t]!);
    }
    this.mergeFrom(Math.max(0, k - 1));
    this.lastFresh = false;
  }

  private insert(at: number, run: number, len: number, b: number, m: number, i: number): void {
    this.segRun.splice(at, 0, run);
    this.segLen.splice(at, 0, len);
    this.segB.splice(at, 0, b);
    this.segM.splice(at, 0, m);
    this.segI.splice(at, 0, i);
  }

  private mergeFrom(from: number): void {
    const { segRun, segLen, segB, segM, segI } = this;
    let w = from;
    for (let r = from + 1; r < segRun.length; r++) {
      const uniformW = Number.isNaN(segM[w]!) || segLen[w] === 1;
      const uniformR = Number.isNaN(segM[r]!) || segLen[r] === 1;
      const firstW = this.value(segB[w]!, segM[w]!, segI[w]!);
      if (uniformW && uniformR && Object.is(firstW, this.value(segB[r]!, segM[r]!, segI[r]!))) {
        segB[w] = firstW;
        segM[w] = NaN;
        segI[w] = 0;
        segLen[w] = segLen[w]! + segLen[r]!;
        continue;
      }
      if (!Number.isNaN(segM[w]!) && Object.is(segM[w], segM[r]) && Object.is(segB[w], segB[r]) && segI[r] === segI[w]! + segLen[w]!) {
        segLen[w] = segLen[w]! + segLen[r]!;
        continue;
      }
      w++;
      segRun[w] = segRun[r]!;
      segLen[w] = segLen[r]!;
      segB[w] = segB[r]!;
      segM[w] = segM[r]!;
      segI[w] = segI[r]!;
    }
    const n = w + 1;
    segRun.length = n;
    segLen.length = n;
    segB.length = n;
    segM.length = n;
    segI.length = n;
  }

  /** Multiplies each entry's weight by its run's factor. */
  apply(res: AttentionPiece[]): void {
    const { runStart, segRun, segLen, segB, segM, segI } = this;
    for (let j = 0; j < segRun.length; j++) {
      for (let t = 0; t < segLen[j]!; t++) {
        const run = segRun[j]! + t;
        const factor = this.value(segB[j]!, segM[j]!, segI[j]! + t);
        if (Object.is(factor, 1)) continue;
        const end = run + 1 < runStart.length ? runStart[run + 1]! : res.length;
        for (let p = runStart[run]!; p < end; p++) res[p]!.weight *= factor;
      }
    }
  }
}

/**
 * Entry p multiplied by `multiplier` once for each closing that covered it (the prefix sum of `covered`), one
 * multiplication at a time as A1111 does.
 */
function applyCovered(res: AttentionPiece[], covered: number[], multiplier: number): void {
  const product = repeatedProducts(multiplier);
  let k = 0;
  for (let p = 0; p < res.length; p++) {
    k += covered[p] ?? 0;
    if (k > 0) res[p]!.weight = product(res[p]!.weight, k);
  }
}

/**
 * A1111's `for pos in brackets: multiply_range(pos, multiplier)`, without its quadratic cost on
 * thousands of unclosed brackets: entry p is multiplied once for every position <= p, one multiplication
 * at a time as A1111 does.
 */
function closeAll(res: AttentionPiece[], positions: number[], multiplier: number): void {
  if (positions.length === 0) return;
  const product = repeatedProducts(multiplier);
  let k = 0;
  for (let p = 0; p < res.length; p++) {
    while (k < positions.length && positions[k]! <= p) k++;
    if (k > 0) res[p]!.weight = product(res[p]!.weight, k);
  }
}

/** `start` multiplied by `multiplier` k times, one product after another (A1111's repeated `*=`): the chains of
 * products shared between entries of equal starting weight. */
function repeatedProducts(multiplier: number): (start: number, k: number) => number {
  const chains = new Map<number | string, number[]>();
  return (start, k) => {
    const key = Object.is(start, -0) ? '-0' : start;
    let chain = chains.get(key);
    if (!chain) chains.set(key, (chain = [start]));
    while (chain.length <= k) chain.push(chain[chain.length - 1]! * multiplier);
    return chain[k]!;
  };
}

/** Merges runs of exactly equal weight, as A1111 does; empty input gives `[["", 1]]`. */
export function mergeRuns(pieces: AttentionPiece[]): WeightedRun[] {
  if (pieces.length === 0) return [{ text: '', weight: 1, pieces: [] }];
  const runs: WeightedRun[] = [];
  for (const piece of pieces) {
    const last = runs[runs.length - 1];
    if (last && last.weight === piece.weight) {
      last.text += piece.text;
      last.pieces.push(piece);
    } else {
      runs.push({ text: piece.text, weight: piece.weight, pieces: [piece] });
    }
  }
  return runs;
}

/** A1111's weighted runs with their source pieces. */
export function weightedRuns(text: string, problems?: AttentionProblem[]): WeightedRun[] {
  return mergeRuns(attentionPieces(text, problems));
}

/** Exactly A1111's `parse_prompt_attention(text)`. */
export function parsePromptAttention(text: string): AttentionPair[] {
  return weightedRuns(text).map((run) => [run.text, run.weight]);
}

/** True for the pair A1111 turns into a chunk break. A BREAK inside brackets has been multiplied
 * away from -1 and is, like A1111, plain text from then on. */
export function isBreak(text: string, weight: number): boolean {
  return text === 'BREAK' && weight === -1;
}
