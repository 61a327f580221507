// Document formatting over LSP: the service's edits as TextEdits.
import type { TextEdit } from 'vscode-languageserver';
import type { Analysis, PromptService } from '../../core';
import { lspRange } from './locate';

export function formatting(service: PromptService, analysis: Analysis): TextEdit[] {
  return service.format(analysis).map((e) => ({ range: lspRange(analysis.doc, e.start, e.end), newText: e.newText }));
}
