// The wildcards of the user's folders as the editor looks them up: each collection's values (through the
// library, so globs and `**/` retries resolve as in dynamicprompts), a sample, and where it is defined.

import { distance } from 'fastest-levenshtein';
import type { WildcardFile, WildcardLibrary } from './wildcards';

export interface WildcardSourceFile extends WildcardFile {
  /** The file on disk (or any name the caller gives it). */
  file: string;
}

export interface WildcardLocation {
  file: string;
  /** 0-based line of the collection: 0 for a .txt file, the key's line in a .yaml / .json file. */
  line: number;
}

export class WildcardCatalog {
  private names?: string[];

  constructor(
    readonly library: WildcardLibrary | undefined,
    private readonly sources: readonly WildcardSourceFile[],
  ) {}

  static readonly empty = new WildcardCatalog(undefined, []);

  get isEmpty(): boolean {
    return !this.library || this.allNames().length === 0;
  }

  /** Every collection name, sorted. */
  allNames(): string[] {
    return (this.names ??= [...(this.library?.names() ?? [])].sort());
  }

  /** The values `__name__` picks from (empty: an unknown wildcard, which dynamicprompts leaves as written). */
  values(name: string): readonly string[] {
    return this.library?.getValues(name).strings ?? [];
  }

  /** Where a collection is defined; a glob has no one place. */
  location(name: string): WildcardLocation | undefined {
    const parts = name.split('/').filter((p) => p !== '');
    for (const source of this.sources) {
      const rel = source.path.replace(/\.(txt|json|yaml)$/, '');
      if (source.path.endsWith('.txt')) {
        if (rel === parts.join('/')) return { file: source.file, line: 0 };
        continue;
      }
      // A YAML / JSON file: names are its folder plus the key path inside it.
      const folder = source.path.includes('/') ? source.path.slice(0, source.path.lastIndexOf('/')) : '';
      const folderParts = folder === '' ? [] : folder.split('/');
      if (parts.length <= folderParts.length || folderParts.some((p, i) => p !== parts[i])) continue;
      const keys = parts.slice(folderParts.length);
      const line = keyLine(source.content, keys);
      if (line !== undefined) return { file: source.file, line };
    }
    return undefined;
  }

  /** Up to `count` collection names closest to `name`. */
  nearest(name: string, count = 3): string[] {
    const limit = Math.max(2, Math.ceil(name.length / 3));
    return this.allNames()
      .map((candidate) => ({ candidate, d: distance(name, candidate) }))
      .filter((c) => c.d <= limit)
      .sort((a, b) => a.d - b.d || (a.candidate < b.candidate ? -1 : 1))
      .slice(0, count)
      .map((c) => c.candidate);
  }
}

/** The line of the last of `keys`, found after the line of each key before it (YAML `key:` or JSON `"key"`). */
function keyLine(content: string, keys: string[]): number | undefined {
  const lines = content.split('\n');
  let from = 0;
  let found: number | undefined;
  for (const key of keys) {
    const escaped = key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const pattern = new RegExp(`(^|[\\s{,])("${escaped}"|'${escaped}'|${escaped})\\s*:`);
    found = undefined;
    for (let i = from; i < lines.length; i++) {
      if (pattern.test(lines[i]!)) {
        found = i;
        break;
      }
    }
    if (found === undefined) return undefined;
    from = found + 1;
  }
  return found;
}
