// Token counts and 75-token chunks of a prompt section, from core/chunks (A1111's `tokenize_line`), with
// the source range of every chunk and the tags that straddle a chunk boundary. The tokens come from a
// TokenSource: the real CLIP tokenizer when one is configured, or an estimate (marked as such) when none is.

import { CHUNK_LENGTH, promptChunks, type ChunkTokenizer } from '../core/chunks';
import type { PromptSection, Tag } from '../core/parse/tree';

export { CHUNK_LENGTH };

export interface TokenSource {
  /** True when counts are estimates, not the CLIP tokenizer's. */
  estimated: boolean;
  tokenizer: ChunkTokenizer;
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
  /** Tags with tokens in two chunks, with the chunk their first token is in. */
  straddling: Array<{ tag: Tag; chunk: number }>;
}

/** Counts the tokens and chunks of one prompt section of the document `src`. */
export function countPromptTokens(src: string, section: PromptSection, source: TokenSource): PromptTokens {
  // What A1111 tokenizes: the prompt with extra networks removed; comments are not part of it either.
  // Blanking them keeps every offset a source offset (less contentStart).
  const blanks = section.extraNetworks.map((n) => n.node as { start: number; end: number });
  for (const node of section.node.children) if (node.kind === 'comment') blanks.push(node);
  blanks.sort((a, b) => a.start - b.start);
  let text = '';
  let at = section.contentStart;
  for (const b of blanks) {
    if (b.start < at) continue;
    text += src.slice(at, b.start) + ' '.repeat(b.end - b.start);
    at = b.end;
  }
  text += src.slice(at, section.contentEnd);

  const result = promptChunks(text, source.tokenizer);
  const base = section.contentStart;
  const chunks: Chunk[] = result.chunks.map(() => ({ tokens: 0, start: -1, end: -1 }));
  const straddling: Array<{ tag: Tag; chunk: number }> = [];
  let previous: { chunk: number; start: number } | undefined;
  for (const token of result.tokens) {
    const chunk = chunks[token.chunk]!;
    chunk.tokens++;
    if (chunk.start < 0) chunk.start = base + token.start;
    chunk.end = base + token.end;
    if (previous && previous.chunk !== token.chunk) {
      const before = previous.start;
      const after = base + token.start;
      const tag = section.tags.find((t) => t.node.start <= before && after < t.node.end);
      if (tag) straddling.push({ tag, chunk: previous.chunk });
    }
    previous = { chunk: token.chunk, start: base + token.start };
  }
  for (const chunk of chunks) if (chunk.start < 0) chunk.start = chunk.end = previous?.start ?? base;
  return { tokenCount: result.tokenCount, chunks, estimated: source.estimated, straddling };
}

/** A count with offsets relative to the prompt's start, and straddling tags by their index. */
interface RelativeTokens {
  tokenCount: number;
  estimated: boolean;
  chunks: Chunk[];
  straddling: Array<{ tagIndex: number; chunk: number }>;
}

/** Token counts by prompt text, per token source: after an edit only the edited prompt is counted again. */
const cache = new WeakMap<TokenSource, Map<string, RelativeTokens>>();
const CACHE_SIZE = 20_000;

/** countPromptTokens, remembered by the prompt's text. */
export function countPromptTokensCached(src: string, section: PromptSection, source: TokenSource): PromptTokens {
  let bySource = cache.get(source);
  if (!bySource) cache.set(source, (bySource = new Map()));
  const key = src.slice(section.contentStart, section.contentEnd);
  const base = section.contentStart;
  let relative = bySource.get(key);
  if (relative) {
    // Most recently used last, so the oldest entry is the one evicted.
    bySource.delete(key);
  } else {
    const counted = countPromptTokens(src, section, source);
    relative = {
      tokenCount: counted.tokenCount,
      estimated: counted.estimated,
      chunks: counted.chunks.map((c) => ({ tokens: c.tokens, start: c.start - base, end: c.end - base })),
      straddling: counted.straddling.map((s) => ({ tagIndex: section.tags.indexOf(s.tag), chunk: s.chunk })),
    };
    if (bySource.size >= CACHE_SIZE) bySource.delete(bySource.keys().next().value!);
  }
  bySource.set(key, relative);
  return {
    tokenCount: relative.tokenCount,
    estimated: relative.estimated,
    chunks: relative.chunks.map((c) => ({ tokens: c.tokens, start: c.start + base, end: c.end + base })),
    straddling: relative.straddling.map((s) => ({ tag: section.tags[s.tagIndex]!, chunk: s.chunk })),
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

/** A TokenSource over the real CLIP tokenizer of core/tokenizer. */
export function clipTokens(tokenizer: ChunkTokenizer): TokenSource {
  return { estimated: false, tokenizer };
}
