// Document formatting for `.sdprompt`: one space after each comma and no trailing whitespace — nothing
// else. Every edit only changes whitespace where CLIP's tokenizer splits anyway, so what A1111 encodes is
// unchanged (test/server/format.test.ts proves it with fast-check against core/attention).

import { parseDocument } from './parse';
import { leaves } from './parse/tree';

export interface OffsetEdit {
  start: number;
  end: number;
  newText: string;
}

// Only spaces and tabs: other white space (NBSP, ...) can be part of what the parser reads, e.g. `---\u00a0`
// is a prompt line, not a separator.
const INLINE_SPACE = /[ \t]/;

/** The edits that format `text`, in order, not overlapping. */
export function formatEdits(text: string): OffsetEdit[] {
  const edits: OffsetEdit[] = [];
  const doc = parseDocument(text);
  const commaEnds: number[] = [];
  for (const leaf of leaves(doc.root)) if (leaf.kind === 'comma' || leaf.kind === 'setting-comma') commaEnds.push(leaf.end);
  let c = 0;
  for (let line = 0; line < doc.lines.lineCount; line++) {
    const start = doc.lines.lineStarts[line]!;
    const end = doc.lines.lineContentEnd(line);
    let trimmed = end;
    while (trimmed > start && INLINE_SPACE.test(text[trimmed - 1]!)) trimmed--;
    for (; c < commaEnds.length && commaEnds[c]! <= end; c++) {
      const at = commaEnds[c]!;
      if (at >= trimmed) continue;
      let next = at;
      while (next < trimmed && INLINE_SPACE.test(text[next]!)) next++;
      if (next > at) {
        if (text.slice(at, next) !== ' ') edits.push({ start: at, end: next, newText: ' ' });
      } else if (/[\p{L}\p{N}]/u.test(text[at]!)) {
        // Only before a letter or digit: CLIP splits a comma from them either way, while `,.` is one token.
        edits.push({ start: at, end: at, newText: ' ' });
      }
    }
    if (trimmed < end) edits.push({ start: trimmed, end, newText: '' });
  }
  return edits;
}

export function applyEdits(text: string, edits: readonly OffsetEdit[]): string {
  let out = '';
  let at = 0;
  for (const edit of edits) {
    out += text.slice(at, edit.start) + edit.newText;
    at = edit.end;
  }
  return out + text.slice(at);
}

export function formatText(text: string): string {
  return applyEdits(text, formatEdits(text));
}
