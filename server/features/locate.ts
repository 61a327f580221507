// Offsets of the service's results as LSP ranges.
import type { Range as LspRange } from 'vscode-languageserver';
import type { SdDocument } from '../../core';

export { onCommentLine, placeAt, tagAt, type Place } from '../../core';

export function lspRange(doc: SdDocument, start: number, end: number): LspRange {
  return { start: doc.lines.positionAt(start), end: doc.lines.positionAt(end) };
}
