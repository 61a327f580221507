// A1111's `tokenize_line` (modules/sd_hijack_clip.py): one prompt -> chunks of 75 tokens, each wrapped in
// start/end tokens and padded to 77, with a weight multiplier per token, and the token count A1111 shows
// (the N of its "N/75" counter). The input is one resolved prompt: what A1111 hands the text encoder after
// it has removed extra networks (`<lora:...>`) and picked a prompt-editing step. Textual-inversion
// embeddings, when given, are found and placed as A1111 does (see EmbeddingLookup).
//
// The rules, as A1111 applies them with its default settings (emphasis "Original", comma padding 20):
//  - each weighted run of parse_prompt_attention is tokenized on its own;
//  - the BREAK run closes the current chunk, even an empty one;
//  - a token that would be the 76th closes the chunk first. If the chunk holds a comma at index >= 55
//    (75 - index <= 20; the comma itself never triggers this), the tokens after that comma move to the
//    new chunk;
//  - the count adds 75 for every chunk closed early (by BREAK, by filling up or by the comma move), and
//    the real length of the last one; a prompt that ends on BREAK adds no last chunk;
//  - an empty prompt still gives one chunk (start, then 76 end tokens) and a count of 0.

import { isBreak, weightedRuns, type WeightedRun } from './attention';

export const CHUNK_LENGTH = 75;
/** A1111's default `comma_padding_backtrack`. */
export const COMMA_BACKTRACK = 20;

/** The M of A1111's "N/M" counter (`get_target_prompt_token_count`): N rounded up to whole chunks, at least 75. */
export function targetTokenCount(tokenCount: number): number {
  return Math.ceil(Math.max(tokenCount, 1) / CHUNK_LENGTH) * CHUNK_LENGTH;
}

/** What chunking needs from a tokenizer (ClipTokenizer provides it). */
export interface ChunkTokenizer {
  /** Appends the ids of `text` and, flat, each one's [start, end) in `text` (as encodeWithOffsets). */
  encodeInto(text: string, ids: number[], offsets: number[]): void;
  readonly bos: number;
  readonly eos: number;
  tokenId(token: string): number | undefined;
}

export interface ChunkOptions {
  /**
   * 'eos' (default): padding is the end token, as for encoder 1 (CLIP ViT-L).
   * 'zero': A1111's SDXL encoder 2 (OpenCLIP bigG, `id_pad = 0`): every position after the first end token
   * of a chunk becomes 0. Use it with the tokenizer's 'open_clip' clean-up to get encoder 2's ids.
   */
  padWith?: 'eos' | 'zero';
  /** A1111's `comma_padding_backtrack` setting; 0 turns the comma move off. Default 20. */
  commaBacktrack?: number;
  /** The embeddings the model has loaded (embeddingLookup); without it, names tokenize as text. */
  embeddings?: EmbeddingLookup;
  /**
   * Only the count and each chunk's span (`spans`): no ids, multipliers or tokens, which for a huge prompt (a token
   * object each, 77 ids and multipliers per chunk) cost over 100 bytes per character of it.
   */
  spansOnly?: boolean;
}

/** Where a chunk's tokens came from: how many, the start of its first and last token, the end of its last. */
export interface ChunkSpan {
  tokens: number;
  firstStart: number;
  lastStart: number;
  lastEnd: number;
}

/** An embedding as chunking sees it: its name and how many vectors (token positions) it takes. */
export interface EmbeddingVectors {
  name: string;
  vectors: number;
}

/**
 * A1111's EmbeddingDatabase.ids_lookup: each embedding under the first id of its tokenized name, the
 * longest names first (a stable sort, so among equal lengths the first registered wins). An embedding
 * matches where a run's ids continue with its name's ids (find_embedding_at_position): so matching follows
 * the tokenizer (case-insensitive, whole BPE words), and `bad_prompt_v2` wins over `bad_prompt` where both fit.
 */
export interface EmbeddingLookup {
  byFirstId: Map<number, Array<{ ids: number[]; embedding: EmbeddingVectors }>>;
}

