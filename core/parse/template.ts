// The sd-dynamic-prompts layer of a prompt section, for the tree: where the template's own characters are
// ({ | } of variants, N$$ quantifiers, 0.5:: weights, samplers, wildcards, variables, wraps), read from
// core/template/parse.ts. Only a section that uses template syntax and whose template parses gets marks; a
// broken template stays A1111 text (checks/templates.ts reports it). Between the marks, A1111 syntax is
// parsed as anywhere else (core/parse/prompt.ts).

import { parseTemplate, type TemplateNode } from '../template/parse';
import type { LeafKind, TemplateVariant } from './tree';

/** One of the template's own leaves, in document offsets. */
export interface TemplateMark {
  kind: LeafKind;
  start: number;
  end: number;
  /** For a variant's `{`, `|` and `}`: the variant (an index into `variants`) and which of the three. */
  variant?: number;
  role?: 'open' | 'bar' | 'close';
}

export interface TemplateMarks {
  node: TemplateNode;
  /** Sorted by start, not overlapping. */
  marks: TemplateMark[];
  variants: TemplateVariant[];
}

const isSpaceOrNewline = (c: number): boolean => c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11;

/** `{`, `__` or `${` (and so `%{`): what sd-dynamic-prompts syntax needs. The one test for it. */
export function usesTemplateSyntax(text: string): boolean {
  return text.includes('{') || text.includes('__');
}

/**
 * The marks of the template `source` (a section's text from its content start, `base` in the document), or
 * undefined where it uses no template syntax or does not parse.
 */
export function templateMarks(source: string, base: number): TemplateMarks | undefined {
  if (!usesTemplateSyntax(source)) return undefined;
  const parsed = parseTemplate(source);
  if (!parsed.ok) return undefined;
  const marks: TemplateMark[] = [];
  const variants: TemplateVariant[] = [];
  // What the template reads as text (relative offsets); what neither it nor a mark covers is white space or
  // a comment the parser skipped.
  const covered: Array<{ start: number; end: number }> = [];
  const mark = (kind: LeafKind, start: number, end: number, variant?: number, role?: TemplateMark['role']): void => {
    if (end <= start) return;
    const m: TemplateMark = { kind, start: base + start, end: base + end };
    if (variant !== undefined) {
      m.variant = variant;
      m.role = role;
    }
    marks.push(m);
  };
  // Iterative: templates nest as deep as their parser allows.
  const stack: TemplateNode[] = [parsed.node];
  while (stack.length > 0) {
    const node = stack.pop()!;
    switch (node.kind) {
      case 'sequence':
        for (let k = node.items.length - 1; k >= 0; k--) stack.push(node.items[k]!);
        break;
      case 'variant': {
        const id = variants.length;
        variants.push({ start: base + node.start, end: base + node.end, exclusive: node.max <= 1 });
        mark('template-open', node.start, node.start + 1, id, 'open');
        if (node.samplerAt !== undefined) mark('template-sampler', node.samplerAt, node.samplerAt + 1);
        if (node.bound) mark('template-quantifier', node.bound.start, node.bound.end);
        for (const bar of node.bars ?? []) mark('template-separator', bar, bar + 1, id, 'bar');
        for (const option of node.options) if (option.weightEnd !== undefined) mark('template-weight', option.start, option.weightEnd);
        mark('template-close', node.end - 1, node.end, id, 'close');
        for (let k = node.options.length - 1; k >= 0; k--) stack.push(node.options[k]!.value);
        break;
      }
      case 'wrap':
        mark('template-open', node.start, node.start + 2);
        mark('template-wrapper', node.start + 2, node.dollars);
        mark('template-separator', node.dollars, node.dollars + 2);
        mark('template-close', node.end - 1, node.end);
        stack.push(node.inner);
        break;
      case 'wildcard':
        mark('wildcard', node.start, node.end);
        break;
      case 'assignment':
      case 'access':
        mark('template-variable', node.start, node.end);
        break;
      case 'literal':
        if (node.pieces) for (const piece of node.pieces) covered.push(piece);
        else covered.push(node);
        break;
    }
  }
  for (const m of marks) covered.push({ start: m.start - base, end: m.end - base });
  covered.sort((a, b) => a.start - b.start);
  let from = 0;
  const comments = (to: number): void => {
    // One mark per line of a gap: its text from the first to the last character that is not white space.
    let k = from;
    while (k < to) {
      while (k < to && isSpaceOrNewline(source.charCodeAt(k))) k++;
      if (k >= to) break;
      let e = k;
      while (e < to && source.charCodeAt(e) !== 10 && source.charCodeAt(e) !== 13) e++;
      let last = e;
      while (last > k && isSpaceOrNewline(source.charCodeAt(last - 1))) last--;
      mark('template-comment', k, last);
      k = e;
    }
  };
  for (const c of covered) {
    if (c.start > from) comments(c.start);
    if (c.end > from) from = c.end;
  }
  comments(source.length);
  marks.sort((a, b) => a.start - b.start);
  // Defensive: the parser's ranges never overlap, but a mark that would is dropped rather than trusted.
  const clean: TemplateMark[] = [];
  let at = -1;
  for (const m of marks) {
    if (m.start < at) continue;
    clean.push(m);
    at = m.end;
  }
  return { node: parsed.node, marks: clean, variants };
}
