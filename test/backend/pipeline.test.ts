// The whole pipeline on the tiny model, on real ONNX Runtime: determinism, seeds, classifier-free guidance
// exactly as the formula says, interruption, and the infotext in the PNG.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { constant, encodeModel, newGraph, node, valueInfo } from '../../backend/onnxGraph';
import { loadModel, type LoadedModel } from '../../backend/model';
import { InterruptError, txt2img, type RenderRequest } from '../../backend/pipeline';
import { createChunker } from '../../backend/prompts';
import type { PromptChunker } from '../../backend/conditioning';
import { defaultSigmas, trainingSchedule } from '../../backend/sampling/schedule';
import { parseDocument } from '../../core/parse';
import { readPngText } from '../../core/png/readText';
import { makeTinyModel } from './fixtures';

const base: RenderRequest = { prompt: '1boy, solo, black hair', negativePrompt: 'lowres, bad quality', width: 64, height: 64, steps: 4, cfgScale: 5, seed: 42, sampler: 'Euler a', batchSize: 1, rng: 'nv' };

describe.each(['float32', 'float16'] as const)('pipeline on the tiny %s model', (dtype) => {
  let model: LoadedModel;
  let chunker: PromptChunker;
  beforeAll(async () => {
    model = await loadModel(makeTinyModel({ dtype }));
    chunker = createChunker(model);
  });
  afterAll(() => model?.dispose());
  const render = (over: Partial<RenderRequest>) => txt2img(model, chunker, { ...base, ...over });

  it('gives identical PNG bytes for the same seed and a different image for another seed', async () => {
    const a = await render({});
    const b = await render({});
    const c = await render({ seed: 43 });
    expect(a.images[0]!.equals(b.images[0]!)).toBe(true);
    expect(a.images[0]!.equals(c.images[0]!)).toBe(false);
    expect(Array.from(a.latents)).not.toEqual(Array.from(c.latents));
  });

  it('renders every sampler, both noise sources and a batch (seed + i per image)', async () => {
    for (const sampler of ['Euler a', 'Euler', 'DPM++ 2M', 'DPM++ 2M Karras']) {
      const r = await render({ sampler });
      expect(r.images[0]!.subarray(1, 4).toString()).toBe('PNG');
      expect(r.latents.every(Number.isFinite)).toBe(true);
    }
    const batch = await render({ batchSize: 2, rng: 'cpu' });
    expect(batch.seeds).toEqual([42, 43]);
    // image i of a batch is exactly the image of seed + i rendered alone (its own generator, its own infotext)
    const single = await render({ seed: 43, rng: 'cpu' });
    expect(batch.images[1]!.equals(single.images[0]!)).toBe(true);
    expect(batch.images[0]!.equals(single.images[0]!)).toBe(false);
  });

  it('writes the infotext as a tEXt chunk before IDAT that parses back to the same settings', async () => {
    const r = await render({ cfgScale: 6.5, sampler: 'DPM++ 2M Karras', seed: 1234 });
    const png = r.images[0]!;
    const [chunk] = readPngText(png);
    expect(chunk).toMatchObject({ type: 'tEXt', keyword: 'parameters' });
    // before the image data, where readers that stop at IDAT still find it
    expect(png.indexOf('tEXtparameters')).toBeLessThan(png.indexOf('IDAT'));
    const block = parseDocument(chunk!.text).blocks[0]!;
    expect(block.prompt?.text).toBe(base.prompt);
    expect(block.negative?.text).toBe(base.negativePrompt);
    const settings = Object.fromEntries(block.settings!.entries.map((e) => [e.key, e.value]));
    // A1111 1.9+ writes the old "DPM++ 2M Karras" as the sampler and its schedule type
    expect(settings).toMatchObject({ Steps: '4', Sampler: 'DPM++ 2M', 'Schedule type': 'Karras', 'CFG scale': '6.5', Seed: '1234', Size: '64x64', Model: model.name });
  });

  it('stops within one step when interrupted and returns the image of the last step', async () => {
    const controller = new AbortController();
    let unetCalls = 0;
    const r = await txt2img(model, chunker, { ...base, steps: 20 }, {
      signal: controller.signal,
      onUnetTime: () => unetCalls++,
      onProgress: (p) => {
        if (p.step === 3) controller.abort(new InterruptError());
      },
    });
    expect(unetCalls).toBe(3);
    expect(r.interrupted).toBe(true);
    expect(r.images).toHaveLength(1);
  });

  it('reports progress for every step with a decreasing ETA, and previews every N steps', async () => {
    const steps: number[] = [];
    const previews: number[] = [];
    await txt2img(model, chunker, { ...base, steps: 6, previewEvery: 2 }, {
      onProgress: (p) => steps.push(p.step * 100 + p.total),
      onPreview: (png, step) => (expect(png.subarray(1, 4).toString()).toBe('PNG'), previews.push(step)),
    });
    expect(steps).toEqual([106, 206, 306, 406, 506, 606]);
    expect(previews).toEqual([2, 4]);
  });
});

