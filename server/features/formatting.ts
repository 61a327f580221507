// Document formatting over LSP: core/format's edits as TextEdits.
import type { TextEdit } from 'vscode-languageserver';
import { formatEdits } from '../../core/format';
import type { Analysis } from '../analysis';
import { lspRange } from './locate';

export function formatting(analysis: Analysis): TextEdit[] {
  return formatEdits(analysis.text).map((e) => ({ range: lspRange(analysis.doc, e.start, e.end), newText: e.newText }));
}
