// The block around a line, found without parsing the whole document: blocks are separated by `---` lines
// (core/parse's rule), so completion can parse just the block being typed in, however long the file.

import type { TextDocument } from 'vscode-languageserver-textdocument';

const SEPARATOR = /^---[ \t]*$/;

export interface BlockSlice {
  /** First line of the block, and the offset where it starts. */
  line: number;
  start: number;
  end: number;
}

/** The block holding `line`, or undefined when that line is a separator. */
export function blockAround(document: TextDocument, line: number): BlockSlice | undefined {
  const lineText = (l: number): string => document.getText({ start: { line: l, character: 0 }, end: { line: l + 1, character: 0 } }).replace(/\r?\n$/, '');
  const last = document.lineCount - 1;
  const at = Math.max(0, Math.min(line, last));
  if (SEPARATOR.test(lineText(at))) return undefined;
  let first = at;
  while (first > 0 && !SEPARATOR.test(lineText(first - 1))) first--;
  let end = at;
  while (end < last && !SEPARATOR.test(lineText(end + 1))) end++;
  return {
    line: first,
    start: document.offsetAt({ line: first, character: 0 }),
    end: end < last ? document.offsetAt({ line: end + 1, character: 0 }) : document.getText().length,
  };
}

/** Every block of a text, in order, as core/parse splits them (the lines between `---` lines). */
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
    if (content.startsWith('---') && SEPARATOR.test(content)) {
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
