// Builds the pipeline's PromptChunker from the model folder's two tokenizers with core/chunks (A1111's
// tokenize_line): encoder 1 with Hugging Face's text clean-up and end-token padding, encoder 2 with
// open_clip's clean-up and every position after the first end token set to 0 (A1111's
// FrozenOpenCLIPEmbedder2WithCustomWords pads with id 0).
import { promptChunks, loadClipTokenizer } from '../core';
import type { PromptChunk, PromptChunker } from './conditioning';
import type { LoadedModel } from './model';
import { ModelError } from './model';
import { join } from 'node:path';

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
      const result = promptChunks(text, tokenizers[encoder], { padWith: encoder === 1 ? 'zero' : 'eos' });
      chunks = result.chunks.map((tokens, i) => ({ tokens, multipliers: result.multipliers[i]! }));
      if (cache.size > 64) cache.clear();
      cache.set(key, chunks);
    }
    return chunks;
  };
}
