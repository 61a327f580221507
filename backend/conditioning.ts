// Prompt conditioning for SDXL as A1111 builds it: both CLIP encoders run on the same 75-token chunks; each
// chunk's penultimate hidden states get the emphasis multipliers with the mean restored (A1111's default
// "Original" emphasis); the two encoders are concatenated to 2048 wide and chunks along the sequence. The
// pooled `text_embeds` of encoder 2 come from the first chunk. An empty negative prompt is all zeros, as
// A1111's SDXL conditioner forces for it.
import * as ort from 'onnxruntime-node';
import type { EncoderInfo, LoadedModel } from './model';
import { readFloats } from './tensors';

/** A 77-token chunk (start token, 75 tokens, end/padding) with one multiplier per position. */
export interface PromptChunk {
  tokens: number[];
  multipliers: number[];
}

/** Turns a prompt into chunks for encoder 0 (CLIP ViT-L) or 1 (OpenCLIP ViT-bigG, padded with token 0). */
export type PromptChunker = (text: string, encoder: 0 | 1) => PromptChunk[];

export interface Conditioning {
  /** [chunks * 77, 2048] */
  context: Float32Array;
  /** [1280] */
  pooled: Float32Array;
  chunks: number;
}

export const CONTEXT_WIDTH = 2048;
export const POOLED_WIDTH = 1280;
/**
 * Chunks a prompt may need: what a render holds grows with them (every chunk is 77 x 2048 floats of context
 * and its share of each encoder's hidden states), so the prompt, not the limits, would bound memory otherwise.
 * 40 chunks are 3,000 tokens, far beyond what SDXL prompts use.
 */
export const MAX_CHUNKS = 40;
/** Chunks per encoder run: bounds the encoders' working memory and lets encoding stop between runs. */
export const ENCODE_BATCH = 4;

/** A prompt the renderer refuses (too many chunks, emphasis that overflows): answered 422 naming the field. */
export class PromptError extends Error {
  constructor(readonly field: 'prompt' | 'negative_prompt', message: string) {
    super(message);
  }
}

/** Largest float32: a multiplier beyond it is Infinity once in a tensor. */
const FLOAT32_MAX = 3.4028234663852886e38;

/** Runs one encoder on all chunks in one batch; returns per-chunk penultimate states and the pooled output. */
async function runEncoder(encoder: EncoderInfo, chunks: PromptChunk[], pooledName?: string): Promise<{ hidden: Float32Array; pooled?: Float32Array }> {
  const ids = chunks.flatMap((c) => c.tokens);
  const input = encoder.idsType === 'int64' ? new ort.Tensor('int64', BigInt64Array.from(ids, BigInt), [chunks.length, 77]) : new ort.Tensor('int32', Int32Array.from(ids), [chunks.length, 77]);
  const fetches = pooledName ? [encoder.penultimate, pooledName] : [encoder.penultimate];
  const out = await encoder.session.run({ input_ids: input }, fetches);
  const hidden = readFloats(out[encoder.penultimate], encoder.penultimate);
  if (hidden.length !== chunks.length * 77 * encoder.width) {
    throw new Error(`${encoder.penultimate}: expected ${chunks.length}x77x${encoder.width} values, got ${hidden.length}`);
  }
  return { hidden, pooled: pooledName ? readFloats(out[pooledName], pooledName) : undefined };
}

/** A1111's "Original" emphasis on one chunk [77, width]: multiply each token, then rescale to the old mean. */
export function applyEmphasis(z: Float32Array, multipliers: readonly number[], width: number): void {
  if (multipliers.every((m) => m === 1)) return;
  let before = 0;
  for (let i = 0; i < z.length; i++) before += z[i]!;
  let after = 0;
  for (let t = 0; t < 77; t++) {
    const m = multipliers[t] ?? 1;
    for (let d = 0; d < width; d++) after += (z[t * width + d] = z[t * width + d]! * m);
  }
  const scale = before / after;
  for (let i = 0; i < z.length; i++) z[i] = z[i]! * scale;
}

