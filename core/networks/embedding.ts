// A textual-inversion embedding's shape from its safetensors header, read as A1111's
// create_embedding_from_data reads the loaded tensors: `clip_g` + `clip_l` is an SDXL embedding (vectors =
// clip_g's rows, width 1280 + 768); a file of exactly one tensor is a "diffuser concept" (a 1-D tensor is one
// vector); anything else is not an embedding. A1111 registers an embedding only when its width is the
// loaded model's (2048 for SDXL), so an SD 1.5 embedding (768) is skipped on AnimeBoysXL.

import type { Architecture } from './baseModel';
import type { SafetensorsHeader } from './safetensors';

export interface EmbeddingFacts {
  /** Token positions the embedding takes in a prompt. */
  vectors: number;
  /** A1111's `shape`: the width of one vector (the encoders' widths added for SDXL). */
  width: number;
  /** The text encoders it holds vectors for. */
  encoders: Array<'clip_l' | 'clip_g' | 'single'>;
  architecture: Architecture;
}

const WIDTHS: Record<number, Architecture> = { 768: 'sd1', 1024: 'sd2', 2048: 'sdxl' };

export function embeddingFacts(header: SafetensorsHeader): { ok: true; value: EmbeddingFacts } | { ok: false; error: string } {
  const clipG = header.tensors.get('clip_g');
  const clipL = header.tensors.get('clip_l');
  if (clipG && clipL) {
    const vectors = clipG.shape.length > 1 ? clipG.shape[0]! : 1;
    const width = (clipG.shape.at(-1) ?? 0) + (clipL.shape.at(-1) ?? 0);
    return { ok: true, value: { vectors, width, encoders: ['clip_l', 'clip_g'], architecture: WIDTHS[width] ?? 'unknown' } };
  }
  if (header.tensors.size === 1) {
    const [tensor] = header.tensors.values();
    const shape = tensor!.shape;
    if (shape.length === 0) return { ok: false, error: 'its only tensor is a scalar, not embedding vectors' };
    const vectors = shape.length === 1 ? 1 : shape[0]!;
    const width = shape.at(-1)!;
    return { ok: true, value: { vectors, width, encoders: ['single'], architecture: WIDTHS[width] ?? 'unknown' } };
  }
  return {
    ok: false,
    error: header.tensors.size === 0
      ? 'it holds no tensors'
      : `it holds ${header.tensors.size} tensors and no clip_g/clip_l pair: neither a textual inversion embedding nor a diffuser concept`,
  };
}
