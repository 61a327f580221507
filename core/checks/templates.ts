// Checks of the sd-dynamic-prompts template layer of a prompt (core/template): what the library rejects,
// wildcards no folder defines (with the nearest names as fixes), `{N$$…}` asking for more options than
// there are, variants whose options are all empty, and wildcards whose values lead back to themselves
// (WildcardCatalog.cycleFrom, memoised per catalog). Applied only where the prompt uses template syntax, so a plain A1111 prompt is never flagged.

import type { WildcardCatalog } from '../template/catalog';
import { parseTemplate, type TemplateNode } from '../template/parse';
import { usesTemplateSyntax } from '../parse/template';
import type { PromptSection } from '../parse/tree';
import { rules } from './rules';
import type { Report } from './networks';

export function checkTemplate(text: string, section: PromptSection, wildcards: WildcardCatalog | undefined, report: Report): void {
  const base = section.contentStart;
  const source = text.slice(base, section.contentEnd);
  if (!usesTemplateSyntax(source)) return;
  // The parser kept the tree of a template that parses; only a broken one is parsed again, for its problem.
  const parsed = section.template ? { ok: true as const, node: section.template.node } : parseTemplate(source);
  if (!parsed.ok) {
    const { start, end, message } = parsed.problem;
    report(rules.templateSyntax, base + start, base + Math.max(end, start + 1), { message });
    return;
  }
  const known = wildcards && !wildcards.isEmpty ? wildcards : undefined;
  // Iterative: templates nest as deep as the parser allows.
  const stack: TemplateNode[] = [parsed.node];
  while (stack.length > 0) {
    const node = stack.pop()!;
    switch (node.kind) {
      case 'sequence':
        for (const item of node.items) stack.push(item); // not push(...items): a long sequence overflows the call stack
        break;
      case 'variant': {
        const options = node.options.length;
        if (options > 1 && node.min > options) report(rules.variantCountTooLarge, base + node.start, base + node.end, { count: node.min, options });
        // `{}` is one empty option, `{|}` two: the library picks an empty text (the grammar has no `{` without an option).
        if (node.options.every((o) => isEmpty(o.value))) report(rules.emptyVariants, base + node.start, base + node.end, { text: source.slice(node.start, node.end) });
        for (const option of node.options) stack.push(option.value);
        break;
      }
      case 'wildcard':
        if (typeof node.path === 'string') {
          if (known && known.values(node.path).length === 0) {
            const near = known.nearest(node.path, 1)[0];
            report(rules.unknownWildcard, base + node.start, base + node.end, { name: node.path, suggestion: near ? `: did you mean '__${near}__'?` : '' }, near ? { data: { fix: 'replace', with: `__${near}__` } } : {});
          } else if (known) {
            const chain = known.cycleFrom(node.path);
            if (chain) {
              const closed = chain.indexOf(chain[chain.length - 1]!) < chain.length - 1;
              report(rules.wildcardCycle, base + node.start, base + node.end, { name: node.path, chain: chain.join(' → ') + (closed ? '' : ' → …') });
            }
          }
        } else {
          stack.push(node.path);
        }
        for (const [, value] of node.variables) stack.push(value);
        break;
      case 'assignment':
        stack.push(node.value);
        break;
      case 'access':
        if (node.default) stack.push(node.default);
        break;
      case 'wrap':
        stack.push(node.wrapper, node.inner);
        break;
      case 'literal':
        break;
    }
  }
}

/** An option with no text: an empty sequence (whitespace and comments around it are not part of it). */
function isEmpty(node: TemplateNode): boolean {
  return (node.kind === 'sequence' && node.items.length === 0) || (node.kind === 'literal' && node.text === '');
}
