// Semantic tokens: card tags by kind, dictionary tags by category, weights, BREAK, extra networks,
// settings keys. Plain tags the dictionaries do not know get no token, so the grammar's colours stay.

import type { SemanticTokens, SemanticTokensLegend } from 'vscode-languageserver';
import { lookupAll, categoryName, leaves, cardTagIndex, normalizeTag, yearOf, type Analysis, type ServiceContext } from '../../core';

// `cardTag` and `tag` are Tagsmith's own types (the extension declares them with superTypes `enumMember`
// and `variable`); the rest are LSP's standard types, which every theme colours.
export const tokenTypes = ['cardTag', 'tag', 'number', 'keyword', 'macro', 'property'] as const;
export const tokenModifiers = ['quality', 'aesthetic', 'rating', 'year', 'good', 'bad', 'general', 'artist', 'copyright', 'character', 'meta'] as const;
export const legend: SemanticTokensLegend = { tokenTypes: [...tokenTypes], tokenModifiers: [...tokenModifiers] };

type TokenType = (typeof tokenTypes)[number];
type Modifier = (typeof tokenModifiers)[number];

interface RawToken {
  start: number;
  end: number;
  type: TokenType;
  modifiers: Modifier[];
}

export function semanticTokens(analysis: Analysis, ctx: ServiceContext): SemanticTokens {
  const { doc } = analysis;
  const cards = cardTagIndex(ctx.profile);
  const raw: RawToken[] = [];
  const dictionaryCache = new Map<string, Modifier | null>();
  for (const block of doc.blocks) {
    for (const section of [block.prompt, block.negative]) {
      if (!section) continue;
      for (const tag of section.tags) {
        const key = normalizeTag(tag.value);
        const card = cards.get(key);
        if (card) {
          const mods: Modifier[] = [];
          if ((tokenModifiers as readonly string[]).includes(card.group.kind)) mods.push(card.group.kind as Modifier);
          if (card.polarity === 'good' || card.polarity === 'bad') mods.push(card.polarity);
          raw.push({ start: tag.node.start, end: tag.node.end, type: 'cardTag', modifiers: mods });
          continue;
        }
        if (yearOf(ctx.profile, tag.value)) {
          raw.push({ start: tag.node.start, end: tag.node.end, type: 'cardTag', modifiers: ['year'] });
          continue;
        }
        if (ctx.dictionaries.length === 0) continue;
        let category = dictionaryCache.get(key);
        if (category === undefined) {
          const match = lookupAll(ctx.dictionaries, tag.value);
          const name = match ? categoryName(match.tag.category) : undefined;
          category = name && (tokenModifiers as readonly string[]).includes(name) ? (name as Modifier) : match ? 'general' : null;
          dictionaryCache.set(key, category);
        }
        if (category) raw.push({ start: tag.node.start, end: tag.node.end, type: 'tag', modifiers: [category] });
      }
      for (const leaf of leaves(section.node)) {
        if (leaf.kind === 'weight') raw.push({ start: leaf.start + 1, end: leaf.end, type: 'number', modifiers: [] });
        else if (leaf.kind === 'break') raw.push({ start: leaf.start, end: leaf.end, type: 'keyword', modifiers: [] });
        else if (leaf.kind === 'extra-network') raw.push({ start: leaf.start, end: leaf.end, type: 'macro', modifiers: [] });
      }
    }
    for (const entry of block.settings?.entries ?? []) raw.push({ start: entry.keyRange.start, end: entry.keyRange.end, type: 'property', modifiers: [] });
  }
  raw.sort((a, b) => a.start - b.start);
  return { data: encode(analysis, raw) };
}

/** LSP's relative encoding: line delta, start delta, length, type, modifier bits; one line per token. */
function encode(analysis: Analysis, raw: RawToken[]): number[] {
  const { lines } = analysis.doc;
  const data: number[] = [];
  let prevLine = 0;
  let prevChar = 0;
  for (const token of raw) {
    const start = lines.positionAt(token.start);
    const end = lines.positionAt(token.end);
    if (end.line !== start.line || token.end <= token.start) continue;
    const bits = token.modifiers.reduce((acc, m) => acc | (1 << tokenModifiers.indexOf(m)), 0);
    data.push(start.line - prevLine, start.line === prevLine ? start.character - prevChar : start.character, end.character - start.character, tokenTypes.indexOf(token.type), bits);
    prevLine = start.line;
    prevChar = start.character;
  }
  return data;
}
