// Text-to-image for SDXL, decomposed as diffusers' StableDiffusionXLPipeline (encode_prompt, prepare_latents,
// _get_add_time_ids, the denoising loop, vae.decode) with A1111's conditioning, schedules, seeds and infotext.
import * as ort from 'onnxruntime-node';
import { formatInfotext } from '../core/infotext';
import { checkPrompt, encodePrompt, CONTEXT_WIDTH, POOLED_WIDTH, type PromptChunker } from './conditioning';
import type { LoadedModel } from './model';
import { encodePng } from './png';
import { previewRgb, toByte } from './preview';
import { localNoise, type NoiseStreamFactory, type RngSource } from './rng/noise';
import { defaultSigmas, karrasSigmas, sigmaToTimestep } from './sampling/schedule';
import { findSampler, type Denoiser } from './sampling/samplers';
import { floatTensor, readFloats } from './tensors';

export interface RenderRequest {
  prompt: string;
  negativePrompt: string;
  width: number;
  height: number;
  steps: number;
  cfgScale: number;
  /** The first image's seed; image i uses seed + i. */
  seed: number;
  sampler: string;
  batchSize: number;
  rng: RngSource;
  /** Emit a preview every this many steps (0: never). */
  previewEvery?: number;
}

export interface Progress {
  step: number;
  total: number;
  /** Seconds left, from the mean step time so far. */
  etaSeconds: number;
}

export interface RenderHooks {
  /** Abort with `new InterruptError()` to stop and keep the current estimate (A1111's Interrupt); any other reason cancels. */
  signal?: AbortSignal;
  onProgress?: (progress: Progress) => void;
  onPreview?: (png: Buffer, step: number) => void;
  /** Milliseconds spent in each UNet session.run, for the benchmark. */
  onUnetTime?: (ms: number) => void;
  /** Where the noise is drawn; the render worker draws it one step ahead on a helper thread. */
  noise?: NoiseStreamFactory;
  /** Called before each encoder run (the render worker looks at its stop flag there, aborting `signal`). */
  checkpoint?: () => void;
}

export interface RenderResult {
  images: Buffer[];
  seeds: number[];
  infotexts: string[];
  interrupted: boolean;
  /** Final latents of every image, [batch, 4, h/8, w/8]. */
  latents: Float32Array;
}

/** Stops a render between steps; the images are decoded from the last denoised estimate, as A1111 does. */
export class InterruptError extends Error {
  constructor() {
    super('interrupted');
  }
}

/** [orig h, orig w, crop top, crop left, target h, target w], as A1111 conditions SDXL. */
export function timeIds(width: number, height: number): number[] {
  return [height, width, 0, 0, height, width];
}

/** Repeats `one` `times` times into a new array. */
function repeat(one: Float32Array, times: number): Float32Array {
  const out = new Float32Array(one.length * times);
  for (let i = 0; i < times; i++) out.set(one, i * one.length);
  return out;
}

