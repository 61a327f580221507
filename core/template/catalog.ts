// The wildcards of the user's folders as the editor looks them up: each collection's values (through the
// library, so globs and `**/` retries resolve as in dynamicprompts), a sample, and where it is defined.

import { distance } from 'fastest-levenshtein';
import { parseTemplate, type TemplateNode } from './parse';
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
  /** Cycle search, memoised over the catalog's life: 1 while on the search path, 2 once done. */
  private readonly cycleState = new Map<string, 1 | 2>();
  /** For each name that reaches a cycle: the name it references on the way there. */
  private readonly cycleNext = new Map<string, string>();

  private readonly collectionRefs?: ReadonlyMap<string, readonly string[]>;

  constructor(
    readonly library: WildcardLibrary | undefined,
    private readonly sources: readonly WildcardSourceFile[],
    /**
     * `wildcardReferences(library)`, when it was computed elsewhere (the server's indexing thread): the cycle
     * search then reads no values here. Without it, each wildcard's values are parsed when first searched.
     */
    references?: Iterable<readonly [string, readonly string[]]>,
  ) {
    if (references) this.collectionRefs = new Map(references);
  }

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

  /**
   * The chain from `name` to a wildcard it already passed through (`['a', 'b', 'a']`), when the values of
   * `__name__` reference, directly or through other wildcards, a wildcard on their own way: dynamicprompts
   * samples each value as a template and has no guard, so such a draw recurses until Python's RecursionError.
   * Undefined when no value leads back. Each wildcard's values are parsed once for the catalog's life; the
   * chain has at most `limit` names (then it ends before its repeat: the last name is not an earlier one).
   */
  cycleFrom(name: string, limit = 8): string[] | undefined {
    if (!this.library) return undefined;
    if (!this.cycleState.has(name)) this.searchCycles(name);
    if (!this.cycleNext.has(name)) return undefined;
    // Every name with a `next` points to another one: following them ends in a repeat.
    const chain = [name];
    const seen = new Set(chain);
    let at = name;
    while (chain.length < limit) {
      at = this.cycleNext.get(at)!;
      chain.push(at);
      if (seen.has(at)) break;
      seen.add(at);
    }
    return chain;
  }

  /** An iterative depth-first search from `root`: a reference to a name still on the path closes a cycle. */
  private searchCycles(root: string): void {
    const state = this.cycleState;
    const next = this.cycleNext;
    const stack: { name: string; refs: string[]; i: number }[] = [{ name: root, refs: this.references(root), i: 0 }];
    state.set(root, 1);
    while (stack.length > 0) {
      const frame = stack[stack.length - 1]!;
      if (frame.i < frame.refs.length) {
        const ref = frame.refs[frame.i++]!;
        const s = state.get(ref);
        if (s === undefined) {
          state.set(ref, 1);
          stack.push({ name: ref, refs: this.references(ref), i: 0 });
        } else if ((s === 1 || next.has(ref)) && !next.has(frame.name)) {
          next.set(frame.name, ref);
        }
        continue;
      }
      stack.pop();
      state.set(frame.name, 2);
      const parent = stack[stack.length - 1];
      if (parent && next.has(frame.name) && !next.has(parent.name)) next.set(parent.name, frame.name);
    }
  }

  /** The wildcard names (as written, not templated) that the values of `__name__` use. */
  private references(name: string): string[] {
    const refs = this.collectionRefs;
    if (!refs) return valueReferences(this.values(name));
    // The values of `__name__` are those of the collections it matches: their references together.
    const matched = this.library!.matchingNames(name);
    if (matched.length === 1) return [...(refs.get(matched[0]!) ?? [])];
    const out = new Set<string>();
    for (const collection of matched) for (const ref of refs.get(collection) ?? []) out.add(ref);
    return [...out];
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

/**
 * Each collection's wildcard references (`[name, names its values use]`, only the collections that use one):
 * what the cycle search reads, computed where the library is built so the editor's thread parses no values.
 */
export function wildcardReferences(library: WildcardLibrary): [string, string[]][] {
  const out: [string, string[]][] = [];
  for (const name of library.names()) {
    const refs = valueReferences(library.textsContaining(name, '__'));
    if (refs.length > 0) out.push([name, refs]);
  }
  return out;
}

/** The wildcard names (as written, not templated) that these values use, each once. */
function valueReferences(values: readonly string[]): string[] {
  const out = new Set<string>();
  for (const value of values) {
    if (!value.includes('__')) continue;
    const parsed = parseTemplate(value);
    if (!parsed.ok) continue;
    const stack: TemplateNode[] = [parsed.node];
    while (stack.length > 0) {
      const node = stack.pop()!;
      switch (node.kind) {
        case 'sequence':
          for (const item of node.items) stack.push(item);
          break;
        case 'variant':
          for (const option of node.options) stack.push(option.value);
          break;
        case 'wildcard':
          if (typeof node.path === 'string') out.add(node.path);
          break;
        case 'assignment':
          stack.push(node.value);
          break;
        case 'access':
          if (node.default) stack.push(node.default);
          break;
        case 'wrap':
          stack.push(node.wrapper, node.inner);
          break;
        case 'literal':
          break;
      }
    }
  }
  return [...out];
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
