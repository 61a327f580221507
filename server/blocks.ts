// The block around a line, found without parsing the whole document: blocks are separated by `---` lines
// (core/parse's rule), so completion can parse just the block being typed in, however long the file.

import type { TextDocument } from 'vscode-languageserver-textdocument';
import { SEPARATOR_LINE, type BlockSlice } from '../core';

/** The block holding `line`, or undefined when that line is a separator. */
export function blockAround(document: TextDocument, line: number): BlockSlice | undefined {
  const lineText = (l: number): string => document.getText({ start: { line: l, character: 0 }, end: { line: l + 1, character: 0 } }).replace(/\r?\n$/, '');
  const last = document.lineCount - 1;
  const at = Math.max(0, Math.min(line, last));
  if (SEPARATOR_LINE.test(lineText(at))) return undefined;
  let first = at;
  while (first > 0 && !SEPARATOR_LINE.test(lineText(first - 1))) first--;
  let end = at;
  while (end < last && !SEPARATOR_LINE.test(lineText(end + 1))) end++;
  return {
    line: first,
    start: document.offsetAt({ line: first, character: 0 }),
    end: end < last ? document.offsetAt({ line: end + 1, character: 0 }) : document.getText().length,
  };
}
