// A1111's conditioning in the pipeline, on the tiny model with expectations derived by hand: prompt schedules
// picked per denoiser call (reconstruct_cond_batch: the first entry whose end step is >= the call index, over
// total_steps = steps x 2 for second-order samplers), extra networks removed, AND as combine_denoised, and
// pad_cond_uncond.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel, type LoadedModel } from '../../backend/model';
import { planConditioning, scheduleIndexAt, txt2img, type RenderRequest } from '../../backend/pipeline';
import { stripExtraNetworks } from '../../backend/extraNetworks';
import { createChunker } from '../../backend/prompts';
import type { PromptChunker } from '../../backend/conditioning';
import { trainingSchedule } from '../../backend/sampling/schedule';
import { readPngText } from '../../core/png/readText';
import { parseDocument } from '../../core/parse';
import { blockToBody } from '../../cli/commands/render';
import { validateTxt2img } from '../../backend/request';
import { makeTinyModel } from './fixtures';

// The tiny UNet (backend/testModel.ts): eps = 0.875 sample + k(conditioning), k = mean(context)/8 + mean(pooled)/16.
// With the fixture vocabulary "boy" is the single token 513 and "solo" 516, start 520, end 521 (see pipeline.test.ts).
function unetConstant(tokens: number[]): number {
  const ids1 = [520, ...tokens, ...Array(76 - tokens.length).fill(521)];
  const ids2 = [520, ...tokens, 521, ...Array(75 - tokens.length).fill(0)];
  const avg = (ids: number[]) => ids.reduce((s, id) => s + (id % 256) / 256, 0) / 77;
  const m1 = avg(ids1) + 132 / 128, m2 = avg(ids2) + 992 / 128, p = avg(ids2) + 1056 / 128;
  return (0.125 * (768 * m1 + 1280 * m2)) / 2048 + 0.0625 * p;
}
// 40 words "z" are 40 tokens 'z</w>' (id 256 + 122: the byte characters in byte order, then each with </w>); 122 makes
// its constant far from "boy"'s (id 513, mod 256 = 1), so the steps it conditions show clearly.
const SOLO = Array(40).fill('z').join(' ');
const SOLO_ID = 378;
const kBoy = unetConstant([513]);
const kSolo = unetConstant(Array(40).fill(SOLO_ID));

// With an empty negative prompt (all zeros, k_u = 0) the guided derivative is d = (x - D)/sigma = 0.875 c_in x + s Σ w_j k_j.
// Renders of the same seed start from the same x0, and the sampler is affine in x0 and the k's: the difference of two
// renders is the sampler run from x = 0 on the difference of their per-call constants. `kPerCall[n]`: call n's s Σ w k.
const TRAINING = trainingSchedule({}).sigmas;
const SIGMAS_4 = [TRAINING[999]!, TRAINING[666]!, TRAINING[333]!, TRAINING[0]!, 0]; // linspace(999, 0, 4), then 0
function simulate(sampler: 'euler' | 'heun', sigmas: number[], kPerCall: number[]): number {
  let x = 0;
  let call = 0;
  const d = (x: number, sigma: number) => (0.875 / Math.sqrt(sigma * sigma + 1)) * x + kPerCall[call++]!;
  for (let i = 0; i + 1 < sigmas.length; i++) {
    const [s, next] = [sigmas[i]!, sigmas[i + 1]!];
    const d1 = d(x, s);
    if (sampler === 'euler' || next === 0) x += d1 * (next - s);
    else {
      const x2 = x + d1 * (next - s);
      x += ((d1 + d(x2, next)) / 2) * (next - s);
    }
  }
  expect(call).toBe(kPerCall.length); // every call's constant was used
  return x;
}

const base: RenderRequest = { prompt: 'boy', negativePrompt: '', width: 64, height: 64, steps: 4, cfgScale: 5, seed: 42, sampler: 'Euler', batchSize: 1, rng: 'nv' };

