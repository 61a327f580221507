// Token counts and 75-token chunks of a prompt, as A1111's `tokenize_line` (modules/sd_hijack_clip.py)
// forms them: weighted runs from parse_prompt_attention, BREAK closing a chunk, and a full chunk moving
// the tokens after its last comma (up to 20 back) into the next one. The tokens come from a TokenSource:
// the real CLIP tokenizer when one is configured, or an estimate (marked as such) when none is.

import { attentionPieces, isBreak, mergeRuns } from '../core/attention';
import type { PromptSection, Tag } from '../core/parse/tree';

/** One token of a run's text; offsets into that text. */
export interface SourceToken {
  start: number;
  end: number;
  comma: boolean;
}

export interface TokenSource {
  /** True when counts are estimates, not the CLIP tokenizer's. */
  estimated: boolean;
  tokenize(text: string): SourceToken[];
}

export interface Chunk {
  /** Tokens in the chunk, without start/end tokens and padding. */
  tokens: number;
  /** Source range from its first token to its last (empty chunks: start = end). */
  start: number;
  end: number;
}

export interface PromptTokens {
  /** A1111's token count: 75 for each chunk before the last, plus the tokens of the last. */
  tokenCount: number;
  chunks: Chunk[];
  estimated: boolean;
  /** Tags with tokens in two chunks, with the chunk their first token is in. */
  straddling: Array<{ tag: Tag; chunk: number }>;
}

export const CHUNK_LENGTH = 75;
const COMMA_BACKTRACK = 20;

/** Counts the tokens and chunks of one prompt section of the document `src`. */
export function countPromptTokens(src: string, section: PromptSection, source: TokenSource): PromptTokens {
  // What A1111 tokenizes: the prompt with extra networks removed; comments are not part of it either.
  // Blanking them keeps every offset a source offset.
  const blanks = section.extraNetworks.map((n) => n.node as { start: number; end: number });
  for (const node of section.node.children) if (node.kind === 'comment' || node.kind === 'negative-label') blanks.push(node);
  blanks.sort((a, b) => a.start - b.start);
  let text = '';
  let at = section.contentStart;
  for (const b of blanks) {
    if (b.start < at) continue;
    text += src.slice(at, b.start) + ' '.repeat(b.end - b.start);
    at = b.end;
  }
  text += src.slice(at, section.contentEnd);
  const runs = mergeRuns(attentionPieces(text, undefined, section.contentStart));

  // Token positions (source offsets of each token's first character) per chunk.
  const chunks: number[][] = [];
  let current: number[] = [];
  let currentEnds: number[] = [];
  const ends: number[][] = [];
  let lastComma = -1;
  let tokenCount = 0;
  const nextChunk = (isLast = false): void => {
    tokenCount += isLast ? current.length : CHUNK_LENGTH;
    chunks.push(current);
    ends.push(currentEnds);
    current = [];
    currentEnds = [];
    lastComma = -1;
  };
  for (const run of runs) {
    if (isBreak(run.text, run.weight)) {
      nextChunk();
      continue;
    }
    if (run.text.trim() === '') continue;
    const toSource = sourceMap(run.pieces);
    for (const token of source.tokenize(run.text)) {
      if (token.comma) {
        lastComma = current.length;
      } else if (current.length === CHUNK_LENGTH && lastComma !== -1 && current.length - lastComma <= COMMA_BACKTRACK) {
        const moved = current.splice(lastComma + 1);
        const movedEnds = currentEnds.splice(lastComma + 1);
        nextChunk();
        current = moved;
        currentEnds = movedEnds;
      }
      if (current.length === CHUNK_LENGTH) nextChunk();
      current.push(toSource(token.start));
      currentEnds.push(toSource(Math.max(token.start, token.end - 1)) + 1);
    }
  }
  if (current.length > 0 || chunks.length === 0) nextChunk(true);

  const result: Chunk[] = chunks.map((c, i) => ({
    tokens: c.length,
    start: c[0] ?? section.contentStart,
    end: ends[i]![ends[i]!.length - 1] ?? c[0] ?? section.contentStart,
  }));
  return { tokenCount, chunks: result, estimated: source.estimated, straddling: findStraddling(section.tags, chunks) };
}

/** Maps an offset in a merged run's text to a source offset through the run's pieces. */
function sourceMap(pieces: ReadonlyArray<{ text: string; start: number; end: number; verbatim: boolean }>): (offset: number) => number {
  return (offset) => {
    let at = 0;
    for (const piece of pieces) {
      if (offset < at + piece.text.length) return piece.verbatim ? piece.start + (offset - at) : piece.start;
      at += piece.text.length;
    }
    const last = pieces[pieces.length - 1];
    return last ? last.end : 0;
  };
}

function findStraddling(tags: readonly Tag[], chunks: number[][]): Array<{ tag: Tag; chunk: number }> {
  const found: Array<{ tag: Tag; chunk: number }> = [];
  for (let i = 1; i < chunks.length; i++) {
    const before = chunks[i - 1]![chunks[i - 1]!.length - 1];
    const after = chunks[i]![0];
    if (before === undefined || after === undefined) continue;
    const tag = tags.find((t) => t.node.start <= before && after < t.node.end);
    if (tag) found.push({ tag, chunk: i - 1 });
  }
  return found;
}

// CLIP's pre-tokenizer: contractions, letter runs, single digits, runs of other symbols.
const PRE_TOKEN = /'s|'t|'re|'ve|'m|'ll|'d|\p{L}+|\p{N}|[^\s\p{L}\p{N}]+/giu;

/**
 * An estimate for when no CLIP vocabulary is configured: one token per word of up to 8 letters (CLIP's
 * vocabulary holds most common English and tag words whole), longer words one per 6 letters, one per digit,
 * one per symbol. Good to a few tokens on typical tag prompts; always marked as an estimate.
 */
export const estimatedTokens: TokenSource = {
  estimated: true,
  tokenize(text) {
    const tokens: SourceToken[] = [];
    for (const m of text.matchAll(PRE_TOKEN)) {
      const word = m[0];
      const start = m.index;
      if (/^\p{L}/u.test(word)) {
        const pieces = word.length <= 8 ? 1 : Math.ceil(word.length / 6);
        const step = word.length / pieces;
        for (let k = 0; k < pieces; k++) tokens.push({ start: start + Math.round(k * step), end: start + Math.round((k + 1) * step), comma: false });
      } else if (/^[^\p{L}\p{N}]/u.test(word) && !word.startsWith("'")) {
        for (let k = 0; k < word.length; k++) tokens.push({ start: start + k, end: start + k + 1, comma: word[k] === ',' });
      } else {
        tokens.push({ start, end: start + word.length, comma: false });
      }
    }
    return tokens;
  },
};

/** A TokenSource over the real CLIP tokenizer (anything with encodeWithOffsets and the comma's id). */
export function clipTokens(tokenizer: { encodeWithOffsets(text: string): { ids: number[]; offsets: Array<[number, number]> }; tokenId(token: string): number | undefined }): TokenSource {
  const comma = tokenizer.tokenId(',</w>') ?? 267;
  return {
    estimated: false,
    tokenize(text) {
      const { ids, offsets } = tokenizer.encodeWithOffsets(text);
      return ids.map((id, i) => ({ start: offsets[i]![0], end: offsets[i]![1], comma: id === comma }));
    },
  };
}
