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

// CLIP's pre-tokenizer: contractions, letter runs, single digits, runs of other symbols.
const PRE_TOKEN = /'s|'t|'re|'ve|'m|'ll|'d|\p{L}+|\p{N}|[^\s\p{L}\p{N}]+/giu;

const COMMA_ID = 267;

/**
 * An estimate for when no CLIP vocabulary is configured: one token per word of up to 8 letters (CLIP's
 * vocabulary holds most common English and tag words whole), longer words one per 6 letters, one per digit,
 * one per symbol. Good to a few tokens on typical tag prompts; always marked as an estimate.
 */
const estimateTokenizer: ChunkTokenizer = {
  bos: 49406,
  eos: 49407,
  tokenId: (token) => (token === ',</w>' ? COMMA_ID : undefined),
  encodeWithOffsets(text) {
    const ids: number[] = [];
    const offsets: Array<[number, number]> = [];
    const push = (id: number, start: number, end: number): void => {
      ids.push(id);
      offsets.push([start, end]);
    };
    for (const m of text.matchAll(PRE_TOKEN)) {
      const word = m[0];
      const start = m.index;
      if (/^\p{L}/u.test(word)) {
        const pieces = word.length <= 8 ? 1 : Math.ceil(word.length / 6);
        const step = word.length / pieces;
        for (let k = 0; k < pieces; k++) push(1, start + Math.round(k * step), start + Math.round((k + 1) * step));
      } else if (/^[^\p{L}\p{N}]/u.test(word) && !word.startsWith("'")) {
        for (let k = 0; k < word.length; k++) push(word[k] === ',' ? COMMA_ID : 1, start + k, start + k + 1);
      } else {
        push(1, start, start + word.length);
      }
    }
    return { ids, offsets };
  },
};

export const estimatedTokens: TokenSource = { estimated: true, tokenizer: estimateTokenizer };

/** A TokenSource over the real CLIP tokenizer of core/tokenizer. */
export function clipTokens(tokenizer: ChunkTokenizer): TokenSource {
  return { estimated: false, tokenizer };
}
