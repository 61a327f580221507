// The wildcards of sd-dynamic-prompts in a prompt: hover on `__name__` (file, count, first options) and go to
// definition into the wildcard file's line or YAML/JSON key. Completion after `__` is the service's
// (core/service/wildcardCompletion.ts).

import { MarkupKind, type Hover, type Location, type Position } from 'vscode-languageserver';
import { pathToFileURL } from 'node:url';
import type { Analysis, ServiceContext } from '../../core';
import { lspRange } from './locate';

const WILDCARD = /__([^\s,(){}|<>[\]]+?)__/g;

/** The `__name__` around `offset` on its line, with its range. */
function wildcardAt(analysis: Analysis, offset: number): { name: string; start: number; end: number } | undefined {
  const { doc } = analysis;
  const line = doc.lines.lineAt(offset);
  const lineStart = doc.lines.lineStarts[line]!;
  const text = doc.text.slice(lineStart, doc.lines.lineContentEnd(line));
  for (const m of text.matchAll(WILDCARD)) {
    const start = lineStart + m.index!;
    const end = start + m[0].length;
    if (start <= offset && offset <= end) return { name: m[1]!, start, end };
  }
  return undefined;
}

export function wildcardHover(analysis: Analysis, position: Position, ctx: ServiceContext): Hover | null {
  const catalog = ctx.wildcards;
  if (!catalog || catalog.isEmpty) return null;
  const offset = analysis.doc.lines.offsetAt(position);
  const found = wildcardAt(analysis, offset);
  if (!found) return null;
  const values = catalog.values(found.name);
  const where = catalog.location(found.name);
  const lines = [`**__${found.name}__** — Dynamic Prompts wildcard`];
  if (values.length === 0) {
    lines.push('No wildcard file defines it: Dynamic Prompts leaves it as written.');
  } else {
    lines.push(`${values.length} option${values.length === 1 ? '' : 's'}${where ? ` from \`${where.file}\`${where.line > 0 ? ` line ${where.line + 1}` : ''}` : ''}:`);
    lines.push(values.slice(0, 8).map((v) => `- ${v.replace(/[\\`*_[\]<>]/g, '\\$&')}`).join('\n') + (values.length > 8 ? `\n- … ${values.length - 8} more` : ''));
  }
  return { contents: { kind: MarkupKind.Markdown, value: lines.join('\n\n') }, range: lspRange(analysis.doc, found.start, found.end) };
}

export function wildcardDefinition(analysis: Analysis, position: Position, ctx: ServiceContext): Location | null {
  const found = wildcardAt(analysis, analysis.doc.lines.offsetAt(position));
  const where = found ? ctx.wildcards?.location(found.name) : undefined;
  if (!where) return null;
  return { uri: pathToFileURL(where.file).toString(), range: { start: { line: where.line, character: 0 }, end: { line: where.line, character: 0 } } };
}
