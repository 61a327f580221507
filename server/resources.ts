// The files the server reads for the features: tag dictionaries (watched, rebuilt on change), LoRA names,
// the CLIP tokenizer, and the tags used in the workspace's .sdprompt files. This is the only module that
// touches the file system; every problem becomes a log line naming the file (and line, for tag files).

import { readFileSync, watch, type FSWatcher } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { TagIndex } from '../core/dictionary/dictionary';
import { parseDocument, type SdDocument } from '../core/parse';
import { normalizeTag } from '../core/profiles/profile';
import { loadClipTokenizer } from '../core/tokenizer';
import type { ServerSettings } from './settings';
import { clipTokens, estimatedTokens, type TokenSource } from './tokens';

export interface Log {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

interface LoadedTagFile {
  index: TagIndex;
  watcher?: FSWatcher;
}

const MAX_WORKSPACE_FILES = 2000;
const MAX_WORKSPACE_FILE_BYTES = 2 * 1024 * 1024;
const SKIPPED_FOLDERS = new Set(['node_modules', '.git', 'dist', 'out']);

export class Resources {
  private tagFiles = new Map<string, LoadedTagFile>();
  private tagFileOrder: string[] = [];
  loraNames: string[] = [];
  tokenSource: TokenSource = estimatedTokens;
  private tokenizerFolder = '';
  /** Tag uses per file (or open document), by URI; summed on demand. */
  private tagUses = new Map<string, Map<string, number>>();
  private tagTotals: Map<string, number> | undefined;

  constructor(
    private readonly log: Log,
    /** Called after a watched tag file was rebuilt, so diagnostics and completion can refresh. */
    private readonly onChange: () => void,
  ) {}

  get dictionaries(): TagIndex[] {
    return this.tagFileOrder.map((p) => this.tagFiles.get(p)?.index).filter((i): i is TagIndex => i !== undefined);
  }

  get workspaceTags(): Map<string, number> {
    if (!this.tagTotals) {
      const totals = new Map<string, number>();
      for (const uses of this.tagUses.values()) for (const [tag, n] of uses) totals.set(tag, (totals.get(tag) ?? 0) + n);
      this.tagTotals = totals;
    }
    return this.tagTotals;
  }

  /** Loads what the settings name; files already loaded stay as they are. */
  async apply(settings: ServerSettings): Promise<void> {
    await Promise.all([this.loadTagFiles(settings.tagFiles), this.loadLoraNames(settings.loraFolders)]);
    this.loadTokenizer(settings.tokenizerPath || (settings.modelPath ? path.join(settings.modelPath, 'tokenizer') : ''));
  }

  private async loadTagFiles(paths: string[]): Promise<void> {
    const wanted = [...new Set(paths.map((p) => path.resolve(p)))];
    for (const [file, loaded] of this.tagFiles) {
      if (!wanted.includes(file)) {
        loaded.watcher?.close();
        this.tagFiles.delete(file);
      }
    }
    this.tagFileOrder = wanted;
    await Promise.all(wanted.filter((f) => !this.tagFiles.has(f)).map((f) => this.loadTagFile(f)));
  }

  private async loadTagFile(file: string): Promise<void> {
    let content: string;
    try {
      content = await readFile(file, 'utf8');
    } catch (error) {
      this.log.warn(`Tag file ${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); check tagsmith.tagFiles`);
      return;
    }
    const started = performance.now();
    const index = TagIndex.fromCsv(content);
    for (const problem of index.problems) this.log.warn(`Tag file ${file}:${problem.line}: ${problem.message}`);
    this.log.info(`Tag file ${file}: ${index.size} tags indexed in ${Math.round(performance.now() - started)} ms`);
    const previous = this.tagFiles.get(file);
    previous?.watcher?.close();
    if (!this.tagFileOrder.includes(file)) return;
    this.tagFiles.set(file, { index, watcher: this.watchTagFile(file) });
  }

