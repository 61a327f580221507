// Inlay hints: each prompt's token count at the end of its text (the service's token hints).
import { InlayHintKind, type InlayHint, type Range } from 'vscode-languageserver';
import type { Analysis, PromptService } from '../../core';

export function inlayHints(service: PromptService, analysis: Analysis, range: Range): InlayHint[] {
  const { lines } = analysis.doc;
  return service.tokenHints(analysis, lines.offsetAt(range.start), lines.offsetAt(range.end)).map((hint) => ({
    position: lines.positionAt(hint.offset),
    label: hint.label,
    kind: InlayHintKind.Parameter,
    paddingLeft: true,
    tooltip: hint.tooltip,
  }));
}
