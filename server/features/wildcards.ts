// The wildcards of sd-dynamic-prompts in a prompt: completion after `__` (collection names with their
// option count and a sample, nested paths), hover on `__name__` (file, count, first options) and go to
// definition into the wildcard file's line or YAML/JSON key.

import { CompletionItemKind, MarkupKind, type CompletionList, type Hover, type Location, type Position } from 'vscode-languageserver';
import { pathToFileURL } from 'node:url';
import type { Analysis, ServiceContext } from '../../core';
import { lspRange } from './locate';

/** `__` and the name typed so far, right before the cursor. */
const TYPING = /(?:^|[^_])__([^\s_,(){}|<>[\]]*(?:_[^\s_,(){}|<>[\]]+)*)$/;
const WILDCARD = /__([^\s,(){}|<>[\]]+?)__/g;
const SAMPLE = 3;
const LIMIT = 200;

export function completeWildcard(analysis: Analysis, offset: number, before: string, ctx: ServiceContext): CompletionList | undefined {
  const catalog = ctx.wildcards;
  const m = TYPING.exec(before);
  if (!m || !catalog || catalog.isEmpty) return undefined;
  const typed = m[1]!;
  const { doc } = analysis;
  const start = offset - typed.length - 2;
  // Replace through a closing `__` already there.
  const end = doc.text.startsWith('__', offset) ? offset + 2 : offset;
  const range = lspRange(doc, start, end);
  const items = [];
  for (const name of catalog.allNames()) {
    if (!name.startsWith(typed) && !name.includes(`/${typed}`)) continue;
    if (items.length === LIMIT) return { isIncomplete: true, items };
    const values = catalog.values(name);
    items.push({
      label: `__${name}__`,
      kind: CompletionItemKind.Folder,
      detail: `${values.length} option${values.length === 1 ? '' : 's'}: ${values.slice(0, SAMPLE).join(', ')}${values.length > SAMPLE ? ', …' : ''}`,
      filterText: `__${name}`,
      textEdit: { range, newText: `__${name}__` },
    });
  }
  return { isIncomplete: false, items };
}

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
