// The data Tagsmith ships (data/README.md): CLIP's merges, from which the tokenizer is built, and the
// compacted danbooru.csv. `npm run build` puts both in dist/data/ next to dist/server.js and dist/cli.js;
// run from the sources (tests), the built dist/data/ is used. Node only: the server and the CLI read the
// bytes here and hand them to core, which has no file system.

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { loadCompactDictionary, type TagIndex, loadClipTokenizerFromMerges, type ClipTokenizer, type TextCleanup } from '../core';

const MERGES = 'clip-merges.txt.gz';
const DICTIONARY = 'danbooru.tagindex';

/** Where the shipped data lies: `data/` beside the bundle, or the build's dist/data/ when run from the sources. */
export function bundledDataDir(): string {
  const candidates = [path.join(__dirname, 'data'), path.join(__dirname, '..', 'dist', 'data')];
  return candidates.find((dir) => existsSync(path.join(dir, MERGES))) ?? candidates[0]!;
}

/** The name the shipped tokenizer goes by in messages. */
export const BUNDLED_TOKENIZER_NAME = "the bundled CLIP tokenizer (OpenAI CLIP's merges, as in every SDXL model)";

let tokenizer: ClipTokenizer | undefined;

/**
 * The shipped CLIP tokenizer (the vocab.json and merges.txt of SDXL's `tokenizer/`, derived from CLIP's
 * merges), loaded once per process. Throws, naming the file, when the data is missing or broken.
 */
export function bundledTokenizer(cleanup: TextCleanup = 'hf'): ClipTokenizer {
  if (!tokenizer) {
    const file = path.join(bundledDataDir(), MERGES);
    let merges: string;
    try {
      merges = gunzipSync(readFileSync(file)).toString('utf8');
    } catch (error) {
      throw new Error(`${file}: cannot read the bundled CLIP merges (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); rebuild with npm run build`);
    }
    tokenizer = loadClipTokenizerFromMerges(merges, file);
  }
  return tokenizer.withCleanup(cleanup);
}

/** The shipped 140k-tag danbooru dictionary; throws, naming the file, when it is missing or broken. */
export function bundledDictionary(): TagIndex {
  const file = path.join(bundledDataDir(), DICTIONARY);
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw new Error(`${file}: cannot read the bundled tag dictionary (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); rebuild with npm run build`);
  }
  try {
    return loadCompactDictionary(bytes);
  } catch (error) {
    throw new Error(`${file}: ${(error as Error).message}; rebuild with npm run build`);
  }
}
