// The files the server reads for the features: the shipped danbooru dictionary and tag files (watched,
// rebuilt on change), LoRA names, the CLIP tokenizer (the shipped one unless a folder is set), and the tags
// used in the workspace's .sdprompt files. With server/bundledData.ts the only modules that touch the file
// system; every problem becomes a log line naming the file (and line, for tag files).

import { LRUCache } from 'lru-cache';
import { existsSync, readFileSync, statSync, watch, type FSWatcher } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { TagIndex, parseDocument, type SdDocument, normalizeTag, loadClipTokenizer, parseStylesCsv, type PromptStyle, NetworkCatalog, WildcardCatalog, WildcardLibrary, clipTokens, estimatedTokens, withSdxlEmbeddings, type TokenSource } from '../core';
import { BUNDLED_TOKENIZER_NAME, bundledDictionary, bundledTokenizer } from './bundledData';
import { indexNetworks, type IndexedNetworks } from './networkIndex';
import { Worker } from 'node:worker_threads';
import { indexWildcardFolders, type WildcardIndex, type WildcardIndexRequest } from './wildcardFiles';
import type { ServerSettings } from './settings';
import { emptyUiFolders, findComfyuiFolders, findWebuiFolders, type UiFolders } from './uiFolders';

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
/** Preview images inlined in hovers up to this size (a data: URI is a third larger). */
const MAX_PREVIEW_BYTES = 1024 * 1024;
const PREVIEW_TYPES: Record<string, string> = { '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.webp': 'image/webp', '.gif': 'image/gif' };
const MAX_WORKSPACE_FILE_BYTES = 2 * 1024 * 1024;
const SKIPPED_FOLDERS = new Set(['node_modules', '.git', 'dist', 'out']);

export class Resources {
  private tagFiles = new Map<string, LoadedTagFile>();
  private tagFileOrder: string[] = [];
  loraNames: string[] = [];
  /** The tokenizer the settings chose; before the first apply() the shipped one (loaded on first use). */
  private chosenTokens: TokenSource | undefined;
  /** What counts tokens: estimates only when the shipped tokenizer cannot be read. */
  get tokenSource(): TokenSource {
    const base = this.chosenTokens ?? this.bundledTokenSource();
    if (this.withEmbeddings?.base !== base || this.withEmbeddings.networks !== this.networks) {
      this.withEmbeddings = { base, networks: this.networks, source: withSdxlEmbeddings(base, this.networks.embeddings) };
    }
    return this.withEmbeddings.source;
  }
  private withEmbeddings: { base: TokenSource; networks: IndexedNetworks; source: TokenSource } | undefined;
  private set tokenSource(source: TokenSource) {
    this.chosenTokens = source;
  }
  /** The folder the token source was loaded from; '' for the shipped tokenizer; undefined before the first apply(). */
  private tokenizerFolder: string | undefined;
  /** The shipped tokenizer's source, made once so the count cache (keyed by source) survives settings changes. */
  private bundledTokens: TokenSource | undefined;
  /** The shipped dictionary, loaded the first time it is wanted (undefined if unreadable). */
  private builtinIndex: TagIndex | undefined;
  /** `tagsmith.builtinDictionary`; before the first apply() its default, so completion has tags from the start. */
  private builtinOn = true;
  /** Tag uses per file (or open document), by URI; summed on demand. */
  private tagUses = new Map<string, Map<string, number>>();
  private tagTotals: Map<string, number> | undefined;

  constructor(
    private readonly log: Log,
    /** Called after a watched tag file was rebuilt, so diagnostics and completion can refresh. */
    private readonly onChange: () => void,
  ) {}

  /** The user's tag files in settings order, then the shipped dictionary (a tag file's entry wins a lookup). */
  get dictionaries(): TagIndex[] {
    if (this.builtinOn) this.loadBuiltinDictionary(true);
    const files = this.tagFileOrder.map((p) => this.tagFiles.get(p)?.index).filter((i): i is TagIndex => i !== undefined);
    return this.builtinInUse ? [...files, this.builtinIndex!] : files;
  }

