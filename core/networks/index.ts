// Extra networks (LoRA, LyCORIS) and textual-inversion embeddings as data: what their safetensors headers
// and sidecar files say. Callers (the server, the CLI) read the files, bounded, and hand the bytes in.

export { MAX_HEADER_BYTES, headerLength, parseSafetensorsHeader, type SafetensorsHeader, type TensorInfo } from './safetensors';
export { architectureNames, architectureOf, baseModelFrom, type Architecture, type BaseModel } from './baseModel';
export {
  MAX_TAGS_PER_NETWORK,
  networkFacts,
  parseA1111Sidecar,
  parseCivitaiSidecar,
  triggerWords,
  type A1111Sidecar,
  type CivitaiSidecar,
  type NetworkFacts,
  type TagCount,
} from './network';
export { embeddingFacts, type EmbeddingFacts } from './embedding';
export { baseModelOf, entryTriggerWords, fitsArchitecture, formatBytes, NetworkCatalog, preferredWeight, type CatalogEntry } from './catalog';

/** The file extensions A1111 lists as networks (extensions-builtin/Lora) and as embeddings. */
export const NETWORK_EXTENSIONS = ['.safetensors', '.pt', '.ckpt'];
export const EMBEDDING_EXTENSIONS = ['.safetensors', '.pt', '.bin'];

/**
 * The preview files A1111's extra-networks page looks for beside `base` (the network's path without its
 * extension), in its order: `<base>.<ext>` then `<base>.preview.<ext>` for png, jpg, jpeg, webp, gif.
 */
export function previewCandidates(base: string): string[] {
  return ['png', 'jpg', 'jpeg', 'webp', 'gif'].flatMap((ext) => [`${base}.${ext}`, `${base}.preview.${ext}`]);
}

/** The sidecar files of a network at `base` (its path without extension). */
export function sidecarPaths(base: string): { a1111: string; civitai: string; description: string[] } {
  return { a1111: `${base}.json`, civitai: `${base}.civitai.info`, description: [`${base}.txt`, `${base}.description.txt`] };
}