/** Pads with copies of the empty prompt's single chunk up to `count` chunks. */
function padChunks(chunks: PromptChunk[], empty: PromptChunk, count: number): PromptChunk[] {
  const out = chunks.slice();
  while (out.length < count) out.push({ tokens: empty.tokens.slice(), multipliers: empty.multipliers.slice() });
  return out;
}

/** Chunk count a prompt needs (the larger of the two encoders', which chunk the same text the same way). */
export function chunkCount(chunker: PromptChunker, text: string): number {
  return Math.max(chunker(text, 0).length, chunker(text, 1).length);
}

/**
 * Refuses a prompt the renderer should not encode: more than MAX_CHUNKS chunks, or an emphasis weight that is
 * not a finite float32 (`((x:1e308):1e308)` multiplies to Infinity). Cheap: tokenizing only.
 */
export function checkPrompt(chunker: PromptChunker, text: string, field: PromptError['field']): number {
  const count = chunkCount(chunker, text);
  if (count > MAX_CHUNKS) {
    throw new PromptError(field, `needs ${count} chunks of 75 tokens (BREAK starts a new one); at most ${MAX_CHUNKS} are allowed`);
  }
  for (const encoder of [0, 1] as const) {
    for (const chunk of chunker(text, encoder)) {
      const bad = chunk.multipliers.find((m) => !Number.isFinite(m) || Math.abs(m) > FLOAT32_MAX);
      if (bad !== undefined) throw new PromptError(field, `an emphasis weight overflows to ${bad}: weights multiply when brackets nest, and must stay finite`);
    }
  }
  return count;
}

export interface EncodeOptions {
  /** Which request field the text is, for the message when its emphasis overflows. */
  field?: PromptError['field'];
  /** Called before every encoder run; throws to stop encoding (the render worker checks its stop flag). */
  checkpoint?: () => void;
}

/**
 * Encodes `text` by both encoders into `chunks` chunks (padding with empty chunks), ENCODE_BATCH chunks per
 * encoder run, so working memory stays bounded and a stop request is seen between runs.
 */
export async function encodePrompt(model: LoadedModel, chunker: PromptChunker, text: string, chunks: number, zeroWhenEmpty = false, options: EncodeOptions = {}): Promise<Conditioning> {
  const context = new Float32Array(chunks * 77 * CONTEXT_WIDTH);
  if (zeroWhenEmpty && text === '') return { context, pooled: new Float32Array(POOLED_WIDTH), chunks };
  let pooled = new Float32Array(POOLED_WIDTH);
  let column = 0;
  for (const index of [0, 1] as const) {
    const encoder = model.encoders[index];
    const own = chunker(text, index);
    const padded = padChunks(own, chunker('', index)[0]!, chunks);
    const w = encoder.width;
    for (let first = 0; first < chunks; first += ENCODE_BATCH) {
      options.checkpoint?.();
      const batch = padded.slice(first, first + ENCODE_BATCH);
      const { hidden, pooled: p } = await runEncoder(encoder, batch, index === 1 ? 'text_embeds' : undefined);
      for (let b = 0; b < batch.length; b++) {
        const c = first + b;
        const z = hidden.subarray(b * 77 * w, (b + 1) * 77 * w);
        applyEmphasis(z, batch[b]!.multipliers, w);
        if (!z.every(Number.isFinite)) {
          throw new PromptError(options.field ?? 'prompt', `the emphasis weights of chunk ${c + 1} make its conditioning overflow (Infinity or NaN); use smaller weights`);
        }
        for (let t = 0; t < 77; t++) context.set(z.subarray(t * w, (t + 1) * w), (c * 77 + t) * CONTEXT_WIDTH + column);
      }
      // Pooled embeddings: encoder 2's first chunk.
      if (p && first === 0) pooled = p.slice(0, POOLED_WIDTH);
    }
    column += w;
  }
  return { context, pooled, chunks };
}