export async function txt2img(model: LoadedModel, chunker: PromptChunker, req: RenderRequest, hooks: RenderHooks = {}): Promise<RenderResult> {
  const sampler = findSampler(req.sampler);
  if (!sampler) throw new Error(`unknown sampler "${req.sampler}"`);
  const batch = req.batchSize;
  const [channels, h, w] = [4, req.height / 8, req.width / 8];
  const perImage = channels * h * w;
  const unetType = model.unet.floatType;

  // encode_prompt: cond and uncond with the same number of chunks, so one UNet call of batch 2 serves both.
  // Checked before anything is allocated: the chunk limit bounds memory, and weights must stay finite.
  const chunks = Math.max(checkPrompt(chunker, req.prompt, 'prompt'), checkPrompt(chunker, req.negativePrompt, 'negative_prompt'));
  // Encoding stops between encoder runs as sampling does between steps.
  const checkpoint = () => {
    hooks.checkpoint?.();
    if (hooks.signal?.aborted) throw hooks.signal.reason instanceof Error ? hooks.signal.reason : new Error('cancelled');
  };
  const cond = await encodePrompt(model, chunker, req.prompt, chunks, false, { field: 'prompt', checkpoint });
  const uncond = await encodePrompt(model, chunker, req.negativePrompt, chunks, true, { field: 'negative_prompt', checkpoint });
  checkpoint();
  const seq = chunks * 77;
  const context = new Float32Array(2 * batch * seq * CONTEXT_WIDTH);
  const pooled = new Float32Array(2 * batch * POOLED_WIDTH);
  for (let i = 0; i < batch; i++) {
    context.set(cond.context, i * seq * CONTEXT_WIDTH);
    context.set(uncond.context, (batch + i) * seq * CONTEXT_WIDTH);
    pooled.set(cond.pooled, i * POOLED_WIDTH);
    pooled.set(uncond.pooled, (batch + i) * POOLED_WIDTH);
  }
  // These feeds do not change between steps: built once.
  const fixedFeeds = {
    encoder_hidden_states: floatTensor(unetType, context, [2 * batch, seq, CONTEXT_WIDTH]),
    text_embeds: floatTensor(unetType, pooled, [2 * batch, POOLED_WIDTH]),
    time_ids: floatTensor(unetType, repeat(Float32Array.from(timeIds(req.width, req.height)), 2 * batch), [2 * batch, 6]),
  };

  const sigmas = sampler.schedule === 'karras' ? karrasSigmas(model.schedule, req.steps) : defaultSigmas(model.schedule, req.steps);
  const seeds = Array.from({ length: batch }, (_, i) => req.seed + i);
  const noise = (hooks.noise ?? localNoise)(req.rng, seeds, perImage);

  // prepare_latents: the first draw of every image generator, scaled to the first sigma.
  const x0 = await noise.next();
  for (let i = 0; i < x0.length; i++) x0[i] = x0[i]! * sigmas[0]!;

  const input = new Float32Array(2 * batch * perImage);
  const denoise: Denoiser = async (x, sigma) => {
    const cIn = 1 / Math.sqrt(sigma * sigma + 1);
    for (let i = 0; i < x.length; i++) input[i] = input[i + x.length] = x[i]! * cIn;
    const t = sigmaToTimestep(model.schedule, sigma);
    // A scalar, or one value per batch entry (rank 1), as the export declares it.
    const { type: tType, rank: tRank } = model.unet.timestep;
    const tDims = tRank === 0 ? [] : [2 * batch];
    const timestep = tType === 'int64'
      ? new ort.Tensor('int64', new BigInt64Array(2 * batch).fill(BigInt(Math.round(t))), tDims)
      : floatTensor(tType, new Float32Array(tRank === 0 ? 1 : 2 * batch).fill(t), tDims);
    const started = performance.now();
    const out = await model.unet.session.run({ sample: floatTensor(unetType, input, [2 * batch, channels, h, w]), timestep, ...fixedFeeds }, ['out_sample']);
    hooks.onUnetTime?.(performance.now() - started);
    const eps = readFloats(out.out_sample, 'unet out_sample');
    // denoised = x - sigma * eps per half; classifier-free guidance on the denoised estimates (A1111's order).
    const denoised = new Float32Array(x.length);
    const n = x.length;
    for (let i = 0; i < n; i++) {
      const dc = x[i]! - sigma * eps[i]!;
      const du = x[i]! - sigma * eps[i + n]!;
      denoised[i] = du + (dc - du) * req.cfgScale;
    }
    return denoised;
  };

  const started = performance.now();
  let last: Float32Array | undefined;
  let interrupted = false;
  let latents: Float32Array;
  try {
    latents = await sampler.sample(denoise, x0, sigmas, {
      noise: () => noise.next(),
      signal: hooks.signal,
      onStep: (step, total, denoised) => {
        last = denoised;
        const elapsed = (performance.now() - started) / 1000;
        hooks.onProgress?.({ step: step + 1, total, etaSeconds: (elapsed / (step + 1)) * (total - step - 1) });
        const every = req.previewEvery ?? 0;
        if (hooks.onPreview && every > 0 && (step + 1) % every === 0 && step + 1 < total) {
          hooks.onPreview(encodePng(previewRgb(denoised.subarray(0, perImage), h, w), w, h), step + 1);
        }
      },
    });
  } catch (error) {
    if (!(hooks.signal?.reason instanceof InterruptError) || !last) throw error;
    latents = last;
    interrupted = true;
  } finally {
    noise.close();
  }

  const infotexts = seeds.map((seed) =>
    formatInfotext(req.prompt, req.negativePrompt, {
      steps: req.steps, sampler: sampler.name, cfgScale: req.cfgScale, seed, width: req.width, height: req.height, model: model.name,
    }),
  );
  const images: Buffer[] = [];
  for (let i = 0; i < batch; i++) {
    const rgb = await decodeLatent(model, latents.subarray(i * perImage, (i + 1) * perImage), h, w);
    images.push(encodePng(rgb, req.width, req.height, { parameters: infotexts[i]! }));
  }
  return { images, seeds, infotexts, interrupted, latents };
}

/** vae.decode(latent / scaling_factor) in the decoder's float type, to 8-bit RGB as A1111 converts it. */
async function decodeLatent(model: LoadedModel, latent: Float32Array, h: number, w: number): Promise<Uint8Array> {
  const scaled = new Float32Array(latent.length);
  for (let i = 0; i < latent.length; i++) scaled[i] = latent[i]! / model.scalingFactor;
  const out = await model.vae.session.run({ latent_sample: floatTensor(model.vae.floatType, scaled, [1, 4, h, w]) }, ['sample']);
  const sample = readFloats(out.sample, 'vae_decoder sample');
  const dims = (out.sample as ort.Tensor).dims;
  const [height, width] = [dims[2]!, dims[3]!];
  if (height !== h * 8 || width !== w * 8) throw new Error(`vae_decoder/model.onnx: output "sample" is ${dims.join('x')}; expected 1x3x${h * 8}x${w * 8}`);
  const plane = height * width;
  const rgb = new Uint8Array(plane * 3);
  for (let p = 0; p < plane; p++) {
    for (let c = 0; c < 3; c++) {
      const v = sample[c * plane + p]!;
      if (!Number.isFinite(v)) {
        throw new Error(`vae_decoder/model.onnx: the decoded image holds ${v} values${model.vae.floatType === 'float16' ? ' — the SDXL VAE overflows in float16; export the VAE decoder in float32 (or use the fp16-fix VAE)' : ''}`);
      }
      rgb[p * 3 + c] = toByte(v);
    }
  }
  return rgb;
}
