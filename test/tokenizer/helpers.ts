// Shared by the tokenizer tests: where the real CLIP vocabulary and our fixtures live, and loaders.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { loadClipTokenizer, type ClipTokenizer } from '../../core/tokenizer/index';
import { bundledTokenizer } from '../../server/bundledData';

export const REAL_CLIP_DIR = path.resolve(__dirname, '../../../shared/data/clip');
export const HAS_REAL_CLIP = existsSync(path.join(REAL_CLIP_DIR, 'vocab.json')) && existsSync(path.join(REAL_CLIP_DIR, 'merges.txt'));
export const MINI_DIR = path.resolve(__dirname, '../fixtures/tokenizer/mini');

/** A loader over an in-memory folder, for error and format tests. */
export function fromFiles(files: Record<string, string>): ClipTokenizer {
  return loadClipTokenizer((name) => files[name]);
}

export function fromDir(dir: string): ClipTokenizer {
  return loadClipTokenizer((name) => {
    const file = path.join(dir, name);
    return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  });
}

let real: ClipTokenizer | undefined;
/**
 * The real CLIP tokenizer, loaded once per test file: ../shared's vocab.json and merges.txt when present, else
 * the bundled one, which is the same vocabulary and merges (bundled.test.ts checks it against ../shared).
 */
export function realTokenizer(): ClipTokenizer {
  return (real ??= HAS_REAL_CLIP ? fromDir(REAL_CLIP_DIR) : bundledTokenizer());
}

export const readMini = (name: string): string => readFileSync(path.join(MINI_DIR, name), 'utf8');
