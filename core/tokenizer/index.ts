// The CLIP BPE tokenizer of A1111's SDXL encoders, in plain TypeScript. Callers read the tokenizer folder
// (vocab.json + merges.txt, or tokenizer.json, with tokenizer_config.json / special_tokens_map.json where
// present) and hand the files' text to loadClipTokenizer.

import { ClipModel, ClipTokenizer, type TextCleanup } from './clipTokenizer';
import { clipFilesFromMerges, readTokenizerFiles, type ReadTokenizerFile } from './load';

export { ClipTokenizer, type EncodedText, type TextCleanup } from './clipTokenizer';
export { clipByteCharacters, TokenizerLoadError, type ReadTokenizerFile } from './load';

/**
 * Builds a tokenizer from a folder's files. `read(name)` returns a file's text or undefined when absent;
 * `source` (e.g. the folder path) starts every TokenizerLoadError message. The tokenizer cleans text as
 * Hugging Face's CLIPTokenizer does (A1111's encoder 1 and token counter); `.withCleanup('open_clip')`
 * gives encoder 2's.
 */
export function loadClipTokenizer(read: ReadTokenizerFile, source?: string, cleanup: TextCleanup = 'hf'): ClipTokenizer {
  return new ClipTokenizer(new ClipModel(readTokenizerFiles(read, source)), cleanup);
}

/**
 * OpenAI CLIP's tokenizer from its merges.txt alone (the vocabulary is derived as CLIP's simple_tokenizer.py
 * builds it): what Tagsmith ships, so counts are exact with no model folder. Same options as loadClipTokenizer.
 */
export function loadClipTokenizerFromMerges(mergesText: string, source?: string, cleanup: TextCleanup = 'hf'): ClipTokenizer {
  return new ClipTokenizer(new ClipModel(clipFilesFromMerges(mergesText, source)), cleanup);
}
