// Reads sd-dynamic-prompts wildcard folders for the language server and `tagsmith expand`: the `.txt`,
// `.json` and `.yaml` files under each folder, in os.walk order made deterministic (this folder's files by
// code point, then each sub-folder; hidden folders skipped), decoded as Python reads them. Problems are
// returned, naming the file, never thrown.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { WildcardLibrary, wildcardReferences, type PackedWildcardLibrary, type WildcardFile } from '../core';

export interface WildcardSource extends WildcardFile {
  /** The file on disk. */
  file: string;
}

/** Files per folder tree, and bytes per file: bounds for a folder pointed at the wrong place. */
const MAX_FILES = 20_000;
const MAX_FILE_BYTES = 8 * 1024 * 1024;

export function readWildcardFolder(absolute: string, problems: string[]): WildcardSource[] {
  const files: WildcardSource[] = [];
  try {
    if (!statSync(absolute).isDirectory()) {
      problems.push(`${absolute}: not a folder`);
      return files;
    }
  } catch (error) {
    problems.push(`${absolute}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such folder' : (error as Error).message}`);
    return files;
  }
  const visited = new Set<string>();
  const walk = (dir: string, rel: string): void => {
    let key: string;
    try {
      const s = statSync(dir);
      key = `${s.dev}:${s.ino}`;
    } catch {
      return;
    }
    if (visited.has(key)) return; // a link loop
    visited.add(key);
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch (error) {
      problems.push(`${dir}: ${(error as Error).message}`);
      return;
    }
    names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const subfolders: string[] = [];
    for (const name of names) {
      if (files.length >= MAX_FILES) {
        problems.push(`${absolute}: over ${MAX_FILES} wildcard files; the rest are not read`);
        return;
      }
      const full = path.join(dir, name);
      const relPath = rel === '' ? name : `${rel}/${name}`;
      let stats;
      try {
        stats = statSync(full);
      } catch {
        continue; // a dangling link: os.walk skips it too
      }
      if (stats.isDirectory()) {
        if (!name.startsWith('.')) subfolders.push(name);
        continue;
      }
      const suffix = name.slice(name.lastIndexOf('.'));
      if (suffix !== '.txt' && suffix !== '.json' && suffix !== '.yaml') continue;
      if (!stats.isFile() || stats.size > MAX_FILE_BYTES) {
        problems.push(`${full}: ${stats.isFile() ? `over ${MAX_FILE_BYTES} bytes` : 'not a regular file'}; not read`);
        continue;
      }
      let bytes: Buffer;
      try {
        bytes = readFileSync(full);
      } catch (error) {
        problems.push(`${full}: ${(error as Error).message}`);
        continue;
      }
      const content = decode(bytes, suffix === '.txt');
      if (content === null) problems.push(`${full}: not UTF-8; skipped`);
      else files.push({ path: relPath, content, file: full });
    }
    for (const name of subfolders) walk(path.join(dir, name), rel === '' ? name : `${rel}/${name}`);
  };
  walk(absolute, '');
  return files;
}

/** UTF-8 as Python reads it: a BOM kept; invalid bytes dropped for .txt (errors="ignore"), else the file is skipped. */
function decode(bytes: Buffer, lenient: boolean): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return lenient ? new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes).replace(/\uFFFD/g, '') : null;
  }
}

/** YAML as PyYAML's safe_load reads it: YAML 1.1 (`yes` is true, `0x1f` a number). */
export function pyYaml(text: string): unknown {
  return parseYaml(text, { schema: 'yaml-1.1' });
}

/** A library over the folders, in order (a later folder's collection of the same name replaces an earlier one's). */
export function wildcardLibrary(sources: readonly WildcardSource[]): WildcardLibrary {
  return new WildcardLibrary(sources, { yaml: pyYaml });
}

export interface WildcardIndexRequest {
  folders: string[];
}

/** What indexing the folders gives, as plain data (it crosses from server/wildcardWorker.ts). */
export interface WildcardIndex {
  library: PackedWildcardLibrary;
  /** core's wildcardReferences(library), for the catalog's cycle search. */
  references: [string, string[]][];
  /** The files read; a `.txt` file's content left empty (nothing looks it up once the library is built). */
  sources: WildcardSource[];
  /** Problems reading the folders, each naming its file. */
  problems: string[];
  files: number;
  /** CPU milliseconds of the thread that indexed, where known. */
  cpuMs?: number;
}

/** Reads the folders and builds their library (in server/wildcardWorker.ts, or in-thread where it is absent). */
export function indexWildcardFolders(folders: readonly string[]): WildcardIndex {
  const problems: string[] = [];
  const sources = folders.flatMap((folder) => readWildcardFolder(folder, problems));
  const library = wildcardLibrary(sources);
  return { library: library.pack(), references: wildcardReferences(library), sources: sources.map((s) => (s.path.endsWith('.txt') ? { ...s, content: '' } : s)), problems, files: sources.length };
}
