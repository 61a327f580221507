// Conditioning on the tiny model, computed by hand from its formulas (backend/testModel.ts header) with the
// fixture vocabulary ("boy" = 513, "solo" = 516, start 520, end 521).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyEmphasis, encodePrompt } from '../../backend/conditioning';
import type { PromptChunker } from '../../backend/conditioning';
import { loadModel, type LoadedModel } from '../../backend/model';
import { createChunker } from '../../backend/prompts';
import { timeIds } from '../../backend/pipeline';
import { makeTinyModel } from './fixtures';

/** hidden_states.k of the tiny encoder for id at position t, dimension d. */
function hidden(id: number, t: number, d: number, k: number): number {
  const w = d % 2 === 0 ? 1.5 : 0.5;
  const p = (d % 2 === 0 ? t : -t) / 128;
  return ((id % 256) / 256) * w + p + (k * (k + 1)) / 128;
}

describe('applyEmphasis', () => {
  it("multiplies each token's row, then rescales everything to the old mean (A1111 'Original')", () => {
    // two dims, 77 tokens: token 0 = (1, 3), every other token = (1, 1). mean = (4 + 76*2) / 154 = 156/154.
    const z = new Float32Array(154).fill(1);
    z[1] = 3;
    const multipliers = Array(77).fill(1);
    multipliers[0] = 2;
    applyEmphasis(z, multipliers, 2);
    // after multiplying: token 0 = (2, 6), sum = 8 + 152 = 160; scale = 156/160 = 0.975
    expect(z[0]).toBeCloseTo(2 * 0.975, 6);
    expect(z[1]).toBeCloseTo(6 * 0.975, 6);
    expect(z[2]).toBeCloseTo(0.975, 6);
    expect(z.reduce((a, b) => a + b, 0) / 154).toBeCloseTo(156 / 154, 6);
  });
});

describe('encodePrompt on the tiny model', () => {
  let model: LoadedModel;
  let chunker: PromptChunker;
  beforeAll(async () => {
    model = await loadModel(makeTinyModel({ vocab: 'fixture' }));
    chunker = createChunker(model);
  });
  afterAll(() => model?.dispose());

  it('concatenates the penultimate states of both encoders (768 + 1280) with emphasis and restored mean', async () => {
    const { context, pooled, chunks } = await encodePrompt(model, chunker, '(boy:1.5) solo', 1);
    expect(chunks).toBe(1);
    expect(context.length).toBe(77 * 2048);
    const ids1 = [520, 513, 516, ...Array(74).fill(521)];
    const ids2 = [520, 513, 516, 521, ...Array(73).fill(0)];
    const mult = [1, 1.5, ...Array(75).fill(1)];
    // expected per encoder: z = hidden(penultimate) * mult[t], then scaled by mean(before)/mean(after)
    for (const [ids, width, k, column] of [[ids1, 768, 11, 0], [ids2, 1280, 31, 768]] as const) {
      let before = 0, after = 0;
      for (let t = 0; t < 77; t++) for (let d = 0; d < width; d++) (before += hidden(ids[t]!, t, d, k)), (after += hidden(ids[t]!, t, d, k) * mult[t]!);
      const scale = before / after;
      for (const [t, d] of [[0, 0], [1, 0], [1, 1], [2, 5], [40, width - 1]] as const) {
        expect(context[t * 2048 + column + d]).toBeCloseTo(hidden(ids[t]!, t, d, k) * mult[t]! * scale, 4);
      }
    }
    // pooled = mean over tokens of encoder 2's last layer (k = 32), no emphasis
    let sum = 0;
    for (let t = 0; t < 77; t++) sum += hidden(ids2[t]!, t, 10, 32);
    expect(pooled[10]).toBeCloseTo(sum / 77, 4);
  });

  it('pads to the requested number of chunks with the empty prompt, and zeroes an empty negative prompt', async () => {
    const two = await encodePrompt(model, chunker, 'boy', 2);
    expect(two.context.length).toBe(2 * 77 * 2048);
    // chunk 2 is the empty prompt: start, then end tokens (encoder 1), start, end, zeros (encoder 2)
    expect(two.context[77 * 2048 + 3 * 2048]).toBeCloseTo(hidden(521, 3, 0, 11), 4);
    expect(two.context[77 * 2048 + 3 * 2048 + 768]).toBeCloseTo(hidden(0, 3, 0, 31), 4);
    const zero = await encodePrompt(model, chunker, '', 2, true);
    expect(zero.context.every((v) => v === 0) && zero.pooled.every((v) => v === 0)).toBe(true);
  });

  it('time ids are (orig h, orig w, crop top, crop left, target h, target w)', () => {
    expect(timeIds(832, 1216)).toEqual([1216, 832, 0, 0, 1216, 832]);
  });
});
