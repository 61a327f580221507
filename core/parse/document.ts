// Parses a whole `.sdprompt` document: blocks separated by `---` lines, `#` comment lines, and in each
// block A1111 infotext — prompt, `Negative prompt:`, settings line. Never throws; always lossless.

import { LineIndex } from '../text/lineIndex';
import { SEPARATOR_LINE } from './blocks';
import { parsePromptSection } from './prompt';
import { isSettingsLine, parseSettingsLine } from './settings';
import type { Block, Branch, Leaf, Range, SyntaxNode } from './tree';

export interface SdDocument {
  text: string;
  root: Branch;
  blocks: Block[];
  lines: LineIndex;
}

interface Line {
  start: number;
  /** End of the content, before '\n' or '\r\n'. */
  contentEnd: number;
  /** After the line ending (equals contentEnd on the last line). */
  end: number;
}

const COMMENT = /^[ \t]*#/;
const NEGATIVE = /^[ \t]*Negative prompt:/;
const BLANK = /^\s*$/;

/** A child of the document or of a block, before the tree is built: a node, or what builds one. */
type Part = Leaf | { readonly node: Branch };

/** A branch whose children are built from `parts` when first read (a section's tree is built only then). */
class LazyBranch implements Branch {
  private built?: SyntaxNode[];

  constructor(
    readonly kind: Branch['kind'],
    readonly start: number,
    readonly end: number,
    private readonly parts: Part[],
  ) {}

  get children(): SyntaxNode[] {
    return (this.built ??= this.parts.map((p) => ('node' in p ? p.node : p)));
  }
}

export function parseDocument(text: string): SdDocument {
  const parts: Part[] = [];
  const root = new LazyBranch('document', 0, text.length, parts);
  const lines = splitLines(text);
  if (text.charCodeAt(0) === 0xfeff) parts.push({ kind: 'whitespace', start: 0, end: 1 });

  const blocks: Block[] = [];
  let group: Line[] = [];
  const endGroup = (): void => {
    if (group.length > 0 && group[group.length - 1]!.end > group[0]!.start) {
      const block = parseBlock(text, group, blocks.length);
      blocks.push(block);
      parts.push(block);
    }
    group = [];
  };
  for (const line of lines) {
    const content = text.slice(line.start, line.contentEnd);
    if (SEPARATOR_LINE.test(content)) {
      endGroup();
      parts.push({ kind: 'separator', start: line.start, end: line.contentEnd });
      pushNewline(parts, line);
    } else {
      group.push(line);
    }
  }
  endGroup();
  return { text, root, blocks, lines: new LineIndex(text) };
}

function splitLines(text: string): Line[] {
  const lines: Line[] = [];
  let start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (;;) {
    const nl = text.indexOf('\n', start);
    if (nl < 0) {
      lines.push({ start, contentEnd: text.length, end: text.length });
      return lines;
    }
    const contentEnd = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
    lines.push({ start, contentEnd, end: nl + 1 });
    start = nl + 1;
  }
}

function pushNewline(parts: Part[], line: Line): void {
  if (line.end > line.contentEnd) parts.push({ kind: 'newline', start: line.contentEnd, end: line.end });
}

function parseBlock(text: string, lines: Line[], index: number): Block {
  const first = lines[0]!;
  const last = lines[lines.length - 1]!;
  const parts: Part[] = [];
  const block: Block = { index, node: new LazyBranch('block', first.start, last.end, parts) };
  const content = (line: Line): string => text.slice(line.start, line.contentEnd);
  const isComment = (line: Line): boolean => COMMENT.test(content(line));

  // The settings line is the last line with content, as in A1111's infotext reader — but never the
  // block's only line of content unless it starts with a settings key (A1111 would eat a one-line
  // prompt with three `a:b` pairs).
  let settingsAt = -1;
  const firstContent = lines.findIndex((l) => !isComment(l) && !BLANK.test(content(l)));
  for (let k = lines.length - 1; k >= 0; k--) {
    const line = lines[k]!;
    if (isComment(line) || BLANK.test(content(line))) continue;
    if (isSettingsLine(content(line), k > firstContent) && !NEGATIVE.test(content(line))) settingsAt = k;
    break;
  }
  const bodyEnd = settingsAt >= 0 ? settingsAt : lines.length;
  let negativeAt = -1;
  for (let k = 0; k < bodyEnd; k++) {
    if (NEGATIVE.test(content(lines[k]!))) {
      negativeAt = k;
      break;
    }
  }

  const sectionOf = (from: number, to: number): { range: Range; comments: Range[] } | undefined => {
    if (to <= from) return undefined;
    const range = { start: lines[from]!.start, end: lines[to - 1]!.contentEnd };
    const comments = lines.slice(from, to).filter(isComment).map((l) => ({ start: l.start, end: l.contentEnd }));
    return { range, comments };
  };

  // Trailing lines of a section that hold only comments or blanks stay in the section; the line ending
  // of a section's last line belongs to the block.
  const promptEnd = negativeAt >= 0 ? negativeAt : bodyEnd;
  const prompt = sectionOf(0, promptEnd);
  if (prompt) {
    block.prompt = parsePromptSection(text, 'prompt', prompt.range.start, prompt.range.end, prompt.comments);
    parts.push(block.prompt);
    pushNewline(parts, lines[promptEnd - 1]!);
  }
  if (negativeAt >= 0) {
    const negative = sectionOf(negativeAt, bodyEnd)!;
    const labelLine = content(lines[negativeAt]!);
    const labelEnd = lines[negativeAt]!.start + labelLine.indexOf('Negative prompt:') + 'Negative prompt:'.length;
    block.negative = parsePromptSection(text, 'negative', negative.range.start, negative.range.end, negative.comments, labelEnd);
    parts.push(block.negative);
    pushNewline(parts, lines[bodyEnd - 1]!);
  }
  if (settingsAt >= 0) {
    const line = lines[settingsAt]!;
    block.settings = parseSettingsLine(text, line.start, line.contentEnd);
    parts.push(block.settings);
    pushNewline(parts, line);
    for (const rest of lines.slice(settingsAt + 1)) {
      const kind: Leaf['kind'] = isComment(rest) ? 'comment' : 'whitespace';
      if (rest.contentEnd > rest.start) parts.push({ kind, start: rest.start, end: rest.contentEnd });
      pushNewline(parts, rest);
    }
  }
  return block;
}
