// Semantic tokens: card tags by kind, dictionary tags by category, weights, BREAK, extra networks,
// settings keys. Plain tags the dictionaries do not know get no token, so the grammar's colours stay.
// Results in document offsets, in source order; the language server encodes them as LSP's relative data.

import { categoryName } from '../dictionary/categories';
import { lookupAll } from '../dictionary/dictionary';
import type { LeafKind } from '../parse/tree';
import { cardTagIndex, normalizeTag, yearOf } from '../profiles/profile';
import type { Analysis, ServiceContext } from './analysis';

// `cardTag` and `tag` are Tagsmith's own types (the extension declares them with superTypes `enumMember`
// and `variable`); the rest are LSP's standard types, which every theme colours. The Dynamic Prompts
// layer: `operator` for a template's { | } N$$ 0.5:: ~ @ ! and a wrap's %{ $$, `variable` for __wildcards__ and
// ${variables}, `string` for a wrap's wrapper, `comment` for what the template skips as one (#… mid-line, /*…*/)
// (new types go last: the indexes of the others stay).
export const semanticTokenTypes = ['cardTag', 'tag', 'number', 'keyword', 'macro', 'property', 'operator', 'variable', 'string', 'comment'] as const;
export const semanticTokenModifiers = ['quality', 'aesthetic', 'rating', 'year', 'good', 'bad', 'general', 'artist', 'copyright', 'character', 'meta'] as const;
/** The legend: a token's type and modifiers are these names; LSP sends their indexes. */
export const semanticTokenLegend: { readonly tokenTypes: readonly SemanticTokenType[]; readonly tokenModifiers: readonly SemanticTokenModifier[] } = {
  tokenTypes: semanticTokenTypes,
  tokenModifiers: semanticTokenModifiers,
};

export type SemanticTokenType = (typeof semanticTokenTypes)[number];
export type SemanticTokenModifier = (typeof semanticTokenModifiers)[number];

export interface PromptSemanticToken {
  start: number;
  end: number;
  type: SemanticTokenType;
  modifiers: SemanticTokenModifier[];
}

/** The token type of each leaf of the template layer (core/parse/template.ts). */
const TEMPLATE_TYPES: Partial<Record<LeafKind, SemanticTokenType>> = {
  'template-open': 'operator',
  'template-close': 'operator',
  'template-separator': 'operator',
  'template-quantifier': 'operator',
  'template-weight': 'operator',
  'template-sampler': 'operator',
  'template-wrapper': 'string',
  wildcard: 'variable',
  'template-variable': 'variable',
  'template-comment': 'comment',
};

const isModifier = (name: string): name is SemanticTokenModifier => (semanticTokenModifiers as readonly string[]).includes(name);

/** Every token of the document, sorted by start. */
export function semanticTokens(analysis: Analysis, ctx: ServiceContext): PromptSemanticToken[] {
  const { doc } = analysis;
  const cards = cardTagIndex(ctx.profile);
  const raw: PromptSemanticToken[] = [];
  const dictionaryCache = new Map<string, SemanticTokenModifier | null>();
  for (const block of doc.blocks) {
    for (const section of [block.prompt, block.negative]) {
      if (!section) continue;
      for (const tag of section.tags) {
        const key = normalizeTag(tag.value);
        const card = cards.get(key);
        if (card) {
          const mods: SemanticTokenModifier[] = [];
          if (isModifier(card.group.kind)) mods.push(card.group.kind);
          if (card.polarity === 'good' || card.polarity === 'bad') mods.push(card.polarity);
          raw.push({ start: tag.start, end: tag.end, type: 'cardTag', modifiers: mods });
          continue;
        }
        if (yearOf(ctx.profile, tag.value)) {
          raw.push({ start: tag.start, end: tag.end, type: 'cardTag', modifiers: ['year'] });
          continue;
        }
        if (ctx.dictionaries.length === 0) continue;
        let category = dictionaryCache.get(key);
        if (category === undefined) {
          const match = lookupAll(ctx.dictionaries, tag.value);
          const name = match ? categoryName(match.tag.category) : undefined;
          category = name && isModifier(name) ? name : match ? 'general' : null;
          dictionaryCache.set(key, category);
        }
        if (category) raw.push({ start: tag.start, end: tag.end, type: 'tag', modifiers: [category] });
      }
      const template = section.template !== undefined;
      section.eachLeaf((kind, start, end) => {
        if (kind === 'weight') raw.push({ start: start + 1, end, type: 'number', modifiers: [] });
        else if (kind === 'break') raw.push({ start, end, type: 'keyword', modifiers: [] });
        else if (kind === 'extra-network') raw.push({ start, end, type: 'macro', modifiers: [] });
        else if (template) {
          const type = TEMPLATE_TYPES[kind];
          if (type) raw.push({ start, end, type, modifiers: [] });
        }
      });
    }
    for (const entry of block.settings?.entries ?? []) raw.push({ start: entry.keyRange.start, end: entry.keyRange.end, type: 'property', modifiers: [] });
  }
  raw.sort((a, b) => a.start - b.start);
  return raw;
}
