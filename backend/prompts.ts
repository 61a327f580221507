// Builds the pipeline's PromptChunker from the model folder's two tokenizers: A1111's tokenize_line chunks
// (75 tokens + start/end, emphasis multipliers from parse_prompt_attention, BREAK, comma backtracking) for
// encoder 1, and the same chunks with every position after the first end token set to 0 for encoder 2
// (A1111's FrozenOpenCLIPEmbedder2WithCustomWords pads with id 0).
import { isBreak, weightedRuns } from '../core/attention';
import { loadClipTokenizer, type ClipTokenizer } from '../core/tokenizer';
import type { PromptChunk, PromptChunker } from './conditioning';
import type { LoadedModel } from './model';
import { ModelError } from './model';
import { join } from 'node:path';

const CHUNK = 75;
const COMMA_BACKTRACK = 20; // A1111's default "comma_padding_backtrack"

// TODO(chunks): replace with core/chunks.ts once it lands; this mirrors A1111's tokenize_line.
function tokenizeLine(tokenizer: ClipTokenizer, text: string): PromptChunk[] {
  const comma = tokenizer.tokenId(',</w>');
  const chunks: PromptChunk[] = [];
  let tokens: number[] = [], mults: number[] = [];
  let lastComma = -1;
  const next = () => {
    while (tokens.length < CHUNK) (tokens.push(tokenizer.eos), mults.push(1));
    chunks.push({ tokens: [tokenizer.bos, ...tokens, tokenizer.eos], multipliers: [1, ...mults, 1] });
    tokens = [];
    mults = [];
    lastComma = -1;
  };
  for (const run of weightedRuns(text)) {
    if (isBreak(run.text, run.weight)) {
      next();
      continue;
    }
    for (const token of tokenizer.encode(run.text)) {
      if (token === comma) lastComma = tokens.length;
      else if (tokens.length === CHUNK && lastComma !== -1 && tokens.length - lastComma <= COMMA_BACKTRACK) {
        const at = lastComma + 1;
        const movedTokens = tokens.slice(at), movedMults = mults.slice(at);
        tokens = tokens.slice(0, at);
        mults = mults.slice(0, at);
        next();
        tokens = movedTokens;
        mults = movedMults;
      }
      if (tokens.length === CHUNK) next();
      tokens.push(token);
      mults.push(run.weight);
    }
  }
  if (tokens.length > 0 || chunks.length === 0) next();
  return chunks;
}

/** Encoder 2's padding: everything after the first end token becomes 0. */
function padForOpenClip(chunk: PromptChunk, eos: number): PromptChunk {
  const end = chunk.tokens.indexOf(eos);
  return { tokens: chunk.tokens.map((t, i) => (end >= 0 && i > end ? 0 : t)), multipliers: chunk.multipliers };
}

export function createChunker(model: LoadedModel): PromptChunker {
  const load = (folder: 'tokenizer' | 'tokenizer_2', cleanup: 'hf' | 'open_clip') => {
    try {
      return loadClipTokenizer((name) => model.readTokenizerFile(folder, name), join(model.dir, folder), cleanup);
    } catch (error) {
      throw new ModelError((error as Error).message);
    }
  };
  const tokenizers = [load('tokenizer', 'hf'), load('tokenizer_2', 'open_clip')] as const;
  const cache = new Map<string, PromptChunk[]>();
  return (text, encoder) => {
    const key = `${encoder}\0${text}`;
    let chunks = cache.get(key);
    if (!chunks) {
      const tokenizer = tokenizers[encoder];
      chunks = tokenizeLine(tokenizer, text);
      if (encoder === 1) chunks = chunks.map((c) => padForOpenClip(c, tokenizer.eos));
      if (cache.size > 64) cache.clear();
      cache.set(key, chunks);
    }
    return chunks;
  };
}
