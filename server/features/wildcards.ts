// Go to definition over LSP: the service's definition (a `__name__` into its wildcard file's line or
// YAML/JSON key, core/service/wildcards.ts) as a file URI. Wildcard hover is part of the service's hover.
import { pathToFileURL } from 'node:url';
import type { Location, Position } from 'vscode-languageserver';
import type { Analysis, PromptService } from '../../core';

export function definition(service: PromptService, analysis: Analysis, position: Position): Location | null {
  const where = service.definition(analysis, analysis.doc.lines.offsetAt(position));
  if (!where) return null;
  const at = { line: where.line, character: where.character };
  return { uri: pathToFileURL(where.file).toString(), range: { start: at, end: at } };
}
