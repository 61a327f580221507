// The user's networks and embeddings as the language features look them up: by the name A1111 matches
// (the file name, or a LoRA's ss_output_name alias unless two networks share it), with the facts of the
// header and sidecars merged in one order (Civitai, then A1111's .json, then the header).

import { distance } from 'fastest-levenshtein';
import { architectureNames, type Architecture, type BaseModel } from './baseModel';
import type { EmbeddingFacts } from './embedding';
import { triggerWords, type A1111Sidecar, type CivitaiSidecar, type NetworkFacts } from './network';

export interface CatalogEntry {
  kind: 'lora' | 'embedding';
  /** The file name without its extension: what `<lora:NAME:…>` and an embedding's bare name match. */
  name: string;
  /** Where it was found, for people; A1111 matches by name only. */
  subfolder: string;
  file: string;
  size: number;
  facts?: NetworkFacts;
  embedding?: EmbeddingFacts;
  a1111?: A1111Sidecar;
  civitai?: CivitaiSidecar;
  description?: string;
  /** Path of the preview image beside it, if any. */
  preview?: string;
}

export class NetworkCatalog {
  private readonly loraByName = new Map<string, CatalogEntry>();
  private readonly embeddingByName = new Map<string, CatalogEntry>();

  constructor(
    readonly loras: readonly CatalogEntry[],
    readonly embeddings: readonly CatalogEntry[],
  ) {
    // A1111's available_network_aliases: names first, then aliases, and an alias that two networks share
    // (forbidden_network_aliases) matches neither.
    const aliasCount = new Map<string, number>();
    for (const lora of loras) {
      const alias = lora.facts?.outputName;
      if (alias && alias !== lora.name) aliasCount.set(alias, (aliasCount.get(alias) ?? 0) + 1);
    }
    for (const lora of loras) {
      const alias = lora.facts?.outputName;
      if (alias && alias !== lora.name && aliasCount.get(alias) === 1 && !this.loraByName.has(alias)) this.loraByName.set(alias, lora);
    }
    for (const lora of loras) this.loraByName.set(lora.name, lora);
    // The CLIP tokenizer lowercases, so A1111 finds an embedding whatever the case of the prompt.
    for (const embedding of embeddings) this.embeddingByName.set(embedding.name.toLowerCase(), embedding);
  }

  static readonly empty = new NetworkCatalog([], []);

  get isEmpty(): boolean {
    return this.loras.length === 0 && this.embeddings.length === 0;
  }

  lora(name: string): CatalogEntry | undefined {
    return this.loraByName.get(name);
  }

  embedding(name: string): CatalogEntry | undefined {
    return this.embeddingByName.get(name.toLowerCase());
  }

  /** Up to `count` names closest to `name` (edit distance, at most a third of the name's length). */
  nearestLoras(name: string, count = 3): string[] {
    return nearest(name, this.loras.map((l) => l.name), count);
  }

  nearestEmbeddings(name: string, count = 3): string[] {
    return nearest(name, this.embeddings.map((e) => e.name), count);
  }
}

function nearest(name: string, names: string[], count: number): string[] {
  const limit = Math.max(2, Math.ceil(name.length / 3));
  const lower = name.toLowerCase();
  return names
    .map((candidate) => ({ candidate, d: distance(lower, candidate.toLowerCase()) }))
    .filter((c) => c.d <= limit)
    .sort((a, b) => a.d - b.d || (a.candidate < b.candidate ? -1 : 1))
    .slice(0, count)
    .map((c) => c.candidate);
}

/** The base model an entry was made for: what Civitai says, else A1111's .json, else its own header. */
export function baseModelOf(entry: CatalogEntry): BaseModel | undefined {
  if (entry.kind === 'embedding' && entry.embedding && entry.embedding.architecture !== 'unknown') {
    return { architecture: entry.embedding.architecture, label: architectureNames[entry.embedding.architecture], source: 'vector width' };
  }
  return entry.civitai?.baseModel ?? entry.a1111?.baseModel ?? entry.facts?.baseModel;
}

/** The weight to insert: the sidecar's preferred weight, else 1. */
export function preferredWeight(entry: CatalogEntry): number {
  return entry.a1111?.preferredWeight ?? 1;
}

export function entryTriggerWords(entry: CatalogEntry, limit?: number): string[] {
  return triggerWords(entry.facts, entry.a1111, entry.civitai, limit);
}

/** Whether a network for `architecture` fits a checkpoint of `profileArchitecture` (unknown fits anything). */
export function fitsArchitecture(architecture: Architecture | undefined, profileArchitecture: Architecture): boolean {
  return architecture === undefined || architecture === 'unknown' || profileArchitecture === 'unknown' || architecture === profileArchitecture;
}

/** `12.3 MB` */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 * 1024) return `${(bytes / 1024 ** 3).toFixed(1)} GB`;
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} B`;
}