describe('classifier-free guidance on the tiny model, by hand', () => {
  // The tiny model (backend/testModel.ts header) with the fixture vocabulary, where "boy" is the single token
  // 513 and "solo" 516, start 520, end 521. For a prompt of tokens T (n <= 75 of them):
  //   encoder 1 ids: 520, T, 521 x (76 - n)    encoder 2 ids: 520, T, 521, 0 x (75 - n)  (A1111 pads OpenCLIP with 0)
  //   per-token mean of hidden_states.k = (id mod 256)/256 + k(k+1)/128; SDXL takes the penultimate layer:
  //   k = 11 of 12 for encoder 1 (+132/128), k = 31 of 32 for encoder 2 (+992/128); text_embeds is the mean over
  //   tokens of layer 32 (+1056/128).
  //   mean(encoder_hidden_states) M = (768 m1 + 1280 m2) / 2048, mean(text_embeds) P, UNet constant k = M/8 + P/16.
  // An empty negative prompt is all zeros (A1111's SDXL conditioner), so its constant is 0.
  function unetConstant(tokens: number[]): number {
    const ids1 = [520, ...tokens, ...Array(76 - tokens.length).fill(521)];
    const ids2 = [520, ...tokens, 521, ...Array(75 - tokens.length).fill(0)];
    const avg = (ids: number[]) => ids.reduce((s, id) => s + (id % 256) / 256, 0) / 77;
    const m1 = avg(ids1) + 132 / 128, m2 = avg(ids2) + 992 / 128, p = avg(ids2) + 1056 / 128;
    return (0.125 * (768 * m1 + 1280 * m2)) / 2048 + 0.0625 * p;
  }
  // The UNet answers eps = 0.875 c_in x + k (cond) or + k_u (uncond), c_in = 1/sqrt(sigma^2 + 1). CFG on the
  // denoised estimates x - sigma eps gives eps_cfg = 0.875 c_in x + k_u + s (k - k_u), and an Euler step
  // x' = x + eps_cfg (sigma' - sigma). So the final latents are affine in s: L(5) - L(1) = 4 V with
  //   V_0 = 0,  V_{i+1} = V_i (1 + 0.875 c_in(sigma_i) (sigma_{i+1} - sigma_i)) + (k - k_u)(sigma_{i+1} - sigma_i).
  // 4 steps: timesteps linspace(999, 0, 4) = 999, 666, 333, 0, so the sigmas are training sigmas, then 0.
  function expectedV(kDiff: number): number {
    const training = trainingSchedule({}).sigmas;
    const sigmas = [training[999]!, training[666]!, training[333]!, training[0]!, 0];
    let v = 0;
    for (let i = 0; i < 4; i++) {
      const dt = sigmas[i + 1]! - sigmas[i]!;
      v = v * (1 + (0.875 / Math.sqrt(sigmas[i]! ** 2 + 1)) * dt) + kDiff * dt;
    }
    return v;
  }

  for (const dtype of ['float32', 'float16'] as const) {
    describe(dtype, () => {
      let model: LoadedModel;
      let chunker: PromptChunker;
      beforeAll(async () => {
        model = await loadModel(makeTinyModel({ dtype, vocab: 'fixture' }));
        chunker = createChunker(model);
      });
      afterAll(() => model?.dispose());

      it('has the sigmas the derivation uses', () => {
        const s = defaultSigmas(model.schedule, 4);
        const training = trainingSchedule({}).sigmas;
        [training[999]!, training[666]!, training[333]!, training[0]!, 0].forEach((t, i) => expect(s[i]).toBeCloseTo(t, 12));
      });

      const manySolo = Array(70).fill('solo').join(' ');
      // float16 keeps 11 significant bits, too few to see the small shift the "solo" negative gives (~0.02 on
      // latents of ~20), so that case runs in float32 only.
      const cases = [['', undefined], [manySolo, Array(70).fill(516)]] as const;
      for (const [negative, uncondTokens] of dtype === 'float32' ? cases : cases.slice(0, 1)) {
        it(`moves every latent value by 4 V between CFG 1 and 5 (negative prompt "${negative.slice(0, 10)}")`, async () => {
          const request = { ...base, prompt: 'boy', negativePrompt: negative, sampler: 'Euler', steps: 4 };
          const one = await txt2img(model, chunker, { ...request, cfgScale: 1 });
          const five = await txt2img(model, chunker, { ...request, cfgScale: 5 });
          const kDiff = unetConstant([513]) - (uncondTokens === undefined ? 0 : unetConstant(uncondTokens));
          const v = expectedV(kDiff);
          expect(Math.abs(v)).toBeGreaterThan(0.004); // the check is not vacuous
          // float32 latents of magnitude ~20: a few units in the last place, 2e-5, is all the room allowed.
          // float16: each step rounds eps (|eps| < 8: half an ulp = 2^-9) and the UNet input (|x c_in| < 4:
          // 2^-10, times 0.875); the Euler steps multiply those by |d sigma|, which sums to sigma_max = 14.61.
          // Per render (2^-9 + 0.875 * 2^-10) * 14.61 = 0.041; two renders are compared: 0.083.
          const tolerance = dtype === 'float32' ? 2e-5 : 2 * (2 ** -9 + 0.875 * 2 ** -10) * 14.61;
          for (let i = 0; i < one.latents.length; i += 97) expect(Math.abs(five.latents[i]! - one.latents[i]! - 4 * v)).toBeLessThan(tolerance);
        });
      }
    });
  }
});