export function embeddingLookup(embeddings: EmbeddingVectors[], encode: (text: string) => number[]): EmbeddingLookup {
  const byFirstId: EmbeddingLookup['byFirstId'] = new Map();
  for (const embedding of embeddings) {
    const ids = encode(embedding.name);
    if (ids.length === 0 || !(embedding.vectors >= 1)) continue;
    const list = byFirstId.get(ids[0]!) ?? [];
    list.push({ ids, embedding });
    byFirstId.set(ids[0]!, list);
  }
  for (const list of byFirstId.values()) list.sort((a, b) => b.ids.length - a.ids.length);
  return { byFirstId };
}

function embeddingAt(lookup: EmbeddingLookup | undefined, ids: number[], at: number): { ids: number[]; embedding: EmbeddingVectors } | undefined {
  const candidates = lookup?.byFirstId.get(ids[at]!);
  if (!candidates) return undefined;
  outer: for (const candidate of candidates) {
    if (at + candidate.ids.length > ids.length) continue;
    for (let k = 1; k < candidate.ids.length; k++) if (ids[at + k] !== candidate.ids[k]) continue outer;
    return candidate;
  }
  return undefined;
}

/** One prompt token and where it ended up. */
export interface ChunkToken {
  /** Index of its chunk. */
  chunk: number;
  /** Its position among the chunk's 77 ids (1-75; 0 is the start token). */
  index: number;
  id: number;
  /** Its multiplier (the weight of its run). */
  weight: number;
  /** The range of the prompt text it came from (UTF-16 offsets, end exclusive). */
  start: number;
  end: number;
  /** For the positions of an embedding's vectors (id 0): its name. */
  embedding?: string;
}

export interface PromptChunks {
  /** Each chunk's 77 token ids: start, 75 tokens or padding, end. */
  chunks: number[][];
  /** Each chunk's 77 multipliers (1 for start, end and padding). */
  multipliers: number[][];
  /** The count A1111 shows: N in "N/75". */
  tokenCount: number;
  /** Every prompt token in order (padding and start/end excluded); empty with `spansOnly`. */
  tokens: ChunkToken[];
  /** With `spansOnly`: each chunk's span (and `chunks`, `multipliers` are empty). */
  spans?: ChunkSpan[];
}

/** The chunk being filled, as parallel arrays (a token is an index). */
class OpenChunk {
  ids: number[] = [];
  weights: number[] = [];
  starts: number[] = [];
  ends: number[] = [];
  /** The embedding's name at each position that holds one of its vectors (sparse). */
  embeddings: Array<string | undefined> = [];

  get length(): number {
    return this.ids.length;
  }

  /** Cuts the tokens from `from` on out of this chunk and returns them as a new one. */
  splitOff(from: number): OpenChunk {
    const rest = new OpenChunk();
    rest.ids = this.ids.splice(from);
    rest.weights = this.weights.splice(from);
    rest.starts = this.starts.splice(from);
    rest.ends = this.ends.splice(from);
    rest.embeddings = this.embeddings.splice(from);
    return rest;
  }
}

