// Semantic tokens over LSP: the service's tokens (core/service/semanticTokens.ts) in LSP's relative encoding.
import type { SemanticTokens, SemanticTokensLegend } from 'vscode-languageserver';
import { semanticTokenLegend, type Analysis, type PromptService } from '../../core';

export const legend: SemanticTokensLegend = { tokenTypes: [...semanticTokenLegend.tokenTypes], tokenModifiers: [...semanticTokenLegend.tokenModifiers] };

/** LSP's relative encoding: line delta, start delta, length, type, modifier bits; one line per token. */
export function semanticTokens(service: PromptService, analysis: Analysis): SemanticTokens {
  const { lines } = analysis.doc;
  const data: number[] = [];
  let prevLine = 0;
  let prevChar = 0;
  for (const token of service.semanticTokens(analysis)) {
    const start = lines.positionAt(token.start);
    const end = lines.positionAt(token.end);
    if (end.line !== start.line || token.end <= token.start) continue;
    const bits = token.modifiers.reduce((acc, m) => acc | (1 << semanticTokenLegend.tokenModifiers.indexOf(m)), 0);
    data.push(start.line - prevLine, start.line === prevLine ? start.character - prevChar : start.character, end.character - start.character, semanticTokenLegend.tokenTypes.indexOf(token.type), bits);
    prevLine = start.line;
    prevChar = start.character;
  }
  return { data };
}