  /** How many of `dictionaries` are the user's tag files (the rest is the shipped one). */
  get tagFileCount(): number {
    return this.dictionaries.length - (this.builtinInUse ? 1 : 0);
  }

  /** Whether the shipped dictionary is among `dictionaries`. */
  get builtinInUse(): boolean {
    return this.builtinOn && this.builtinIndex !== undefined;
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
    this.loadBuiltinDictionary(settings.builtinDictionary);
    const found = this.discover(settings);
    await Promise.all([this.loadTagFiles([...settings.tagFiles, ...found.tagFiles]), this.loadNetworks(found), this.loadStyles(found.styleFiles), this.loadWildcards(found.wildcardFolders)]);
    this.loadTokenizer(settings.tokenizerPath || (settings.modelPath ? path.join(settings.modelPath, 'tokenizer') : ''));
  }

  /** The folders and files of the user's UIs, plus the ones the settings name. */
  folders: UiFolders = emptyUiFolders();

  private discover(settings: ServerSettings): UiFolders {
    const found = emptyUiFolders();
    if (settings.webuiFolder) findWebuiFolders(settings.webuiFolder, found);
    if (settings.comfyuiFolder) findComfyuiFolders(settings.comfyuiFolder, found);
    for (const note of found.notes) this.log.info(note);
    const add = (list: string[], more: string[]): void => {
      for (const item of more) if (!list.includes(item)) list.push(item);
    };
    add(found.loraFolders, settings.loraFolders);
    add(found.embeddingFolders, settings.embeddingFolders);
    add(found.wildcardFolders, settings.wildcardFolders);
    this.folders = found;
    return found;
  }

  /** LoRA / LyCORIS networks and embeddings with what their files say (server/networkIndex.ts). */
  networks: IndexedNetworks = { loras: [], embeddings: [], problems: [] };
  /** The same, as the features and checks look them up. */
  catalog: NetworkCatalog = NetworkCatalog.empty;
  private networkFolders = '';
  private networkWatchers: FSWatcher[] = [];

  private async loadNetworks(found: UiFolders): Promise<void> {
    const key = JSON.stringify([found.loraFolders, found.embeddingFolders]);
    if (key === this.networkFolders) return;
    this.networkFolders = key;
    for (const watcher of this.networkWatchers) watcher.close();
    this.networkWatchers = [];
    await this.indexNetworks(found);
    // Re-index (debounced) when a file in the folders changes; recursive watching is native on Linux,
    // macOS and Windows in Node 20.
    let timer: NodeJS.Timeout | undefined;
    for (const folder of [...found.loraFolders, ...found.embeddingFolders]) {
      try {
        const watcher = watch(folder, { recursive: true, persistent: false }, () => {
          clearTimeout(timer);
          timer = setTimeout(() => void this.indexNetworks(found).then(() => this.onChange()), 500);
        });
        watcher.on('error', () => watcher.close());
        this.networkWatchers.push(watcher);
      } catch {
        // a folder that cannot be watched is still indexed; changes show after the next settings change
      }
    }
  }

  /** sd-dynamic-prompts wildcards of the wildcard folders, with where each collection is defined. */
  wildcards: WildcardCatalog = WildcardCatalog.empty;
  private wildcardFolders = '';
  private wildcardWatchers: FSWatcher[] = [];

  private async loadWildcards(folders: string[]): Promise<void> {
    const key = JSON.stringify(folders);
    if (key === this.wildcardFolders) return;
    this.wildcardFolders = key;
    for (const watcher of this.wildcardWatchers) watcher.close();
    this.wildcardWatchers = [];
    const indexed = this.indexWildcards(folders);
    // Re-index (debounced) when a file in the folders changes.
    let timer: NodeJS.Timeout | undefined;
    for (const folder of folders) {
      try {
        const watcher = watch(folder, { recursive: true, persistent: false }, () => {
          clearTimeout(timer);
          timer = setTimeout(() => void this.indexWildcards(folders).then((changed) => changed && this.onChange()), 300);
        });
        watcher.on('error', () => watcher.close());
        this.wildcardWatchers.push(watcher);
      } catch {
        // indexed once; changes show after the next settings change
      }
    }
    await indexed;
  }