/** Chunks of one prompt, as A1111's tokenize_line makes them. */
export function promptChunks(text: string, tokenizer: ChunkTokenizer, options: ChunkOptions = {}): PromptChunks {
  const backtrack = options.commaBacktrack ?? COMMA_BACKTRACK;
  const commaId = tokenizer.tokenId(',</w>');
  const result: PromptChunks = { chunks: [], multipliers: [], tokenCount: 0, tokens: [] };
  const spans: ChunkSpan[] | undefined = options.spansOnly ? (result.spans = []) : undefined;
  let chunk = new OpenChunk();
  let lastComma = -1;
  let closed = 0;

  const closeChunk = (isLast: boolean): void => {
    result.tokenCount += isLast ? chunk.length : CHUNK_LENGTH;
    const chunkIndex = closed++;
    if (spans) {
      const n = chunk.length;
      spans.push(n === 0 ? { tokens: 0, firstStart: -1, lastStart: -1, lastEnd: -1 } : { tokens: n, firstStart: chunk.starts[0]!, lastStart: chunk.starts[n - 1]!, lastEnd: chunk.ends[n - 1]! });
      lastComma = -1;
      chunk = new OpenChunk();
      return;
    }
    const ids = [tokenizer.bos];
    const multipliers = [1];
    for (let k = 0; k < chunk.length; k++) {
      const id = chunk.ids[k]!;
      const weight = chunk.weights[k]!;
      const token: ChunkToken = { chunk: chunkIndex, index: k + 1, id, weight, start: chunk.starts[k]!, end: chunk.ends[k]! };
      const embedding = chunk.embeddings[k];
      if (embedding !== undefined) token.embedding = embedding;
      result.tokens.push(token);
      ids.push(id);
      multipliers.push(weight);
    }
    while (ids.length < CHUNK_LENGTH + 1) {
      ids.push(tokenizer.eos);
      multipliers.push(1);
    }
    ids.push(tokenizer.eos);
    multipliers.push(1);
    if (options.padWith === 'zero') padWithZero(ids, tokenizer.eos);
    result.chunks.push(ids);
    result.multipliers.push(multipliers);
    lastComma = -1;
    chunk = new OpenChunk();
  };

  const runIds: number[] = [];
  const runOffsets: number[] = [];
  for (const run of weightedRuns(text)) {
    if (isBreak(run.text, run.weight)) {
      closeChunk(false);
      continue;
    }
    runIds.length = 0;
    runOffsets.length = 0;
    tokenizer.encodeInto(run.text, runIds, runOffsets);
    const toSource = sourceMapper(run);
    for (let k = 0; k < runIds.length; ) {
      const id = runIds[k]!;
      if (id === commaId) {
        lastComma = chunk.length;
      } else if (backtrack !== 0 && chunk.length === CHUNK_LENGTH && lastComma !== -1 && chunk.length - lastComma <= backtrack) {
        const moved = chunk.splitOff(lastComma + 1);
        closeChunk(false);
        chunk = moved;
      }
      if (chunk.length === CHUNK_LENGTH) closeChunk(false);
      const found = embeddingAt(options.embeddings, runIds, k);
      if (!found) {
        chunk.ids.push(id);
        chunk.weights.push(run.weight);
        chunk.starts.push(toSource(runOffsets[2 * k]!, true));
        chunk.ends.push(toSource(runOffsets[2 * k + 1]!, false));
        k++;
        continue;
      }
      // An embedding's vectors are never split: when they do not fit, the chunk closes first.
      const vectors = found.embedding.vectors;
      if (chunk.length + vectors > CHUNK_LENGTH) closeChunk(false);
      const start = toSource(runOffsets[2 * k]!, true);
      const end = toSource(runOffsets[2 * (k + found.ids.length - 1) + 1]!, false);
      for (let v = 0; v < vectors; v++) {
        chunk.embeddings[chunk.length] = found.embedding.name;
        chunk.ids.push(0);
        chunk.weights.push(run.weight);
        chunk.starts.push(start);
        chunk.ends.push(end);
      }
      k += found.ids.length;
    }
  }
  if (chunk.length > 0 || closed === 0) closeChunk(true);
  return result;
}

/** A1111's `process_tokens` for a pad id that differs from the end id: everything after the first end is 0. */
function padWithZero(ids: number[], eos: number): void {
  const first = ids.indexOf(eos);
  for (let i = first + 1; i < ids.length; i++) ids[i] = 0;
}

/**
 * Maps an offset in a run's text to the prompt text. A run is its pieces' texts joined; a verbatim piece
 * maps character for character, others (escapes such as `\(`) map to their whole source range.
 */
function sourceMapper(run: WeightedRun): (offset: number, isStart: boolean) => number {
  const pieces = run.pieces;
  if (pieces.length === 1 && pieces[0]!.verbatim) {
    const base = pieces[0]!.start;
    return (offset) => base + offset;
  }
  const starts: number[] = [];
  let at = 0;
  for (const piece of pieces) {
    starts.push(at);
    at += piece.text.length;
  }
  return (offset, isStart) => {
    if (pieces.length === 0) return 0;
    // The piece holding the character at `offset` (start) or just before it (end).
    const probe = isStart ? offset : offset - 1;
    let lo = 0;
    let hi = pieces.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= probe) lo = mid;
      else hi = mid - 1;
    }
    const piece = pieces[lo]!;
    if (!piece.verbatim) return isStart ? piece.start : piece.end;
    return piece.start + (offset - starts[lo]!);
  };
}