describe('which schedule entry each denoiser call uses (reconstruct_cond_batch)', () => {
  it('[a:b:N] over 4 steps: calls 0..N use a, the rest b; N = 0 is b throughout, N >= steps is a throughout', () => {
    const texts = (prompt: string, total: number) => {
      const { parts } = planConditioning(prompt, '', total);
      return Array.from({ length: total }, (_, call) => parts[0]!.schedule[scheduleIndexAt(parts[0]!.schedule, call)]![1]);
    };
    expect(texts('[a:b:1]', 4)).toEqual(['a', 'a', 'b', 'b']);
    expect(texts('[a:b:2]', 4)).toEqual(['a', 'a', 'a', 'b']);
    expect(texts('[a:b:0]', 4)).toEqual(['b', 'b', 'b', 'b']);
    expect(texts('[a:b:999]', 4)).toEqual(['a', 'a', 'a', 'a']);
    // A fraction is of A1111's total steps: Heun's 4 steps are 8 for the schedule, so 0.5 ends a at call 4.
    expect(texts('[a:b:0.5]', 8)).toEqual(['a', 'a', 'a', 'a', 'a', 'b', 'b', 'b']);
    // past the last entry's end (timestep samplers can make more calls than steps) A1111 falls back to entry 0
    expect(scheduleIndexAt([[2, 'a'], [4, 'b']], 5)).toBe(0);
  });

  it('removes extra networks as A1111\'s re.sub(r"<(\\w+):([^>]+)>", "") does, on the prompt only', () => {
    expect(stripExtraNetworks('a <lora:x:1>')).toEqual({ prompt: 'a ', networks: [{ name: 'lora', items: ['x', '1'], text: '<lora:x:1>' }] });
    expect(stripExtraNetworks('<hypernet:h:0.5>b, <lora:y>c').prompt).toBe('b, c');
    // not networks: no name, no args, an empty name, no closing '>'; [^>]+ spans '<' and newlines
    expect(stripExtraNetworks('<:x> <lora:> <a b:c> <lora:x').prompt).toBe('<:x> <lora:> <a b:c> <lora:x');
    expect(stripExtraNetworks('<lora:a<b\nc>d').prompt).toBe('d');
    expect(stripExtraNetworks('<lóra_2:x>').networks[0]!.name).toBe('lóra_2'); // Python's Unicode \w
    // linear on thousands of unclosed tags
    const many = '<lora:x '.repeat(50_000);
    expect(stripExtraNetworks(many).prompt).toBe(many);
    const { parts, negative } = planConditioning('a <lora:x:1> AND b', '<lora:y:1>', 4);
    // (AND's split leaves "a ", whose trailing space get_multicond_prompt_list's weight pattern drops)
    expect(parts.map((p) => p.schedule)).toEqual([[[4, 'a']], [[4, ' b']]]);
    expect(negative).toEqual([[4, '<lora:y:1>']]);
  });
});

