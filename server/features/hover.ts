// Hover over LSP: the service's hover (core/service/hover.ts) as markdown with an LSP range.
import { MarkupKind, type Hover, type Position } from 'vscode-languageserver';
import type { Analysis, PromptService } from '../../core';
import { lspRange } from './locate';

export function hover(service: PromptService, analysis: Analysis, position: Position): Hover | null {
  const answer = service.hover(analysis, analysis.doc.lines.offsetAt(position));
  if (!answer) return null;
  return { contents: { kind: MarkupKind.Markdown, value: answer.markdown }, range: lspRange(analysis.doc, answer.start, answer.end) };
}
