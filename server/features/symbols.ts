// Document symbols and folding ranges over LSP: the service's, with LSP ranges and kinds.
import { FoldingRangeKind, SymbolKind, type DocumentSymbol, type FoldingRange } from 'vscode-languageserver';
import type { Analysis, PromptService, PromptSymbol } from '../../core';
import { lspRange } from './locate';

const KIND: Record<PromptSymbol['kind'], SymbolKind> = {
  block: SymbolKind.Namespace,
  prompt: SymbolKind.String,
  negative: SymbolKind.String,
  settings: SymbolKind.Property,
};

export function documentSymbols(service: PromptService, analysis: Analysis): DocumentSymbol[] {
  const toLsp = (symbol: PromptSymbol): DocumentSymbol => ({
    name: symbol.name,
    kind: KIND[symbol.kind],
    range: lspRange(analysis.doc, symbol.start, symbol.end),
    selectionRange: lspRange(analysis.doc, symbol.selectionStart, symbol.selectionEnd),
    ...(symbol.detail ? { detail: symbol.detail } : {}),
    ...(symbol.children ? { children: symbol.children.map(toLsp) } : {}),
  });
  return service.symbols(analysis).map(toLsp);
}

export function foldingRanges(service: PromptService, analysis: Analysis): FoldingRange[] {
  return service.foldingRanges(analysis).map((r) => ({ ...r, kind: FoldingRangeKind.Region }));
}
