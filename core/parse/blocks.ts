// Where blocks start and end, without parsing them: blocks are the runs of lines between `---` lines.
// The parser, the server's per-block diagnostics and `tagsmith check`'s piecewise reading share this rule.

/** A block separator: a line that is `---`, trailing spaces or tabs allowed (its line ending excluded). */
export const SEPARATOR_LINE = /^---[ \t]*$/;

export interface BlockSlice {
  /** First line of the block (0-based), and its [start, end) offsets; `end` is where the next separator starts. */
  line: number;
  start: number;
  end: number;
}

/** Every non-empty block of a text, in order. */
export function splitBlocks(text: string): BlockSlice[] {
  return [...eachBlock(text)];
}

/** The blocks of splitBlocks one at a time, found as they are asked for (a caller working in slices pays for
 * the search of each block in the slice that reads it, not for the whole text up front). */
export function* eachBlock(text: string): Generator<BlockSlice, void, undefined> {
  let line = 0;
  let blockLine = 0;
  let blockStart = 0;
  let at = 0;
  for (;;) {
    const nl = text.indexOf('\n', at);
    const end = nl < 0 ? text.length : nl;
    if (isSeparatorLine(text, at, end)) {
      if (at > blockStart) yield { line: blockLine, start: blockStart, end: at };
      blockLine = line + 1;
      blockStart = nl < 0 ? text.length : nl + 1;
    }
    if (nl < 0) break;
    at = nl + 1;
    line++;
  }
  if (text.length > blockStart) yield { line: blockLine, start: blockStart, end: text.length };
}

/** SEPARATOR_LINE on the line [at, end) of `text` (a '\r' before its '\n' excluded), without slicing it. */
function isSeparatorLine(text: string, at: number, end: number): boolean {
  if (!text.startsWith('---', at)) return false;
  const stop = end > at && text.charCodeAt(end - 1) === 13 ? end - 1 : end;
  for (let k = at + 3; k < stop; k++) {
    const c = text.charCodeAt(k);
    if (c !== 0x20 && c !== 0x09) return false;
  }
  return true;
}
