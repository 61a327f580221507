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
 * `offset` is added to every range (for text that is a slice of a larger document).
 */
export function attentionPieces(text: string, problems?: AttentionProblem[], offset = 0): AttentionPiece[] {
  const res: AttentionPiece[] = [];
  const round: number[] = [];
  const square: number[] = [];
  // A1111's multiply_range(p, m) multiplies every entry from p to the end, so `((((x))))`-like nesting
  // costs it depth x entries. Here the entries are kept as runs of neighbours that have been multiplied
  // by the same factors so far (their `factor`, a product started at 1, in A1111's order); a
  // multiplication touches runs, not entries, and neighbouring runs whose factors become equal merge.
  // An entry's weight is its starting weight (1, or -1 for BREAK) times its run's factor: the same double
  // as A1111's, as IEEE multiplication is exact under sign changes.
  const runStart: number[] = [];
  const runFactor: number[] = [];
  const multiplyRange = (from: number, multiplier: number): void => {
    if (from >= res.length) return;
    let k = runStart.length - 1;
    while (runStart[k]! > from) k--;
    if (runStart[k]! < from) {
      k++;
      runStart.splice(k, 0, from);
      runFactor.splice(k, 0, runFactor[k - 1]!);
    }
    for (let r = k; r < runFactor.length; r++) runFactor[r] = runFactor[r]! * multiplier;
    // Merge neighbours that now carry the same factor (from the run before the first one touched).
    let w = Math.max(0, k - 1);
    for (let r = w + 1; r < runFactor.length; r++) {
      if (Object.is(runFactor[r], runFactor[w])) continue;
      w++;
      runStart[w] = runStart[r]!;
      runFactor[w] = runFactor[r]!;
    }
    runStart.length = w + 1;
    runFactor.length = w + 1;
  };
  const push = (piece: AttentionPiece): void => {
    if (runFactor.length === 0 || !Object.is(runFactor[runFactor.length - 1], 1)) {
      runStart.push(res.length);
      runFactor.push(1);
    }
    res.push(piece);
  };
  const pushText = (chunk: string, at: number): void => {
    let cursor = 0;
    for (const [bStart, bEnd] of findBreaks(chunk)) {
      push({ text: chunk.slice(cursor, bStart), weight: 1, start: at + cursor, end: at + bStart, verbatim: true });
      push({ text: 'BREAK', weight: -1, start: at + bStart, end: at + bEnd, verbatim: false });
      cursor = bEnd;
    }
    push({ text: cursor === 0 ? chunk : chunk.slice(cursor), weight: 1, start: at + cursor, end: at + chunk.length, verbatim: true });
  };

  ATTENTION_TOKEN.lastIndex = 0;
  for (let m = ATTENTION_TOKEN.exec(text); m !== null; m = ATTENTION_TOKEN.exec(text)) {
    const token = m[0];
    const weight = m[1];
    const at = offset + m.index;
    if (token.charCodeAt(0) === 0x5c) {
      push({ text: token.slice(1), weight: 1, start: at, end: at + token.length, verbatim: false });
    } else if (token === '(') {
      round.push(res.length);
    } else if (token === '[') {
      square.push(res.length);
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
  for (let r = 0; r < runStart.length; r++) {
    const factor = runFactor[r]!;
    if (Object.is(factor, 1)) continue;
    const end = r + 1 < runStart.length ? runStart[r + 1]! : res.length;
    for (let p = runStart[r]!; p < end; p++) res[p]!.weight *= factor;
  }
  // Unclosed brackets are closed at the end: every round one first, then every square one, oldest first.
  closeAll(res, round, ROUND_MULTIPLIER);
  closeAll(res, square, SQUARE_MULTIPLIER);
  return res;
}

/**
 * A1111's `for pos in brackets: multiply_range(pos, multiplier)`, without its quadratic cost on
 * thousands of unclosed brackets: entry p is multiplied once for every position <= p, one multiplication
 * at a time as A1111 does; the chains of products are shared between entries of equal starting weight.
 */
function closeAll(res: AttentionPiece[], positions: number[], multiplier: number): void {
  if (positions.length === 0) return;
  const chains = new Map<number | string, number[]>();
  let k = 0;
  for (let p = 0; p < res.length; p++) {
    while (k < positions.length && positions[k]! <= p) k++;
    if (k === 0) continue;
    const start = res[p]!.weight;
    const key = Object.is(start, -0) ? '-0' : start;
    let chain = chains.get(key);
    if (!chain) chains.set(key, (chain = [start]));
    while (chain.length <= k) chain.push(chain[chain.length - 1]! * multiplier);
    res[p]!.weight = chain[k]!;
  }
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
