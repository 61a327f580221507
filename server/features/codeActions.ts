// Code actions over LSP: the service's quick fixes and refactorings (core/service/codeActions.ts) with LSP
// kinds, ranges and the diagnostic each fix fixes (without its fix data).
import { CodeActionKind, type CodeAction, type Range } from 'vscode-languageserver';
import type { Analysis, PromptCodeActionKind, PromptService } from '../../core';
import { toLspDiagnostic } from './diagnostics';
import { lspRange } from './locate';

const KIND: Record<PromptCodeActionKind, CodeActionKind> = {
  quickfix: CodeActionKind.QuickFix,
  'refactor.rewrite': CodeActionKind.RefactorRewrite,
  'refactor.inline': CodeActionKind.RefactorInline,
};

export function codeActions(service: PromptService, analysis: Analysis, range: Range, uri: string): CodeAction[] {
  const { doc } = analysis;
  return service.codeActions(analysis, doc.lines.offsetAt(range.start), doc.lines.offsetAt(range.end)).map((action) => {
    let diagnostics: CodeAction['diagnostics'];
    if (action.diagnostic) {
      const { data: _data, ...diagnostic } = toLspDiagnostic(analysis, action.diagnostic, uri);
      diagnostics = [diagnostic];
    }
    return {
      title: action.title,
      kind: KIND[action.kind],
      ...(diagnostics ? { diagnostics } : {}),
      ...(action.isPreferred !== undefined ? { isPreferred: action.isPreferred } : {}),
      edit: { changes: { [uri]: action.edits.map((e) => ({ range: lspRange(doc, e.start, e.end), newText: e.newText })) } },
    };
  });
}
