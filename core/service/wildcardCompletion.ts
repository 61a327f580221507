// Completion of sd-dynamic-prompts wildcards after `__`: collection names with their option count and a
// sample, nested paths (`__sub/name__`), replacing through a closing `__` already there.
import type { Analysis, ServiceContext } from './analysis';
import type { PromptCompletionItem, PromptCompletionList } from './completion';

/** `__` and the name typed so far, right before the cursor. */
const TYPING = /(?:^|[^_])__([^\s_,(){}|<>[\]]*(?:_[^\s_,(){}|<>[\]]+)*)$/;
const SAMPLE = 3;
const LIMIT = 200;

/** The wildcard items when `before` (the line up to `offset`) ends in `__name`; undefined when it does not. */
export function completeWildcard(analysis: Analysis, offset: number, before: string, ctx: ServiceContext): PromptCompletionList | undefined {
  const catalog = ctx.wildcards;
  const m = TYPING.exec(before);
  if (!m || !catalog || catalog.isEmpty) return undefined;
  const typed = m[1]!;
  const { doc } = analysis;
  const start = offset - typed.length - 2;
  // Replace through a closing `__` already there.
  const end = doc.text.startsWith('__', offset) ? offset + 2 : offset;
  const items: PromptCompletionItem[] = [];
  for (const name of catalog.allNames()) {
    if (!name.startsWith(typed) && !name.includes(`/${typed}`)) continue;
    if (items.length === LIMIT) return { isIncomplete: true, items };
    const values = catalog.values(name);
    items.push({
      label: `__${name}__`,
      kind: 'wildcard',
      detail: `${values.length} option${values.length === 1 ? '' : 's'}: ${values.slice(0, SAMPLE).join(', ')}${values.length > SAMPLE ? ', …' : ''}`,
      filterText: `__${name}`,
      edit: { start, end, newText: `__${name}__` },
    });
  }
  return { isIncomplete: false, items };
}
