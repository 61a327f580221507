// Loads a CLIP tokenizer folder from disk for the CLI (core never touches the file system): finds the
// folder from --tokenizer or $TAGSMITH_TOKENIZER, reads its files and turns load errors into messages
// that name the folder, the file and the line.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadClipTokenizer, TokenizerLoadError, type ClipTokenizer, type TextCleanup } from '../core/tokenizer/index';
import { UsageError, UserError } from './command';

const TOKENIZER_FILES = ['vocab.json', 'merges.txt', 'tokenizer.json'];

export const TOKENIZER_HELP =
  'Point --tokenizer (or the TAGSMITH_TOKENIZER environment variable) at a CLIP tokenizer folder: the\n' +
  "`tokenizer/` folder of an SDXL model (diffusers or Optimum ONNX layout), holding vocab.json and merges.txt\n" +
  '(or tokenizer.json). A model folder that contains `tokenizer/` works too.';

/** The folder to use: the flag, else $TAGSMITH_TOKENIZER; a usage error (exit 2) when neither is set. */
export function resolveTokenizerDir(flag: string | undefined, env: NodeJS.ProcessEnv, cwd: string): string {
  const dir = flag ?? env.TAGSMITH_TOKENIZER;
  if (!dir) throw new UsageError(`no tokenizer given.\n${TOKENIZER_HELP}`);
  return resolve(cwd, dir);
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
