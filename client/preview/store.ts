// The preview folder on disk: saved PNGs (as the backend wrote them, infotext included) and history.json.
// Node fs, no `vscode`: the folder path comes from the caller.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { a1111Parameters, readPngText } from '../../core';
import { addEntry, entryFromInfotext, entryId, HISTORY_FILE, MAX_ENTRIES, parseHistory, serializeHistory, type HistoryEntry } from './history';

export class PreviewStore {
  private cache: HistoryEntry[] | undefined;

  constructor(readonly folder: string) {}

  /** The history, newest first (read once, then kept in memory; this window is its only writer while open). */
  entries(): HistoryEntry[] {
    if (this.cache) return this.cache;
    if (!existsSync(this.folder)) return (this.cache = []);
    const pngs = new Set(readdirSync(this.folder).filter((f) => f.endsWith('.png')));
    let text: string | undefined;
    try {
      text = readFileSync(join(this.folder, HISTORY_FILE), 'utf8');
    } catch {
      text = undefined;
    }
    const entries = parseHistory(text, pngs);
    // PNGs the index lacks (it was lost, or another window wrote it): back from their infotext, newest first.
    const known = new Set(entries.map((e) => `${e.id}.png`));
    const orphans = [...pngs].filter((f) => !known.has(f)).sort().reverse().slice(0, MAX_ENTRIES);
    for (const file of orphans) {
      try {
        const infotext = a1111Parameters(readPngText(readFileSync(join(this.folder, file)), (d) => inflateSync(d)));
        const entry = infotext ? entryFromInfotext(file.slice(0, -4), infotext) : undefined;
        if (entry) entries.push(entry);
      } catch {
        // Not a readable PNG: leave it out of the history.
      }
    }
    entries.sort((a, b) => (a.created < b.created ? 1 : a.created > b.created ? -1 : 0));
    return (this.cache = entries.slice(0, MAX_ENTRIES));
  }

  pngPath(id: string): string {
    return join(this.folder, `${id}.png`);
  }

  find(id: string): HistoryEntry | undefined {
    return this.entries().find((e) => e.id === id);
  }

  /** Saves the PNG and adds its entry; the id is made here. */
  add(png: Uint8Array, entry: Omit<HistoryEntry, 'id' | 'created'>, now = new Date()): HistoryEntry {
    mkdirSync(this.folder, { recursive: true });
    let salt = 0;
    let id = entryId(now, entry.seed, salt);
    while (existsSync(this.pngPath(id))) id = entryId(now, entry.seed, ++salt);
    writeFileSync(this.pngPath(id), png);
    const full: HistoryEntry = { ...entry, id, created: now.toISOString() };
    const { entries, dropped } = addEntry(this.entries(), full);
    for (const old of dropped) rmSync(this.pngPath(old), { force: true });
    // Write then rename, so a crash never leaves half an index.
    const tmp = join(this.folder, `${HISTORY_FILE}.${process.pid}.tmp`);
    writeFileSync(tmp, serializeHistory(entries));
    renameSync(tmp, join(this.folder, HISTORY_FILE));
    this.cache = entries;
    return full;
  }
}
