// Document symbols (one per block, named by its first tags, with its sections inside) and folding ranges
// (one per block of more than one line).
import { FoldingRangeKind, SymbolKind, type DocumentSymbol, type FoldingRange } from 'vscode-languageserver';
import type { Analysis } from '../analysis';
import { lspRange } from './locate';

const NAME_TAGS = 3;
const NAME_LENGTH = 60;

export function documentSymbols(analysis: Analysis): DocumentSymbol[] {
  const { doc } = analysis;
  return doc.blocks.map((block, i) => {
    const firstTags = (block.prompt?.tags ?? []).slice(0, NAME_TAGS).map((t) => t.value);
    let name = firstTags.length > 0 ? firstTags.join(', ') : `Block ${i + 1}`;
    if (name.length > NAME_LENGTH) name = `${name.slice(0, NAME_LENGTH - 1)}…`;
    const end = contentEnd(analysis, block.node.start, block.node.end);
    const range = lspRange(doc, block.node.start, end);
    const children: DocumentSymbol[] = [];
    const child = (label: string, kind: SymbolKind, start: number, stop: number, detail?: string): void => {
      const r = lspRange(doc, start, contentEnd(analysis, start, stop));
      children.push({ name: label, kind, range: r, selectionRange: r, ...(detail ? { detail } : {}) });
    };
    if (block.prompt) child('Prompt', SymbolKind.String, block.prompt.node.start, block.prompt.node.end, `${block.prompt.tags.length} tags`);
    if (block.negative) child('Negative prompt', SymbolKind.String, block.negative.node.start, block.negative.node.end, `${block.negative.tags.length} tags`);
    if (block.settings) child('Settings', SymbolKind.Property, block.settings.node.start, block.settings.node.end);
    const firstLine = doc.lines.lineAt(block.node.start);
    const selection = lspRange(doc, block.node.start, Math.min(end, doc.lines.lineContentEnd(firstLine)));
    return { name, detail: `block ${i + 1}`, kind: SymbolKind.Namespace, range, selectionRange: selection, children };
  });
}

export function foldingRanges(analysis: Analysis): FoldingRange[] {
  const { doc } = analysis;
  const ranges: FoldingRange[] = [];
  for (const block of doc.blocks) {
    const startLine = doc.lines.lineAt(block.node.start);
    const endLine = doc.lines.lineAt(contentEnd(analysis, block.node.start, block.node.end));
    if (endLine > startLine) ranges.push({ startLine, endLine, kind: FoldingRangeKind.Region });
  }
  return ranges;
}

/** The end of the last non-whitespace character in [start, end). */
function contentEnd(analysis: Analysis, start: number, end: number): number {
  let e = end;
  while (e > start && /\s/.test(analysis.text[e - 1]!)) e--;
  return e;
}
