// Indexes the user's LoRA / LyCORIS and embedding folders: each file's name as A1111 names it (the file name
// without extension, wherever it sits under the folder), its safetensors header (read bounded, never the
// tensors), its sidecars and preview. Bad files become problems naming the file, never exceptions.

import fs from 'node:fs';
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  EMBEDDING_EXTENSIONS,
  embeddingFacts,
  headerLength,
  NETWORK_EXTENSIONS,
  networkFacts,
  parseA1111Sidecar,
  parseCivitaiSidecar,
  parseSafetensorsHeader,
  previewCandidates,
  sidecarPaths,
  type CatalogEntry,
  type SafetensorsHeader,
} from '../core';


/** A network or embedding as indexed: the catalog's entry, plus what was wrong with its files. */
export interface NetworkEntry extends CatalogEntry {
  /** Each names the file and says what is wrong with it. */
  problems: string[];
}

/** Files walked per folder tree, and sidecar sizes read: bounds for a folder pointed at the wrong place. */
const MAX_FILES_PER_FOLDER = 20_000;
const MAX_SIDECAR_BYTES = 1024 * 1024;
const CONCURRENCY = 16;

const openFile = promisify(fs.open);
const readBytes = promisify(fs.read);
const fstatFile = promisify(fs.fstat);
const closeFile = promisify(fs.close);

/**
 * Reads the header of a .safetensors file: 8 bytes, then exactly the length they give, bounded. Callback
 * fs calls (promisified) rather than FileHandle: for thousands of files the handle objects cost more than
 * the reads.
 */
export async function readSafetensorsHeader(file: string, tensors: 'all' | 'names' = 'all', onSize?: (size: number) => void): Promise<{ ok: true; value: SafetensorsHeader } | { ok: false; error: string }> {
  let fd: number | undefined;
  try {
    fd = await openFile(file, 'r');
    const { size } = await fstatFile(fd);
    onSize?.(size);
    const prefix = new Uint8Array(8);
    await readBytes(fd, prefix, 0, 8, 0);
    const length = headerLength(prefix, size);
    if (!length.ok) return length;
    const bytes = new Uint8Array(length.value);
    const { bytesRead } = await readBytes(fd, bytes, 0, length.value, 8);
    if (bytesRead !== length.value) return { ok: false, error: `truncated while reading (${bytesRead} of ${length.value} header bytes)` };
    return parseSafetensorsHeader(bytes, { tensors });
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  } finally {
    if (fd !== undefined) await closeFile(fd).catch(() => {});
  }
}

async function readSmallText(file: string, present: ReadonlySet<string>): Promise<string | undefined> {
  if (!present.has(path.basename(file))) return undefined;
  try {
    const s = await stat(file);
    if (!s.isFile() || s.size > MAX_SIDECAR_BYTES) return undefined;
    return await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
}


interface FoundFile {
  file: string;
  subfolder: string;
  /** The names in the file's folder: sidecars and previews are looked up here, not stat()ed one by one. */
  siblings: ReadonlySet<string>;
}

/** The files under `root` with one of `extensions`, following links once (loop-safe by real path). */
async function walk(root: string, extensions: string[], problems: string[]): Promise<FoundFile[]> {
  const found: FoundFile[] = [];
  const seen = new Set<string>();
  const queue: Array<{ dir: string; subfolder: string }> = [{ dir: root, subfolder: '' }];
  for (let next = 0; next < queue.length && found.length < MAX_FILES_PER_FOLDER; next++) {
    const { dir, subfolder } = queue[next]!;
    let real: string;
    try {
      real = await realpath(dir);
    } catch (error) {
      problems.push(`${dir}: ${(error as Error).message}`);
      continue;
    }
    if (seen.has(real)) continue;
    seen.add(real);
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      problems.push(`${dir}: ${(error as Error).message}`);
      continue;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const siblings = new Set(entries.map((e) => e.name));
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const full = path.join(dir, entry.name);
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        try {
          const s = await stat(full);
          isDir = s.isDirectory();
          isFile = s.isFile();
        } catch {
          problems.push(`${full}: a broken link, skipped`);
          continue;
        }
      }
      if (isDir) queue.push({ dir: full, subfolder: subfolder ? `${subfolder}/${entry.name}` : entry.name });
      else if (isFile && extensions.includes(path.extname(entry.name).toLowerCase())) found.push({ file: full, subfolder, siblings });
    }
  }
  if (found.length >= MAX_FILES_PER_FOLDER) problems.push(`${root}: over ${MAX_FILES_PER_FOLDER} files; the rest are not indexed`);
  return found;
}

