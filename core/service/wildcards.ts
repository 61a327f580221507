// The wildcards of sd-dynamic-prompts in a prompt: hover on `__name__` (file, count, first options) and go to
// definition into the wildcard file's line or YAML/JSON key. Completion after `__` is wildcardCompletion.ts.
import type { Analysis, ServiceContext } from './analysis';
import type { PromptHover } from './hover';

const WILDCARD = /__([^\s,(){}|<>[\]]+?)__/g;

/** Where a definition lies: a file of the catalog (the path it was given) and a 0-based line and character. */
export interface PromptDefinition {
  file: string;
  line: number;
  character: number;
}

/** The `__name__` around `offset` on its line, with its range. */
export function wildcardAt(analysis: Analysis, offset: number): { name: string; start: number; end: number } | undefined {
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

/** The hover of the wildcard at `offset`: where it is defined and its first options; undefined off a wildcard. */
export function wildcardHover(analysis: Analysis, offset: number, ctx: ServiceContext): PromptHover | undefined {
  const catalog = ctx.wildcards;
  if (!catalog || catalog.isEmpty) return undefined;
  const found = wildcardAt(analysis, offset);
  if (!found) return undefined;
  const values = catalog.values(found.name);
  const where = catalog.location(found.name);
  const lines = [`**__${found.name}__** — Dynamic Prompts wildcard`];
  if (values.length === 0) {
    lines.push('No wildcard file defines it: Dynamic Prompts leaves it as written.');
  } else {
    lines.push(`${values.length} option${values.length === 1 ? '' : 's'}${where ? ` from \`${where.file}\`${where.line > 0 ? ` line ${where.line + 1}` : ''}` : ''}:`);
    lines.push(values.slice(0, 8).map((v) => `- ${v.replace(/[\\`*_[\]<>]/g, '\\$&')}`).join('\n') + (values.length > 8 ? `\n- … ${values.length - 8} more` : ''));
  }
  return { start: found.start, end: found.end, markdown: lines.join('\n\n') };
}

/** The definition of the wildcard at `offset`: its file and line; undefined off a wildcard or for a glob. */
export function wildcardDefinition(analysis: Analysis, offset: number, ctx: ServiceContext): PromptDefinition | undefined {
  const found = wildcardAt(analysis, offset);
  const where = found ? ctx.wildcards?.location(found.name) : undefined;
  return where ? { file: where.file, line: where.line, character: 0 } : undefined;
}
