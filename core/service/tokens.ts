// Token counts and 75-token chunks of a prompt section, from core/chunks (A1111's `tokenize_line`), with
// the source range of every chunk and the tags that straddle a chunk boundary. The tokens come from a
// TokenSource: the real CLIP tokenizer when one is configured, or an estimate (marked as such) when none is.

import { CHUNK_LENGTH, embeddingLookup, promptChunks, type ChunkTokenizer, type EmbeddingLookup, type EmbeddingVectors } from '../chunks';
import { parseDocument } from '../parse';
import { multicondPromptList, promptSchedules } from '../schedule';
import type { PromptSection, Tag } from '../parse/tree';
import type { CatalogEntry } from '../networks';
import { expandCombinatorial, expandRandom } from '../template/expand';
import type { WildcardLibrary } from '../template/wildcards';
import { LRUCache } from 'lru-cache';

export { CHUNK_LENGTH };

export interface TokenSource {
  /** True when counts are estimates, not the CLIP tokenizer's. */
  estimated: boolean;
  tokenizer: ChunkTokenizer;
  /** The embeddings A1111 would load (SDXL ones), placed as it places them; none: names are text. */
  embeddings?: EmbeddingLookup;
}

export interface Chunk {
  /** Tokens in the chunk, without start/end tokens and padding. */
  tokens: number;
  /** Source range from its first token to its last (an empty chunk: start = end). */
  start: number;
  end: number;
}

export interface PromptTokens {
  /** A1111's token count: 75 for each chunk closed early, plus the tokens of the last. */
  tokenCount: number;
  chunks: Chunk[];
  estimated: boolean;
  /** Tags with tokens in two chunks, with the chunk their first token is in (and the tag's index in its section). */
  straddling: Array<{ tag: Tag; chunk: number; tagIndex: number }>;
  /** True when `tokenCount` is the largest of the prompt's AND parts and schedule texts, as A1111 shows it. */
  scheduled?: boolean;
  /**
   * Set for a section with Dynamic Prompts syntax: `tokenCount` is the largest count of its expansions (each
   * counted as A1111 counts a prompt, schedules included); `sampled` when they were drawn for a fixed set of
   * seeds rather than all enumerated. `chunks` and `straddling` are then empty: an expansion's tokens have
   * no place in the source.
   */
  template?: { expansions: number; sampled: boolean };
}

/** Every combination is counted up to this many; past it, the expansions of TEMPLATE_SEEDS seeds. */
export const TEMPLATE_COMBINATIONS = 64;
const TEMPLATE_SEEDS = Array.from({ length: 64 }, (_, i) => i);
// A1111's re_extra_net: what it removes from each expanded prompt before counting.
const EXTRA_NETWORK = /<(\w+):([^>]+)>/g;

/**
 * The largest A1111 count over the expansions of a template section: all combinations up to
 * TEMPLATE_COMBINATIONS, else a fixed set of random draws (sampled). Undefined where the template fails to
 * expand (the count of its text is then shown, as for a plain prompt).
 */
function templateCount(src: string, section: PromptSection, source: TokenSource, steps: number, wildcards: WildcardLibrary | undefined): { tokenCount: number; expansions: number; sampled: boolean } | undefined {
  const template = src.slice(section.contentStart, section.contentEnd);
  const options = wildcards ? { wildcards } : {};
  let expanded = expandCombinatorial(template, TEMPLATE_COMBINATIONS + 1, options);
  let sampled = false;
  if (expanded.ok && expanded.prompts.length > TEMPLATE_COMBINATIONS) {
    expanded = expandRandom(template, TEMPLATE_SEEDS, options);
    sampled = true;
  }
  if (!expanded.ok || expanded.prompts.length === 0) return undefined;
  let max = 0;
  const counted = new Set<string>();
  for (const prompt of expanded.prompts) {
    if (counted.has(prompt)) continue;
    counted.add(prompt);
    const text = prompt.replace(EXTRA_NETWORK, '');
    const count = scheduledCount(text, section.kind === 'negative', steps, source) ?? promptChunks(text, source.tokenizer, { embeddings: source.embeddings, spansOnly: true }).tokenCount;
    if (count > max) max = count;
  }
  return { tokenCount: max, expansions: counted.size, sampled };
}