  // Editors replace files on save (rename), so watch the folder and filter by name.
  private watchTagFile(file: string): FSWatcher | undefined {
    let timer: NodeJS.Timeout | undefined;
    try {
      const watcher = watch(path.dirname(file), (_event, name) => {
        if (name !== null && name !== path.basename(file)) return;
        clearTimeout(timer);
        timer = setTimeout(() => {
          void this.loadTagFile(file).then(() => this.onChange());
        }, 200);
      });
      watcher.on('error', () => watcher.close());
      watcher.unref();
      return watcher;
    } catch {
      return undefined;
    }
  }

  private async loadLoraNames(folders: string[]): Promise<void> {
    const names = new Set<string>();
    for (const folder of folders) {
      try {
        const entries = await readdir(folder, { recursive: true });
        for (const entry of entries) {
          if (entry.toLowerCase().endsWith('.safetensors')) names.add(path.basename(entry).replace(/\.safetensors$/i, ''));
        }
      } catch (error) {
        this.log.warn(`LoRA folder ${folder}: cannot list it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); check tagsmith.loraFolders`);
      }
    }
    this.loraNames = [...names].sort((a, b) => a.localeCompare(b));
  }

  private loadTokenizer(folder: string): void {
    if (folder === this.tokenizerFolder) return;
    this.tokenizerFolder = folder;
    this.tokenSource = estimatedTokens;
    if (!folder) return;
    try {
      const read = (name: string): string | undefined => {
        try {
          return readFileSync(path.join(folder, name), 'utf8');
        } catch {
          return undefined;
        }
      };
      this.tokenSource = clipTokens(loadClipTokenizer(read, folder));
      this.log.info(`Tokenizer ${folder}: loaded; token counts are exact`);
    } catch (error) {
      this.log.warn(`Tokenizer ${folder}: ${(error as Error).message}; token counts are estimates`);
    }
  }

  /** Counts the tags of one document (an open one, or a file of the workspace). */
  recordTags(uri: string, doc: SdDocument): void {
    const uses = new Map<string, number>();
    for (const block of doc.blocks) {
      for (const section of [block.prompt, block.negative]) {
        for (const tag of section?.tags ?? []) {
          const key = normalizeTag(tag.value);
          if (key.length > 1 && key.length < 60) uses.set(key, (uses.get(key) ?? 0) + 1);
        }
      }
    }
    this.tagUses.set(uri, uses);
    this.tagTotals = undefined;
  }

  /** A workspace file changed on disk (workspace/didChangeWatchedFiles): count its tags again, or forget it. */
  async fileChanged(uri: string, file: string, deleted: boolean): Promise<void> {
    if (deleted) {
      this.tagUses.delete(uri);
      this.tagTotals = undefined;
      return;
    }
    try {
      if ((await stat(file)).size <= MAX_WORKSPACE_FILE_BYTES) this.recordTags(uri, parseDocument(await readFile(file, 'utf8')));
    } catch {
      this.tagUses.delete(uri);
      this.tagTotals = undefined;
    }
  }

  /** Reads the workspace's .sdprompt files in the background, one at a time. */
  async scanWorkspace(folders: string[], toUri: (file: string) => string, isOpen: (uri: string) => boolean): Promise<void> {
    let count = 0;
    const visit = async (dir: string, depth: number): Promise<void> => {
      if (depth > 8 || count >= MAX_WORKSPACE_FILES) return;
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const entry of entries) {
        if (count >= MAX_WORKSPACE_FILES) return;
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) {
          if (!entry.name.startsWith('.') && !SKIPPED_FOLDERS.has(entry.name)) await visit(full, depth + 1);
        } else if (entry.isFile() && entry.name.endsWith('.sdprompt')) {
          count++;
          const uri = toUri(full);
          if (isOpen(uri)) continue;
          try {
            if ((await stat(full)).size > MAX_WORKSPACE_FILE_BYTES) continue;
            this.recordTags(uri, parseDocument(await readFile(full, 'utf8')));
          } catch {
            // A file that vanished or cannot be read simply adds no tags.
          }
          await new Promise((resolve) => setImmediate(resolve));
        }
      }
    };
    for (const folder of folders) await visit(folder, 0);
  }

  dispose(): void {
    for (const loaded of this.tagFiles.values()) loaded.watcher?.close();
  }
}
