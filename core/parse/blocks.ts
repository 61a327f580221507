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

/** SEPARATOR_LINE on the line [at, end) of `text` (a '\r' before its '\n' excluded), sliced only when it starts
 * with '---' (a slice per line cost more than the rest of the split). */
function isSeparatorLine(text: string, at: number, end: number): boolean {
  if (!text.startsWith('---', at)) return false;
  return SEPARATOR_LINE.test(text.charCodeAt(end - 1) === 13 && end > at ? text.slice(at, end - 1) : text.slice(at, end));
}