/** Counts the tokens and chunks of one prompt section of the document `src`. */
export function countPromptTokens(src: string, section: PromptSection, source: TokenSource, steps = 20, wildcards?: WildcardLibrary): PromptTokens {
  if (section.template) {
    const counted = templateCount(src, section, source, steps, wildcards);
    if (counted) return { tokenCount: counted.tokenCount, chunks: [], estimated: source.estimated, straddling: [], template: { expansions: counted.expansions, sampled: counted.sampled } };
  }
  // What A1111 tokenizes: the prompt with extra networks removed; comments are not part of it either.
  // Blanking them keeps every offset a source offset (less contentStart).
  const blanks = section.extraNetworks.map((n) => n.node as { start: number; end: number });
  for (const comment of section.comments) blanks.push(comment);
  blanks.sort((a, b) => a.start - b.start);
  let text = '';
  let at = section.contentStart;
  for (const b of blanks) {
    if (b.start < at) continue;
    text += src.slice(at, b.start) + ' '.repeat(b.end - b.start);
    at = b.end;
  }
  text += src.slice(at, section.contentEnd);

  const result = promptChunks(text, source.tokenizer, { embeddings: source.embeddings, spansOnly: true });
  const base = section.contentStart;
  const spans = result.spans!;
  const chunks: Chunk[] = spans.map((s) => (s.tokens > 0 ? { tokens: s.tokens, start: base + s.firstStart, end: base + s.lastEnd } : { tokens: 0, start: -1, end: -1 }));
  const straddling: Array<{ tag: Tag; chunk: number; tagIndex: number }> = [];
  // At each edge between chunks with tokens: the tag holding both the last token before it and the first after.
  let previousChunk = -1;
  let previousStart = base;
  spans.forEach((span, chunk) => {
    if (span.tokens === 0) return;
    if (previousChunk >= 0) {
      const index = tagStraddling(section, previousStart, base + span.firstStart);
      if (index >= 0) straddling.push({ tag: section.tagAt(index), chunk: previousChunk, tagIndex: index });
    }
    previousChunk = chunk;
    previousStart = base + span.lastStart;
  });
  for (const chunk of chunks) if (chunk.start < 0) chunk.start = chunk.end = previousChunk >= 0 ? previousStart : base;
  const scheduled = scheduledCount(text, section.kind === 'negative', steps, source);
  return { tokenCount: scheduled ?? result.tokenCount, chunks, estimated: source.estimated, straddling, ...(scheduled !== undefined ? { scheduled: true } : {}) };
}

/**
 * The count A1111's token counter shows for a prompt with AND, prompt editing or alternation (ui.py
 * update_token_counter): the positive prompt split at AND, each part's schedule expanded for `steps`, and
 * the largest count of all those texts. Undefined for a prompt without any: its own count is that.
 */
function scheduledCount(text: string, negative: boolean, steps: number, source: TokenSource): number | undefined {
  if (!text.includes('[') && !(!negative && text.includes('AND'))) return undefined;
  const parts = negative ? [text] : multicondPromptList(text).map((p) => p.text);
  const texts = new Set<string>();
  for (const part of parts) for (const [, scheduledText] of promptSchedules(part, steps)) texts.add(scheduledText);
  if (texts.size === 1 && texts.has(text)) return undefined;
  let max = 0;
  for (const t of texts) max = Math.max(max, promptChunks(t, source.tokenizer, { embeddings: source.embeddings, spansOnly: true }).tokenCount);
  return max;
}

/**
 * Index of the tag holding both the token starting at `before` and the one starting at `after`, or -1.
 * Tags are in source order and do not overlap, so the only candidate is the last one starting at or
 * before `before`: a binary search, where a search through the tags at every chunk edge costs
 * chunks x tags.
 */
function tagStraddling(section: PromptSection, before: number, after: number): number {
  let lo = 0;
  let hi = section.tagCount - 1;
  if (hi < 0 || section.tagStart(0) > before) return -1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (section.tagStart(mid) <= before) lo = mid;
    else hi = mid - 1;
  }
  return after < section.tagEnd(lo) ? lo : -1;
}