  /** The run in flight: a newer one stops it (its result would be stale). */
  private wildcardRun: { worker?: Worker; generation: number } = { generation: 0 };

  /**
   * Reads the folders on a worker thread (dist/wildcardWorker.js: reading and splitting thousands of files
   * would block every request meanwhile), then unpacks the library here; in-thread where the worker file is
   * absent. True when this run's result was kept (no newer run started meanwhile).
   */
  private async indexWildcards(folders: string[]): Promise<boolean> {
    const generation = ++this.wildcardRun.generation;
    this.wildcardRun.worker?.terminate().catch(() => {});
    this.wildcardRun.worker = undefined;
    if (folders.length === 0) {
      this.wildcards = WildcardCatalog.empty;
      return true;
    }
    const started = performance.now();
    let index: WildcardIndex;
    let where = 'on a worker thread';
    try {
      const worker = workerFile();
      if (!worker) where = 'on the main thread (no wildcardWorker.js)';
      index = worker ? await this.indexOffThread(worker, folders, generation) : indexWildcardFolders(folders);
    } catch (error) {
      if (generation !== this.wildcardRun.generation) return false;
      this.log.warn(`Wildcards: the indexing thread failed (${(error as Error).message}); indexing on the main thread`);
      where = 'on the main thread';
      index = indexWildcardFolders(folders);
    }
    if (generation !== this.wildcardRun.generation) return false;
    const library = WildcardLibrary.unpack(index.library);
    for (const problem of [...index.problems, ...library.warnings]) this.log.warn(`Wildcards: ${problem}`);
    this.wildcards = new WildcardCatalog(library, index.sources, index.references);
    this.log.info(`Wildcards: ${library.names().length} collections from ${index.files} files indexed in ${Math.round(performance.now() - started)} ms ${where}${index.cpuMs !== undefined ? `, its CPU ${Math.round(index.cpuMs)} ms` : ''}`);
    return true;
  }

  private indexOffThread(file: string, folders: string[], generation: number): Promise<WildcardIndex> {
    return new Promise<WildcardIndex>((resolve, reject) => {
      const worker = new Worker(file);
      worker.unref();
      this.wildcardRun.worker = worker;
      let settled = false;
      const done = (): void => {
        settled = true;
        if (this.wildcardRun.worker === worker) this.wildcardRun.worker = undefined;
        void worker.terminate().catch(() => {});
      };
      worker.once('message', (index: WildcardIndex) => {
        done();
        resolve(index);
      });
      worker.once('error', (error) => {
        if (settled) return;
        done();
        reject(error);
      });
      worker.once('exit', (code) => {
        if (settled) return;
        settled = true;
        // Terminated by a newer run (its result is dropped), or died without an answer.
        if (generation !== this.wildcardRun.generation) resolve({ library: { collections: [], bytes: new Uint8Array(), warnings: [] }, references: [], sources: [], problems: [], files: 0 });
        else reject(new Error(`exited with code ${code}`));
      });
      worker.postMessage({ folders } satisfies WildcardIndexRequest);
    });
  }

  /** A1111 styles by name, from the styles.csv files found (a later file's style replaces an earlier one). */
  styles: ReadonlyMap<string, PromptStyle> = new Map();