describe('model variants', () => {
  it('renders with an int64 [batch] timestep UNet (older Optimum exports)', async () => {
    const model = await loadModel(makeTinyModel({ timestep: 'int64' }));
    try {
      const r = await txt2img(model, createChunker(model), base);
      expect(r.latents.every(Number.isFinite)).toBe(true);
    } finally {
      await model.dispose();
    }
  });

  it('says the SDXL VAE overflows in float16 when a float16 decoder gives infinities', async () => {
    const dir = makeTinyModel();
    const g = newGraph();
    g.inputs.push(valueInfo('latent_sample', 'float16', ['batch', 4, 'h', 'w']));
    constant(g, 'w', 'float16', [3, 4, 1, 1], Array(12).fill(60000));
    constant(g, 'scales', 'float32', [4], [1, 1, 8, 8]);
    node(g, 'Conv', ['latent_sample', 'w'], ['rgb']);
    node(g, 'Resize', ['rgb', '', 'scales'], ['sample'], { mode: 'nearest' });
    g.outputs.push(valueInfo('sample', 'float16', ['batch', 3, 'H', 'W']));
    writeFileSync(join(dir, 'vae_decoder/model.onnx'), encodeModel(g, 'vae'));
    const model = await loadModel(dir);
    try {
      expect(model.vae.floatType).toBe('float16');
      await expect(txt2img(model, createChunker(model), base)).rejects.toThrow(/vae_decoder\/model\.onnx: the decoded image holds -?Infinity values — the SDXL VAE overflows in float16/);
    } finally {
      await model.dispose();
    }
  });
});