/** A count with offsets relative to the prompt's start, and straddling tags by their index. */
interface RelativeTokens {
  scheduled?: boolean;
  template?: { expansions: number; sampled: boolean };
  tokenCount: number;
  estimated: boolean;
  chunks: Chunk[];
  straddling: Array<{ tagIndex: number; chunk: number }>;
}

/** Token counts by prompt text, per token source: after an edit only the edited prompt is counted again. */
const cache = new WeakMap<TokenSource, LRUCache<string, RelativeTokens>>();
// With wildcards, by library too: a template's expansions depend on them.
const cacheWithWildcards = new WeakMap<TokenSource, WeakMap<WildcardLibrary, LRUCache<string, RelativeTokens>>>();
const CACHE_SIZE = 20_000;

/** countPromptTokens, remembered by the prompt's text. */
export function countPromptTokensCached(src: string, section: PromptSection, source: TokenSource, steps = 20, wildcards?: WildcardLibrary): PromptTokens {
  // Wildcards matter to template sections only; the others share one cache whatever the library.
  const library = section.template ? wildcards : undefined;
  let bySource: LRUCache<string, RelativeTokens> | undefined;
  if (library) {
    let byLibrary = cacheWithWildcards.get(source);
    if (!byLibrary) cacheWithWildcards.set(source, (byLibrary = new WeakMap()));
    bySource = byLibrary.get(library);
    if (!bySource) byLibrary.set(library, (bySource = new LRUCache({ max: CACHE_SIZE })));
  } else {
    bySource = cache.get(source);
    if (!bySource) cache.set(source, (bySource = new LRUCache({ max: CACHE_SIZE })));
  }
  const key = `${section.kind === 'negative' ? 'n' : 'p'}${steps}\u0000${src.slice(section.contentStart, section.contentEnd)}`;
  const base = section.contentStart;
  let relative = bySource.get(key);
  if (!relative) {
    const counted = countPromptTokens(src, section, source, steps, library);
    relative = {
      ...(counted.scheduled ? { scheduled: true } : {}),
      ...(counted.template ? { template: counted.template } : {}),
      tokenCount: counted.tokenCount,
      estimated: counted.estimated,
      chunks: counted.chunks.map((c) => ({ tokens: c.tokens, start: c.start - base, end: c.end - base })),
      straddling: counted.straddling.map((s) => ({ tagIndex: s.tagIndex, chunk: s.chunk })),
    };
    bySource.set(key, relative);
  }
  return {
    ...(relative.scheduled ? { scheduled: true } : {}),
    ...(relative.template ? { template: { ...relative.template } } : {}),
    tokenCount: relative.tokenCount,
    estimated: relative.estimated,
    chunks: relative.chunks.map((c) => ({ tokens: c.tokens, start: c.start + base, end: c.end + base })),
    straddling: relative.straddling.map((s) => ({ tag: section.tagAt(s.tagIndex), chunk: s.chunk, tagIndex: s.tagIndex })),
  };
}

const COMMA_ID = 267;
const OTHER_ID = 1;
const CONTRACTION = /^'(?:s|t|re|ve|m|ll|d)/i;
const LETTER = /\p{L}/u;
const NUMBER = /\p{N}/u;
const SPACE = /\s/u;

// Character classes of CLIP's pre-tokenizer: letters, numbers, white space, everything else.
const enum Kind {
  Letter,
  Number,
  Space,
  Other,
}

function kindOf(text: string, i: number): Kind {
  const c = text.charCodeAt(i);
  if (c < 128) {
    if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90)) return Kind.Letter;
    if (c >= 48 && c <= 57) return Kind.Number;
    if (c === 32 || (c >= 9 && c <= 13)) return Kind.Space;
    return Kind.Other;
  }
  const ch = text[i]!;
  return LETTER.test(ch) ? Kind.Letter : NUMBER.test(ch) ? Kind.Number : SPACE.test(ch) ? Kind.Space : Kind.Other;
}

