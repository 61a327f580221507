// The preview folder on disk: saved PNGs (as the backend wrote them, infotext included) and history.json.
// Node fs, no `vscode`: the folder path comes from the caller.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { addEntry, entryId, HISTORY_FILE, parseHistory, serializeHistory, type HistoryEntry } from './history';

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
    return (this.cache = parseHistory(text, pngs));
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
