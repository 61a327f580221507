// Finds what a user's own UI folder holds, laid out as each UI lays it out: A1111 / Forge / reForge /
// SD.Next (`tagsmith.webuiFolder`) and ComfyUI (`tagsmith.comfyuiFolder`, plus its extra_model_paths.yaml).
// Only folders and files that exist are returned; what was looked for and not found is not an error.

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';

export interface UiFolders {
  loraFolders: string[];
  embeddingFolders: string[];
  wildcardFolders: string[];
  tagFiles: string[];
  styleFiles: string[];
  /** Lines for the log: what was read and what could not be. */
  notes: string[];
}

export function emptyUiFolders(): UiFolders {
  return { loraFolders: [], embeddingFolders: [], wildcardFolders: [], tagFiles: [], styleFiles: [], notes: [] };
}

const isDirectory = (p: string): boolean => {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
};
const isFile = (p: string): boolean => {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
};

/** The sub-folders of `dir` (sorted; none when unreadable). */
function subfolders(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory() || (e.isSymbolicLink() && isDirectory(path.join(dir, e.name))))
      .map((e) => path.join(dir, e.name))
      .sort();
  } catch {
    return [];
  }
}

function pushExisting(list: string[], candidates: string[], test: (p: string) => boolean): void {
  for (const candidate of candidates) if (test(candidate) && !list.includes(candidate)) list.push(candidate);
}

/**
 * A1111's layout (modules/paths_internal.py, extensions-builtin/Lora): `models/Lora`, `models/LyCORIS`,
 * `embeddings` (SD.Next: `models/embeddings`), extensions' `tags/*.csv` (a1111-sd-webui-tagcomplete) and
 * `wildcards` (sd-dynamic-prompts), and `styles.csv`.
 */
export function findWebuiFolders(root: string, into: UiFolders = emptyUiFolders()): UiFolders {
  if (!isDirectory(root)) {
    into.notes.push(`tagsmith.webuiFolder: ${root} is not a folder`);
    return into;
  }
  pushExisting(into.loraFolders, [path.join(root, 'models', 'Lora'), path.join(root, 'models', 'LyCORIS')], isDirectory);
  pushExisting(into.embeddingFolders, [path.join(root, 'embeddings'), path.join(root, 'models', 'embeddings')], isDirectory);
  for (const extension of subfolders(path.join(root, 'extensions'))) {
    const tags = path.join(extension, 'tags');
    if (isDirectory(tags)) {
      try {
        const csvs = readdirSync(tags).filter((f) => f.toLowerCase().endsWith('.csv')).sort();
        pushExisting(into.tagFiles, csvs.map((f) => path.join(tags, f)), isFile);
      } catch (error) {
        into.notes.push(`${tags}: ${(error as Error).message}`);
      }
    }
    pushExisting(into.wildcardFolders, [path.join(extension, 'wildcards')], isDirectory);
  }
  pushExisting(into.styleFiles, [path.join(root, 'styles.csv')], isFile);
  into.notes.push(`tagsmith.webuiFolder ${root}: ${summary(into)}`);
  return into;
}

/**
 * ComfyUI's layout (folder_paths.py): `models/loras`, `models/embeddings`, custom nodes' `wildcards`
 * (comfyui-dynamicprompts, Impact Pack), and the `loras` / `embeddings` entries of extra_model_paths.yaml.
 */
export function findComfyuiFolders(root: string, into: UiFolders = emptyUiFolders()): UiFolders {
  if (!isDirectory(root)) {
    into.notes.push(`tagsmith.comfyuiFolder: ${root} is not a folder`);
    return into;
  }
  pushExisting(into.loraFolders, [path.join(root, 'models', 'loras')], isDirectory);
  pushExisting(into.embeddingFolders, [path.join(root, 'models', 'embeddings')], isDirectory);
  for (const node of subfolders(path.join(root, 'custom_nodes'))) pushExisting(into.wildcardFolders, [path.join(node, 'wildcards')], isDirectory);
  const extra = path.join(root, 'extra_model_paths.yaml');
  if (existsSync(extra)) {
    const paths = readExtraModelPaths(extra, into.notes);
    pushExisting(into.loraFolders, paths.loras, isDirectory);
    pushExisting(into.embeddingFolders, paths.embeddings, isDirectory);
  }
  into.notes.push(`tagsmith.comfyuiFolder ${root}: ${summary(into)}`);
  return into;
}

/**
 * The `loras` and `embeddings` folders of ComfyUI's extra_model_paths.yaml, as utils/extra_config.py reads
 * it: each top-level entry may have a `base_path`; each value is one path per line, joined to base_path or,
 * without one, to the YAML file's folder.
 */
export function readExtraModelPaths(file: string, notes: string[]): { loras: string[]; embeddings: string[] } {
  const result = { loras: [] as string[], embeddings: [] as string[] };
  let config: unknown;
  try {
    const text = readFileSync(file, 'utf8');
    if (text.length > 1024 * 1024) throw new Error('over 1 MB, not read');
    config = parseYaml(text);
  } catch (error) {
    notes.push(`${file}: ${(error as Error).message.split('\n')[0]}`);
    return result;
  }
  if (typeof config !== 'object' || config === null) return result;
  const yamlDir = path.dirname(path.resolve(file));
  for (const [entry, value] of Object.entries(config as Record<string, unknown>)) {
    if (typeof value !== 'object' || value === null) continue;
    const conf = value as Record<string, unknown>;
    let base = typeof conf['base_path'] === 'string' ? expandHome(conf['base_path']) : undefined;
    if (base !== undefined && !path.isAbsolute(base)) base = path.resolve(yamlDir, base);
    for (const kind of ['loras', 'embeddings'] as const) {
      const lines = conf[kind];
      if (lines === undefined) continue;
      if (typeof lines !== 'string') {
        notes.push(`${file}: ${entry}.${kind} is not a string of paths`);
        continue;
      }
      for (const line of lines.split('\n')) {
        const p = line.trim();
        if (p === '') continue;
        result[kind].push(base !== undefined ? path.join(base, p) : path.resolve(yamlDir, p));
      }
    }
  }
  return result;
}

function expandHome(p: string): string {
  const home = process.env.HOME ?? process.env.USERPROFILE;
  return home && (p === '~' || p.startsWith('~/')) ? path.join(home, p.slice(1)) : p;
}

function summary(f: UiFolders): string {
  return [
    `${f.loraFolders.length} LoRA folder(s)`,
    `${f.embeddingFolders.length} embedding folder(s)`,
    `${f.wildcardFolders.length} wildcard folder(s)`,
    `${f.tagFiles.length} tag file(s)`,
    `${f.styleFiles.length} styles file(s)`,
  ].join(', ');
}