/**
 * An estimate for when no CLIP vocabulary is configured, on CLIP's own pre-token split: one token per word
 * of up to 8 letters (CLIP's vocabulary holds most common English and tag words whole), longer words one
 * per 6 letters, one per digit, one per symbol, one per contraction (`'s`). Good to a few tokens on typical
 * tag prompts; always marked as an estimate.
 */
const estimator = {
  bos: 49406,
  eos: 49407,
  tokenId: (token: string): number | undefined => (token === ',</w>' ? COMMA_ID : undefined),
  /** Appends the estimated tokens of `text`: ids, and flat [start, end) offsets, as ClipTokenizer does. */
  encodeInto(text: string, ids: number[], offsets: number[]): void {
    let i = 0;
    while (i < text.length) {
      const kind = kindOf(text, i);
      if (kind === Kind.Space) {
        i++;
      } else if (kind === Kind.Number) {
        ids.push(OTHER_ID);
        offsets.push(i, i + 1);
        i++;
      } else if (kind === Kind.Letter) {
        let j = i + 1;
        while (j < text.length && kindOf(text, j) === Kind.Letter) j++;
        const length = j - i;
        const pieces = length <= 8 ? 1 : Math.ceil(length / 6);
        for (let k = 0; k < pieces; k++) {
          ids.push(OTHER_ID);
          offsets.push(i + Math.round((k * length) / pieces), i + Math.round(((k + 1) * length) / pieces));
        }
        i = j;
      } else {
        const contraction = text.charCodeAt(i) === 39 ? CONTRACTION.exec(text.slice(i, i + 3)) : null;
        if (contraction) {
          ids.push(OTHER_ID);
          offsets.push(i, i + contraction[0].length);
          i += contraction[0].length;
          continue;
        }
        ids.push(text.charCodeAt(i) === 44 ? COMMA_ID : OTHER_ID);
        offsets.push(i, i + 1);
        i++;
      }
    }
  },
  encodeWithOffsets(text: string): { ids: number[]; offsets: Array<[number, number]> } {
    const ids: number[] = [];
    const flat: number[] = [];
    this.encodeInto(text, ids, flat);
    return { ids, offsets: ids.map((_, k) => [flat[2 * k]!, flat[2 * k + 1]!] as [number, number]) };
  },
};
// Both shapes of core/chunks' tokenizer interface (flat `encodeInto`, paired `encodeWithOffsets`) are served.
const estimateTokenizer: ChunkTokenizer = estimator;

export const estimatedTokens: TokenSource = { estimated: true, tokenizer: estimateTokenizer };

/**
 * A1111's count of a prompt that is no section of a document (a block's prompt with its styles applied):
 * parsed as a prompt of its own, so extra networks and comments are left out as in any section.
 */
export function countPromptText(prompt: string, source: TokenSource): number {
  // A line starting with `Negative prompt:` or a settings-like line would start another section.
  const section = parseDocument(prompt.replace(/\r?\n/g, ' ')).blocks[0]?.prompt;
  return section ? countPromptTokensCached(prompt.replace(/\r?\n/g, ' '), section, source).tokenCount : 0;
}

/** `source` with embeddings found and placed as A1111 does (a new source, so counts are cached apart). */
export function withEmbeddings(source: TokenSource, embeddings: EmbeddingVectors[]): TokenSource {
  if (embeddings.length === 0) return source;
  const encode = (name: string): number[] => {
    const ids: number[] = [];
    source.tokenizer.encodeInto(name, ids, []);
    return ids;
  };
  return { ...source, embeddings: embeddingLookup(embeddings, encode) };
}

/**
 * `source` with the embeddings of `catalog` that A1111 registers on an SDXL model (SDXL ones: clip_l + clip_g);
 * the others are read as text, as A1111 skips them.
 */
export function withSdxlEmbeddings(source: TokenSource, catalog: readonly CatalogEntry[]): TokenSource {
  const usable = catalog.filter((e) => e.embedding?.architecture === 'sdxl').map((e) => ({ name: e.name, vectors: e.embedding!.vectors }));
  return withEmbeddings(source, usable);
}

/** A TokenSource over the real CLIP tokenizer of core/tokenizer. */
export function clipTokens(tokenizer: ChunkTokenizer): TokenSource {
  return { estimated: false, tokenizer };
}
