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
  const blocks: BlockSlice[] = [];
  let line = 0;
  let blockLine = 0;
  let blockStart = 0;
  let at = 0;
  for (;;) {
    const nl = text.indexOf('\n', at);
    const end = nl < 0 ? text.length : nl;
    const content = text.charCodeAt(end - 1) === 13 && end > at ? text.slice(at, end - 1) : text.slice(at, end);
    if (content.startsWith('---') && SEPARATOR_LINE.test(content)) {
      if (at > blockStart) blocks.push({ line: blockLine, start: blockStart, end: at });
      blockLine = line + 1;
      blockStart = nl < 0 ? text.length : nl + 1;
    }
    if (nl < 0) break;
    at = nl + 1;
    line++;
  }
  if (text.length > blockStart) blocks.push({ line: blockLine, start: blockStart, end: text.length });
  return blocks;
}