  private async loadStyles(files: string[]): Promise<void> {
    const styles = new Map<string, PromptStyle>();
    for (const file of files) {
      try {
        const parsed = parseStylesCsv(await readFile(file, 'utf8'));
        for (const problem of parsed.problems) this.log.warn(`${file}:${problem.line}: ${problem.message}`);
        for (const [name, style] of parsed.styles) styles.set(name, style);
        this.log.info(`Styles ${file}: ${parsed.styles.size} styles`);
      } catch (error) {
        this.log.warn(`Styles ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
      }
    }
    this.styles = styles;
  }

  /** Preview images read for hovers, most recently used last. */
  /** Preview data: URIs by file (`uri` undefined: not shown), the most recently used 32. */
  private previews = new LRUCache<string, { uri: string | undefined }>({ max: 32 });

  /**
   * A network's preview as a data: URI, which renders in a hover in desktop and browser builds alike
   * (a file: URI does not reach a browser). Images over MAX_PREVIEW_BYTES are not inlined.
   */
  previewUri(file: string): string | undefined {
    const cached = this.previews.get(file);
    if (cached) return cached.uri;
    let uri: string | undefined;
    const mime = PREVIEW_TYPES[path.extname(file).toLowerCase()];
    try {
      if (mime && statSync(file).size <= MAX_PREVIEW_BYTES) uri = `data:${mime};base64,${readFileSync(file).toString('base64')}`;
    } catch (error) {
      this.log.warn(`Preview ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    this.previews.set(file, { uri });
    return uri;
  }

  private async indexNetworks(found: UiFolders): Promise<void> {
    const started = performance.now();
    const networks = await indexNetworks(found.loraFolders, found.embeddingFolders);
    for (const problem of networks.problems) this.log.warn(problem);
    for (const entry of [...networks.loras, ...networks.embeddings]) for (const problem of entry.problems) this.log.warn(problem);
    this.networks = networks;
    this.previews.clear();
    this.catalog = new NetworkCatalog(networks.loras, networks.embeddings);
    this.loraNames = networks.loras.map((e) => e.name).sort((a, b) => a.localeCompare(b));
    if (found.loraFolders.length + found.embeddingFolders.length > 0) {
      this.log.info(`Networks: ${networks.loras.length} LoRA / LyCORIS and ${networks.embeddings.length} embeddings indexed in ${Math.round(performance.now() - started)} ms`);
    }
  }

  private builtinFailed = false;

  private loadBuiltinDictionary(wanted: boolean): void {
    this.builtinOn = wanted;
    if (!wanted || this.builtinIndex || this.builtinFailed) return;
    const started = performance.now();
    try {
      this.builtinIndex = bundledDictionary();
      this.log.info(`Built-in tag dictionary: ${this.builtinIndex.size} tags loaded in ${Math.round(performance.now() - started)} ms`);
    } catch (error) {
      // Said once: a broken install does not get better by changing settings.
      this.builtinFailed = true;
      this.log.error(`Built-in tag dictionary: ${(error as Error).message}`);
    }
  }

  /** The shipped tokenizer's source; estimates (with an error logged once) if its data cannot be read. */
  private bundledTokenSource(): TokenSource {
    if (!this.bundledTokens) {
      const started = performance.now();
      try {
        this.bundledTokens = clipTokens(bundledTokenizer());
        this.log.info(`Tokenizer: ${BUNDLED_TOKENIZER_NAME} loaded in ${Math.round(performance.now() - started)} ms; token counts are exact`);
      } catch (error) {
        this.bundledTokens = estimatedTokens;
        this.log.error(`Tokenizer: ${(error as Error).message}; token counts are estimates`);
      }
    }
    return this.bundledTokens;
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

  private loadTokenizer(folder: string): void {
    if (folder === this.tokenizerFolder) return;
    this.tokenizerFolder = folder;
    if (!folder) {
      this.tokenSource = this.bundledTokenSource();
      return;
    }
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
      this.log.warn(`Tokenizer ${folder}: ${(error as Error).message}; counting with ${BUNDLED_TOKENIZER_NAME} instead`);
      this.tokenSource = this.bundledTokenSource();
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
    for (const watcher of this.networkWatchers) watcher.close();
    for (const watcher of this.wildcardWatchers) watcher.close();
    this.wildcardRun.generation++;
    void this.wildcardRun.worker?.terminate().catch(() => {});
  }
}

/** dist/wildcardWorker.js beside the bundled server (or built, when the server runs from source in tests). */
function workerFile(): string | undefined {
  return [path.join(__dirname, 'wildcardWorker.js'), path.join(__dirname, '..', 'dist', 'wildcardWorker.js')].find((f) => existsSync(f));
}
