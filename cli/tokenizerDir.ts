// Loads the CLI's CLIP tokenizer (core never touches the file system): the folder from --tokenizer or
// $TAGSMITH_TOKENIZER, else the bundled one (OpenAI CLIP's merges, as every SDXL model's tokenizer/ holds);
// load errors become messages that name the folder, the file and the line.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadClipTokenizer, TokenizerLoadError, type ClipTokenizer, type TextCleanup } from '../core';
import { bundledTokenizer } from '../server/bundledData';
import { UserError } from './command';

const TOKENIZER_FILES = ['vocab.json', 'merges.txt', 'tokenizer.json'];

export const TOKENIZER_HELP =
  'Without --tokenizer (or the TAGSMITH_TOKENIZER environment variable) the bundled CLIP tokenizer is used:\n' +
  "OpenAI CLIP's vocabulary and merges, which the `tokenizer/` and `tokenizer_2/` folders of every SDXL model\n" +
  'hold, so counts are exact. To use another, point --tokenizer at a CLIP tokenizer folder (diffusers or\n' +
  'Optimum ONNX layout) holding vocab.json and merges.txt (or tokenizer.json); a model folder that contains\n' +
  '`tokenizer/` works too.';

/** The folder to use: the flag, else $TAGSMITH_TOKENIZER; undefined when neither is set (the bundled tokenizer). */
export function resolveTokenizerDir(flag: string | undefined, env: NodeJS.ProcessEnv, cwd: string): string | undefined {
  const dir = flag ?? env.TAGSMITH_TOKENIZER;
  return dir ? resolve(cwd, dir) : undefined;
}

/** The tokenizer of `dir`, or the bundled one when no folder is given. */
export function loadTokenizer(dir: string | undefined, cleanup: TextCleanup = 'hf'): ClipTokenizer {
  if (dir !== undefined) return loadTokenizerDir(dir, cleanup);
  try {
    return bundledTokenizer(cleanup);
  } catch (error) {
    throw new UserError((error as Error).message);
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function readOptional(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new UserError(`${path}: cannot read (${(error as Error).message})`);
  }
}

/** Reads and builds the tokenizer of `dir` (or of `dir/tokenizer` when `dir` is a model folder). */
export function loadTokenizerDir(dir: string, cleanup: TextCleanup = 'hf'): ClipTokenizer {
  if (!isDirectory(dir)) throw new UserError(`tokenizer folder not found: ${dir}\n${TOKENIZER_HELP}`);
  let folder = dir;
  const hasFiles = (d: string): boolean => TOKENIZER_FILES.some((f) => existsSync(join(d, f)));
  if (!hasFiles(dir) && isDirectory(join(dir, 'tokenizer'))) folder = join(dir, 'tokenizer');
  try {
    return loadClipTokenizer((name) => readOptional(join(folder, name)), folder, cleanup);
  } catch (error) {
    // A missing file may mean a wrong folder, so say what a tokenizer folder is; a broken file needs no more.
    if (error instanceof TokenizerLoadError) {
      throw new UserError(error.reason.startsWith('missing') ? `${error.message}\n${TOKENIZER_HELP}` : error.message);
    }
    throw error;
  }
}
