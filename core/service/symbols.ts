// Document symbols (one per block, named by its first tags, with its sections inside) and folding ranges
// (one per block of more than one line), in source offsets.
import type { Analysis } from './analysis';

const NAME_TAGS = 3;
const NAME_LENGTH = 60;

export interface PromptSymbol {
  name: string;
  detail?: string;
  kind: 'block' | 'prompt' | 'negative' | 'settings';
  start: number;
  end: number;
  /** The part to select when the symbol is picked (a block's first line). */
  selectionStart: number;
  selectionEnd: number;
  children?: PromptSymbol[];
}

export function documentSymbols(analysis: Analysis): PromptSymbol[] {
  const { doc } = analysis;
  return doc.blocks.map((block, i) => {
    const firstTags = (block.prompt?.tags ?? []).slice(0, NAME_TAGS).map((t) => t.value);
    let name = firstTags.length > 0 ? firstTags.join(', ') : `Block ${i + 1}`;
    if (name.length > NAME_LENGTH) name = `${name.slice(0, NAME_LENGTH - 1)}…`;
    const end = contentEnd(analysis.text, block.node.start, block.node.end);
    const children: PromptSymbol[] = [];
    const child = (label: string, kind: PromptSymbol['kind'], start: number, stop: number, detail?: string): void => {
      const e = contentEnd(analysis.text, start, stop);
      children.push({ name: label, kind, start, end: e, selectionStart: start, selectionEnd: e, ...(detail ? { detail } : {}) });
    };
    if (block.prompt) child('Prompt', 'prompt', block.prompt.start, block.prompt.end, `${block.prompt.tags.length} tags`);
    if (block.negative) child('Negative prompt', 'negative', block.negative.start, block.negative.end, `${block.negative.tags.length} tags`);
    if (block.settings) child('Settings', 'settings', block.settings.start, block.settings.end);
    const firstLineEnd = doc.lines.lineContentEnd(doc.lines.lineAt(block.node.start));
    return { name, detail: `block ${i + 1}`, kind: 'block', start: block.node.start, end, selectionStart: block.node.start, selectionEnd: Math.min(end, firstLineEnd), children };
  });
}

/** Line ranges (0-based, inclusive) of the blocks that span more than one line. */
export function foldingRanges(analysis: Analysis): Array<{ startLine: number; endLine: number }> {
  const { doc } = analysis;
  const ranges: Array<{ startLine: number; endLine: number }> = [];
  for (const block of doc.blocks) {
    const startLine = doc.lines.lineAt(block.node.start);
    const endLine = doc.lines.lineAt(contentEnd(analysis.text, block.node.start, block.node.end));
    if (endLine > startLine) ranges.push({ startLine, endLine });
  }
  return ranges;
}

/** The end of the last non-whitespace character in [start, end). */
function contentEnd(text: string, start: number, end: number): number {
  let e = end;
  while (e > start && /\s/.test(text[e - 1]!)) e--;
  return e;
}