describe('schedules, AND and padding rendered on the tiny model', () => {
  let model: LoadedModel;
  let chunker: PromptChunker;
  beforeAll(async () => {
    model = await loadModel(makeTinyModel({ dtype: 'float32', vocab: 'fixture' }));
    chunker = createChunker(model);
  });
  afterAll(() => model?.dispose());
  const render = (over: Partial<RenderRequest>, calls?: { n: number }) =>
    txt2img(model, chunker, { ...base, ...over }, calls ? { onUnetTime: () => calls.n++ } : {});
  // float32 latents of magnitude ~20: a few units in the last place
  const close = (a: Float32Array, b: Float32Array, expected: number, digits = 4) => {
    expect(Math.abs(expected)).toBeGreaterThan(5e-3); // not vacuous
    for (let i = 0; i < a.length; i += 37) expect(a[i]! - b[i]!, `at ${i}`).toBeCloseTo(expected, digits);
  };

  it('has the tokens the derivation uses', () => {
    expect(chunker(SOLO, 0)[0]!.tokens.slice(0, 42)).toEqual([520, ...Array(40).fill(SOLO_ID), 521]);
    expect(chunker('boy', 1)[0]!.tokens.slice(0, 4)).toEqual([520, 513, 521, 0]);
  });

  it('[boy:solo:N] uses boy up to call N and solo after it, step by step (Euler)', async () => {
    const boy = await render({ prompt: 'boy' });
    for (const n of [1, 2]) {
      const edited = await render({ prompt: `[boy:${SOLO}:${n}]` });
      const k = [0, 1, 2, 3].map((call) => (call <= n ? 0 : 5 * (kSolo - kBoy)));
      close(edited.latents, boy.latents, simulate('euler', SIGMAS_4, k));
    }
  });

  it('[a:b:0] renders the same latents and pixels as b, [a:b:999] as a', async () => {
    const pixels = (png: Buffer) => png.subarray(png.indexOf('IDAT'));
    const [a, b] = [await render({ prompt: 'boy' }), await render({ prompt: SOLO })];
    const zero = await render({ prompt: `[boy:${SOLO}:0]` });
    const never = await render({ prompt: `[boy:${SOLO}:999]` });
    expect(zero.latents).toEqual(b.latents);
    expect(pixels(zero.images[0]!).equals(pixels(b.images[0]!))).toBe(true);
    expect(never.latents).toEqual(a.latents);
    expect(pixels(never.images[0]!).equals(pixels(a.images[0]!))).toBe(true);
    expect(a.latents).not.toEqual(b.latents);
  });

  it('a second-order sampler moves the schedule per denoiser call over steps x 2 (Heun: call 3 is step 1\'s second)', async () => {
    const boy = await render({ prompt: 'boy', sampler: 'Heun' });
    const edited = await render({ prompt: `[boy:${SOLO}:2]`, sampler: 'Heun' });
    // 4 steps, 7 calls (the last step to sigma 0 is one call); calls 0, 1, 2 boy, 3..6 solo
    const k = Array.from({ length: 7 }, (_, call) => (call <= 2 ? 0 : 5 * (kSolo - kBoy)));
    close(edited.latents, boy.latents, simulate('heun', SIGMAS_4, k));
    // 0.5 of A1111's 8 total steps is call 4
    const half = await render({ prompt: `[boy:${SOLO}:0.5]`, sampler: 'Heun' });
    close(half.latents, boy.latents, simulate('heun', SIGMAS_4, Array.from({ length: 7 }, (_, call) => (call <= 4 ? 0 : 5 * (kSolo - kBoy)))));
  });

  it('boy <lora:x:1> renders as "boy " and its notes say the network was not applied', async () => {
    const lora = await render({ prompt: 'boy <lora:x:1>' });
    const plain = await render({ prompt: 'boy ' });
    expect(lora.latents).toEqual(plain.latents);
    expect(lora.notes).toHaveLength(1);
    expect(lora.notes[0]).toMatch(/^<lora:x:1>: not applied .*LoRA weights/);
    expect(plain.notes).toEqual([]);
    // the infotext keeps the prompt as written, as A1111's does
    expect(lora.infotexts[0]!.split('\n')[0]).toBe('boy <lora:x:1>');
  });

  it('boy AND solo adds each part\'s guidance: L(boy AND solo) - L(boy) is the render of solo\'s constant alone', async () => {
    const boy = await render({ prompt: 'boy' });
    const both = await render({ prompt: `boy AND ${SOLO}` });
    const solo = await render({ prompt: SOLO });
    expect(both.latents).not.toEqual(boy.latents);
    expect(both.latents).not.toEqual(solo.latents);
    close(both.latents, boy.latents, simulate('euler', SIGMAS_4, Array(4).fill(5 * kSolo)));
    // weights: denoised = uncond + Σ w_j (cond_j - uncond) cfg
    const weighted = await render({ prompt: `boy AND ${SOLO} :0.5` });
    close(weighted.latents, boy.latents, simulate('euler', SIGMAS_4, Array(4).fill(2.5 * kSolo)));
    // parts of different chunk counts are stacked (the shorter repeats its last vector) into one UNet call; the
    // uncond (77 rows) differs in length from them (154), so it is a second call
    const calls = { n: 0 };
    const long = await render({ prompt: `boy AND ${SOLO} BREAK boy` }, calls);
    expect(calls.n).toBe(8);
    expect(long.latents.every(Number.isFinite)).toBe(true);
  });

  it('unpadded by default: separate UNet calls when prompt and negative differ in chunks; padding changes the image there only', async () => {
    const count = { n: 0 };
    const differing = { prompt: 'boy BREAK boy', negativePrompt: SOLO };
    const separate = await render(differing, count);
    expect(count.n).toBe(8); // cond and uncond in two calls per step
    count.n = 0;
    const padded = await render({ ...differing, padConds: true }, count);
    expect(count.n).toBe(4); // one batch once padded
    expect(padded.latents).not.toEqual(separate.latents);
    expect(padded.infotexts[0]).toMatch(/, Pad conds: True, Version: /);
    expect(separate.infotexts[0]).not.toMatch(/Pad conds/);
    // equal chunk counts: one call either way, the same image, nothing written
    const equal = { prompt: 'boy', negativePrompt: SOLO };
    count.n = 0;
    const plain = await render(equal, count);
    expect(count.n).toBe(4);
    const pad = await render({ ...equal, padConds: true });
    expect(pad.latents).toEqual(plain.latents);
    expect(pad.infotexts[0]).toBe(plain.infotexts[0]);
    // hand-derived: padding the uncond's 77 rows with the empty prompt's chunk makes k_u the mean of both chunks
    const kEmpty = unetConstant([]);
    const kU = unetConstant(Array(40).fill(SOLO_ID));
    const kUPadded = (0.125 * ((kU - 0.0625 * poolOf(40, SOLO_ID)) / 0.125 + (kEmpty - 0.0625 * poolOf(0, 0)) / 0.125)) / 2 + 0.0625 * poolOf(40, SOLO_ID);
    // eps_cfg = 0.875 c x + k_u + s (k_c - k_u) = 0.875 c x + s k_c - (s - 1) k_u: the two renders differ by (s - 1)(k_u - k_u')
    // (3 digits: the tiny UNet's float32 ReduceMean over 154 x 2048 values of about 8 carries ~1e-6 of k, which
    // (s - 1) = 4 and the Euler steps' sum of |d sigma| = 14.6 make ~1e-4 in the latents)
    close(padded.latents, separate.latents, simulate('euler', SIGMAS_4, Array(4).fill(-4 * (kUPadded - kU))), 3);
  });

  it('refuses schedules whose distinct texts would hold more than MAX_HELD_CHUNKS chunks, before encoding', async () => {
    // 4 chunks (3 BREAKs) with an alternation of 101 options over 150 steps: 101 distinct texts, 404 chunks, and the
    // empty negative prompt's one
    const options = Array.from({ length: 101 }, (_, i) => `t${i}`).join('|');
    const prompt = `boy BREAK boy BREAK boy BREAK [${options}]`;
    await expect(render({ prompt, steps: 150 })).rejects.toMatchObject({ field: 'prompt', message: expect.stringMatching(/102 distinct texts of 405 chunks in all; at most 400/) });
    // 99 options: 397 chunks, rendered (at 64x64, 150 Euler steps)
    const fits = await render({ prompt: `boy BREAK boy BREAK boy BREAK [${options.split('|').slice(0, 99).join('|')}]`, steps: 150 });
    expect(fits.latents.every(Number.isFinite)).toBe(true);
  });

  it('writes the infotext A1111 1.10 writes for the settings used, and reads it back (import → render → import)', async () => {
    const r = await render({ prompt: 'boy', negativePrompt: SOLO, sampler: 'DPM++ 2M', scheduler: 'exponential', rng: 'cpu', padConds: false });
    const [chunk] = readPngText(r.images[0]!);
    expect(chunk!.text).toBe(`boy\nNegative prompt: ${SOLO}\nSteps: 4, Sampler: DPM++ 2M, Schedule type: Exponential, CFG scale: 5, Seed: 42, Size: 64x64, Model: ${model.name}, RNG: CPU, Version: tagsmith-${TAGSMITH_VERSION}`);
  });

  it('PNG round trip over every setting written: the infotext read back (parseDocument + blockToBody + validateTxt2img) renders the same PNG', async () => {
    const requests: Partial<RenderRequest>[] = [
      { prompt: 'boy BREAK boy', negativePrompt: SOLO, sampler: 'DPM++ 2M Karras', rng: 'cpu', padConds: true, scheduleOptions: { rho: 5 }, cfgScale: 6.5 },
      { prompt: '[boy:solo:0.5] AND boy <lora:x:1>', sampler: 'Euler', scheduler: 'beta', scheduleOptions: { sigmaMin: 0.05, sigmaMax: 10, sgmNoiseMultiplier: true, alwaysDiscardNextToLastSigma: true, betaAlpha: 0.5 } },
      { prompt: 'boy', negativePrompt: 'solo', sampler: 'UniPC', steps: 5 },
      { prompt: 'boy', sampler: 'DPM2 a', scheduler: 'polyexponential', scheduleOptions: { rho: 2 } },
    ];
    const written = new Set<string>();
    for (const over of requests) {
      const first = await render(over);
      const text = readPngText(first.images[0]!)[0]!.text;
      const block = parseDocument(text).blocks[0]!;
      const settings = Object.fromEntries(block.settings!.entries.map((e) => [e.key, e.value]));
      for (const key of Object.keys(settings)) written.add(key);
      const { request, problems } = validateTxt2img(blockToBody(settings, block.prompt?.text ?? '', block.negative?.text ?? ''), 'nv');
      expect(problems).toEqual([]);
      const again = await txt2img(model, chunker, request!);
      expect(again.infotexts[0]).toBe(text);
      expect(again.images[0]!.equals(first.images[0]!)).toBe(true);
    }
    expect([...written].sort()).toEqual([
      'Beta schedule alpha', 'Beta schedule beta', 'CFG scale', 'Discard penultimate sigma', 'Model', 'Pad conds', 'RNG', 'SGM noise multiplier',
      'Schedule max sigma', 'Schedule min sigma', 'Schedule rho', 'Schedule type', 'Seed', 'Size', 'Steps', 'Sampler', 'Version',
    ].sort());
  });
});

/** mean over 77 tokens of encoder 2's layer-32 states for `count` tokens of id `id` (its pooled, tiny model). */
function poolOf(count: number, id: number): number {
  const ids2 = [520, ...Array(count).fill(id), 521, ...Array(75 - count).fill(0)];
  return ids2.reduce((s, t) => s + (t % 256) / 256, 0) / 77 + 1056 / 128;
}