async function indexFile(kind: NetworkEntry['kind'], { file, subfolder, siblings }: FoundFile): Promise<NetworkEntry> {
  const ext = path.extname(file);
  const base = file.slice(0, file.length - ext.length);
  const entry: NetworkEntry = { kind, name: path.basename(base), file, subfolder, size: 0, problems: [] };
  if (ext.toLowerCase() !== '.safetensors') {
    try {
      entry.size = (await stat(file)).size;
    } catch (error) {
      entry.problems.push(`${file}: ${(error as Error).message}`);
    }
  } else {
    // A LoRA's thousands of tensors matter only by name (and only without metadata); an embedding's by shape.
    const header = await readSafetensorsHeader(file, kind === 'lora' ? 'names' : 'all', (size) => (entry.size = size));
    if (!header.ok) {
      entry.problems.push(`${file}: ${header.error}`);
    } else if (kind === 'lora') {
      entry.facts = networkFacts(header.value);
      for (const p of entry.facts.problems) entry.problems.push(`${file}: ${p}`);
    } else {
      const facts = embeddingFacts(header.value);
      if (facts.ok) entry.embedding = facts.value;
      else entry.problems.push(`${file}: not an embedding: ${facts.error}`);
    }
  }
  const sidecars = sidecarPaths(base);
  const [a1111Text, civitaiText, description, preview] = await Promise.all([
    readSmallText(sidecars.a1111, siblings),
    readSmallText(sidecars.civitai, siblings),
    (async () => {
      for (const candidate of sidecars.description) {
        const text = await readSmallText(candidate, siblings);
        if (text !== undefined) return text.trim();
      }
      return undefined;
    })(),
    previewCandidates(base).find((candidate) => siblings.has(path.basename(candidate))),
  ]);
  if (a1111Text !== undefined) {
    const parsed = parseA1111Sidecar(a1111Text);
    if (parsed.ok) {
      entry.a1111 = parsed.value;
      for (const p of parsed.problems) entry.problems.push(`${sidecars.a1111}: ${p}`);
    } else {
      entry.problems.push(`${sidecars.a1111}: ${parsed.error}`);
    }
  }
  if (civitaiText !== undefined) {
    const parsed = parseCivitaiSidecar(civitaiText);
    if (parsed.ok) {
      entry.civitai = parsed.value;
      for (const p of parsed.problems) entry.problems.push(`${sidecars.civitai}: ${p}`);
    } else {
      entry.problems.push(`${sidecars.civitai}: ${parsed.error}`);
    }
  }
  if (description) entry.description = description;
  if (preview) entry.preview = preview;
  return entry;
}

/** Runs `work` over `items` with at most CONCURRENCY in flight, results in input order. */
async function mapLimited<T, R>(items: T[], work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(CONCURRENCY, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await work(items[i]!);
      }
    }),
  );
  return results;
}

export interface IndexedNetworks {
  loras: NetworkEntry[];
  embeddings: NetworkEntry[];
  /** Folder-level problems (unreadable folders, broken links, caps reached). */
  problems: string[];
}

/**
 * Indexes the folders. Like A1111, a later file with the same name replaces an earlier one (the folders'
 * order, then sorted paths), so each name appears once.
 */
export async function indexNetworks(loraFolders: string[], embeddingFolders: string[]): Promise<IndexedNetworks> {
  const problems: string[] = [];
  const collect = async (kind: NetworkEntry['kind'], folders: string[], extensions: string[]): Promise<NetworkEntry[]> => {
    const files = (await Promise.all(folders.map((f) => walk(f, extensions, problems)))).flat();
    const entries = await mapLimited(files, (found) => indexFile(kind, found));
    const byName = new Map<string, NetworkEntry>();
    for (const entry of entries) byName.set(entry.name, entry);
    return [...byName.values()];
  };
  const [loras, embeddings] = await Promise.all([
    collect('lora', loraFolders, NETWORK_EXTENSIONS),
    collect('embedding', embeddingFolders, EMBEDDING_EXTENSIONS),
  ]);
  return { loras, embeddings, problems };
}
