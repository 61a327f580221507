// Text-to-image for SDXL, decomposed as diffusers' StableDiffusionXLPipeline (encode_prompt, prepare_latents,
// _get_add_time_ids, the denoising loop, vae.decode) with A1111's conditioning, schedules, seeds and infotext.
import { LRUCache } from 'lru-cache';
import * as ort from 'onnxruntime-node';
import { formatInfotext, type InfotextSettings, promptSchedules, schedulePrompt, type ScheduleEntry } from '../core';
import { checkPrompt, encodePrompt, CONTEXT_WIDTH, MAX_CHUNKS, POOLED_WIDTH, PromptError, type Conditioning, type PromptChunker } from './conditioning';
import { stripExtraNetworks, type ExtraNetworkUse } from './extraNetworks';
import type { LoadedModel } from './model';
import { encodePng } from './png';
import { previewRgb, toByte } from './preview';
import { localNoise, type NoiseStreamFactory, type RngSource } from './rng/noise';
import { planSampling, planTimestep, type SamplingPlan, type ScheduleOptions } from './sampling/plan';
import type { Denoiser } from './sampling/samplers';
import { halfOfFloatBits, halfTable } from './half';
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
  /** An A1111 sampler name ("DPM++ 2M", or an old form such as "DPM++ 2M Karras"). */
  sampler: string;
  /** A1111's `scheduler` (Schedule type, by name or label); undefined or '' is Automatic. */
  scheduler?: string;
  /** A1111's pad_cond_uncond: pad the shorter of prompt and negative with empty chunks so one UNet call serves both. */
  padConds?: boolean;
  /** A1111's sampler-parameter settings (sigma range, rho, SGM noise multiplier, …). */
  scheduleOptions?: ScheduleOptions;
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
  /** Called right before (true) and after (false) each UNet session.run, for the benchmark's thread-CPU figures. */
  onUnetRun?: (starting: boolean) => void;
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
  /** What the builtin backend did not apply (extra networks), for the response's info. */
  notes: string[];
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

/** The entry of a schedule A1111's reconstruct_cond_batch picks at denoiser call `step`: the first whose end step is ≥ it, else the first. */
export function scheduleIndexAt(schedule: readonly ScheduleEntry[], step: number): number {
  for (let i = 0; i < schedule.length; i++) if (step <= schedule[i]![0]) return i;
  return 0;
}

/** What a render conditions on, before encoding: A1111's prompt schedules and AND parts over its total steps. */
export interface ConditioningPlan {
  /** The prompt with extra networks removed, as A1111's extra_networks.parse_prompts leaves it. */
  prompt: string;
  networks: ExtraNetworkUse[];
  /** AND parts: weight and schedule (over `a1111TotalSteps`). */
  parts: { weight: number; schedule: ScheduleEntry[] }[];
  negative: ScheduleEntry[];
  /** The negative prompt's texts are all empty: A1111's SDXL conditioner makes them zeros. */
  negativeZero: boolean;
}

export function planConditioning(prompt: string, negativePrompt: string, totalSteps: number): ConditioningPlan {
  const stripped = stripExtraNetworks(prompt);
  const parts = schedulePrompt(stripped.prompt, totalSteps).subprompts;
  const negative = promptSchedules(negativePrompt, totalSteps);
  return { prompt: stripped.prompt, networks: stripped.networks, parts, negative, negativeZero: negative.every(([, text]) => text === '') };
}

/** The notes a render's info carries for what the builtin backend does not apply. */
function networkNotes(networks: readonly ExtraNetworkUse[]): string[] {
  return networks.map((n) => `${n.text}: not applied (the builtin backend does not load ${n.name === 'lora' || n.name === 'lyco' ? 'LoRA weights' : `${n.name} networks`}; the tag is removed from the prompt as A1111 removes it)`);
}

/** Chunks of conditioning a render holds for all the distinct texts of its schedules (about 250 MB of float32). */
export const MAX_HELD_CHUNKS = 10 * MAX_CHUNKS;

const version = typeof TAGSMITH_VERSION === 'string' ? TAGSMITH_VERSION : 'dev';

export async function txt2img(model: LoadedModel, chunker: PromptChunker, req: RenderRequest, hooks: RenderHooks = {}): Promise<RenderResult> {
  const plan = planSampling(model.schedule, req.sampler, req.scheduler || undefined, req.steps, req.scheduleOptions);
  const batch = req.batchSize;
  const [channels, h, w] = [4, req.height / 8, req.width / 8];
  const perImage = channels * h * w;
  const unetType = model.unet.floatType;

  // A1111's setup_conds: extra networks removed from the prompt, then its AND parts' schedules and the negative
  // prompt's schedule over the sampler's total steps (steps × 2 for second-order samplers); each distinct text
  // encoded once. Checked before anything is allocated: the chunk limit bounds memory, and weights must stay finite.
  const cp = planConditioning(req.prompt, req.negativePrompt, plan.a1111TotalSteps);
  const texts = new Map<string, { text: string; zero: boolean; field: PromptError['field']; chunks: number }>();
  const key = (text: string, zero: boolean) => `${zero ? 1 : 0}\0${text}`;
  const want = (text: string, zero: boolean, field: PromptError['field']) => {
    const k = key(text, zero);
    if (!texts.has(k)) texts.set(k, { text, zero, field, chunks: zero ? 1 : checkPrompt(chunker, text, field) });
  };
  for (const part of cp.parts) for (const [, text] of part.schedule) want(text, false, 'prompt');
  for (const [, text] of cp.negative) want(text, cp.negativeZero, 'negative_prompt');
  if (req.padConds) want('', false, 'prompt');
  // Every distinct text of the schedules is held encoded for the whole render (630 KB per chunk): bounded, as the
  // chunks of one prompt are. Alternations with several periods or many edits over many steps reach it.
  let held = 0;
  for (const t of texts.values()) held += t.chunks;
  if (held > MAX_HELD_CHUNKS) {
    throw new PromptError('prompt', `its prompt schedules need ${texts.size} distinct texts of ${held} chunks in all; at most ${MAX_HELD_CHUNKS} chunks are held per render (fewer alternations or edits, or fewer steps)`);
  }
  // Encoding stops between encoder runs as sampling does between steps.
  const checkpoint = () => {
    hooks.checkpoint?.();
    if (hooks.signal?.aborted) throw hooks.signal.reason instanceof Error ? hooks.signal.reason : new Error('cancelled');
  };
  const encoded = new Map<string, Conditioning>();
  for (const [k, t] of texts) {
    encoded.set(k, await encodePrompt(model, chunker, t.text, t.chunks, t.zero, { field: t.field, checkpoint }));
  }
  checkpoint();
  const empty = req.padConds ? encoded.get(key('', false))! : undefined;
  const timeIdRow = Float32Array.from(timeIds(req.width, req.height));

  /** UNet feeds for entries' conditionings, every sequence padded to `seq` rows by `fill`. */
  const feedsFor = (conds: readonly Conditioning[], seq: number, fill: 'last' | 'empty') => {
    const n = conds.length;
    const context = new Float32Array(n * seq * CONTEXT_WIDTH);
    const pooled = new Float32Array(n * POOLED_WIDTH);
    conds.forEach((c, i) => {
      const rows = c.chunks * 77;
      const at = i * seq * CONTEXT_WIDTH;
      context.set(c.context, at);
      if (fill === 'last') {
        // stack_conds: the last vector repeated
        const last = c.context.subarray((rows - 1) * CONTEXT_WIDTH, rows * CONTEXT_WIDTH);
        for (let r = rows; r < seq; r++) context.set(last, at + r * CONTEXT_WIDTH);
      } else {
        // pad_cond: empty-prompt chunks appended
        for (let r = rows; r < seq; r += 77) context.set(empty!.context, at + r * CONTEXT_WIDTH);
      }
      pooled.set(c.pooled, i * POOLED_WIDTH);
    });
    return { context, pooled, n, seq };
  };

  // For each denoiser call: which schedule entries condition it. Feeds are built once per distinct choice.
  type Call = { feeds: Record<string, ort.Tensor>; n: number }[];
  // Alternations switch back and forth: keep a few feeds, not one per step.
  const callCache = new LRUCache<string, { calls: Call; padded: boolean }>({ max: 8 });
  const conditioningAt = (step: number) => {
    const picks = cp.parts.map((p) => scheduleIndexAt(p.schedule, step));
    const negPick = scheduleIndexAt(cp.negative, step);
    const cacheKey = `${picks.join(',')}|${negPick}`;
    let found = callCache.get(cacheKey);
    if (found) return found;
    const partConds = cp.parts.map((p, j) => encoded.get(key(p.schedule[picks[j]!]![1], false))!);
    const uncond = encoded.get(key(cp.negative[negPick]![1], cp.negativeZero))!;
    // reconstruct_multicond_batch: every image's parts stacked, padded to the longest by its last vector.
    const condSeq = Math.max(...partConds.map((c) => c.chunks * 77));
    const condEntries: Conditioning[] = [];
    for (let i = 0; i < batch; i++) condEntries.push(...partConds);
    const uncondEntries: Conditioning[] = Array.from({ length: batch }, () => uncond);
    let seqC = condSeq, seqU = uncond.chunks * 77;
    let padded = false;
    let fillC: 'last' | 'empty' = 'last', fillU: 'last' | 'empty' = 'last';
    if (req.padConds && seqC !== seqU) {
      // pad_cond_uncond: the shorter gets empty-prompt chunks (cond after its own stacking).
      padded = true;
      if (seqC < seqU) {
        fillC = 'empty';
        seqC = seqU;
      } else {
        fillU = 'empty';
        seqU = seqC;
      }
    }
    const groups: ReturnType<typeof feedsFor>[] = [];
    if (seqC === seqU) {
      // One batch: cond then uncond, as cat([tensor, uncond]).
      const c = feedsFor(condEntries, seqC, fillC);
      const u = feedsFor(uncondEntries, seqU, fillU);
      const context = new Float32Array(c.context.length + u.context.length);
      context.set(c.context);
      context.set(u.context, c.context.length);
      const pooled = new Float32Array(c.pooled.length + u.pooled.length);
      pooled.set(c.pooled);
      pooled.set(u.pooled, c.pooled.length);
      groups.push({ context, pooled, n: c.n + u.n, seq: seqC });
    } else {
      // Shapes differ (A1111 1.10's default, pad_cond_uncond off): the conds in one UNet call, the unconds in another.
      groups.push(feedsFor(condEntries, seqC, fillC), feedsFor(uncondEntries, seqU, fillU));
    }
    const calls: Call = groups.map((g) => ({
      n: g.n,
      feeds: {
        encoder_hidden_states: floatTensor(unetType, g.context, [g.n, g.seq, CONTEXT_WIDTH]),
        text_embeds: floatTensor(unetType, g.pooled, [g.n, POOLED_WIDTH]),
        time_ids: floatTensor(unetType, repeat(timeIdRow, g.n), [g.n, 6]),
      },
    }));
    found = { calls, padded };
    callCache.set(cacheKey, found);
    return found;
  };

  const seeds = Array.from({ length: batch }, (_, i) => req.seed + i);
  const noise = (hooks.noise ?? localNoise)(req.rng, seeds, perImage);

  // prepare_latents: the first draw of every image generator, scaled as the sampler asks (sigmas[0] for k-diffusion).
  const x0 = await noise.next();
  for (let i = 0; i < x0.length; i++) x0[i] = x0[i]! * plan.noiseScale;

  const parts = cp.parts.length;
  const entries = batch * parts + batch;
  // Buffers reused by every denoiser call (a fresh 512 KB array costs ~0.4 ms of page faults at 1024x1024): the
  // scaled input, in float16 bits too for a float16 UNet, and the UNet's outputs gathered when several calls answer.
  const input = new Float32Array(entries * perImage);
  const input16 = unetType === 'float16' ? new Uint16Array(entries * perImage) : undefined;
  let outBuffer: Float32Array | undefined;
  let outBuffer16: Uint16Array | undefined;
  const halves = halfTable();
  const weights = cp.parts.map((p) => p.weight * req.cfgScale);
  const { type: tType, rank: tRank } = model.unet.timestep;
  // A1111's CFGDenoiser.step: the denoiser call count (second-order samplers call twice per step), not the sampler step.
  let call = 0;
  let lastPadded = false;
  const denoise: Denoiser = async (x, sigma, _step, out) => {
    const { calls, padded } = conditioningAt(call++);
    lastPadded = padded;
    const cIn = 1 / Math.sqrt(sigma * sigma + 1);
    // x_in: image i repeated once per AND part, then every image once more for the uncond: scaled (and converted to
    // float16) once, its copies copied.
    for (let i = 0; i < batch; i++) {
      const at0 = i * parts * perImage;
      if (input16) {
        const one = scaleToHalfInto(input, input16, at0, x, i * perImage, perImage, cIn);
        for (let j = 1; j < parts; j++) input16.set(one, (i * parts + j) * perImage);
        input16.set(one, (batch * parts + i) * perImage);
      } else {
        scaleInto(input, at0, x, i * perImage, perImage, cIn);
        const one = input.subarray(at0, at0 + perImage);
        for (let j = 1; j < parts; j++) input.set(one, (i * parts + j) * perImage);
        input.set(one, (batch * parts + i) * perImage);
      }
    }
    const t = planTimestep(plan, model.schedule, sigma);
    let first = 0;
    // ε as float32, or as float16 bits read through the table (no float32 copy of the UNet's output).
    let eps32: Float32Array | undefined;
    let eps16: Uint16Array | undefined;
    for (const c of calls) {
      const timestep = timestepTensor(tType, tRank, c.n, t);
      const range = [first * perImage, (first + c.n) * perImage] as const;
      const dims = [c.n, channels, h, w];
      const sample = input16 ? new ort.Tensor('float16', input16.subarray(...range), dims) : floatTensor(unetType, input.subarray(...range), dims);
      hooks.onUnetRun?.(true);
      const started = performance.now();
      const result = await model.unet.session.run({ sample, timestep, ...c.feeds }, ['out_sample']);
      hooks.onUnetTime?.(performance.now() - started);
      hooks.onUnetRun?.(false);
      const value = result.out_sample;
      const bits = value instanceof ort.Tensor && value.type === 'float16' && value.data instanceof Uint16Array ? value.data : undefined;
      const eps = bits ?? readFloats(value, 'unet out_sample');
      if (eps.length !== c.n * perImage) throw new Error(`unet out_sample: expected ${c.n * perImage} values, got ${eps.length}`);
      if (calls.length === 1) {
        if (bits) eps16 = bits;
        else eps32 = eps as Float32Array;
      } else if (bits) {
        (eps16 = outBuffer16 ??= new Uint16Array(entries * perImage)).set(bits, first * perImage);
      } else {
        (eps32 = outBuffer ??= new Float32Array(entries * perImage)).set(eps, first * perImage);
      }
      first += c.n;
    }
    // combine_denoised: denoised = uncond + Σ (cond_j − uncond) · (weight_j · cfg_scale), on the denoised estimates x − σ·ε.
    const denoised = out ?? new Float32Array(x.length);
    for (let i = 0; i < batch; i++) {
      const [u, c] = [(batch * parts + i) * perImage, i * parts * perImage];
      if (eps16) combineDenoisedHalf(denoised, x, eps16, halves, i * perImage, u, c, perImage, parts, sigma, weights);
      else combineDenoised(denoised, x, eps32!, i * perImage, u, c, perImage, parts, sigma, weights);
    }
    return denoised;
  };

  const started = performance.now();
  let last: Float32Array | undefined;
  let interrupted = false;
  let latents: Float32Array;
  try {
    latents = await plan.sample(denoise, x0, plan.sigmas, {
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
    if (plan.outputScale !== 1) for (let i = 0; i < latents.length; i++) latents[i] = latents[i]! * plan.outputScale;
  } catch (error) {
    if (!(hooks.signal?.reason instanceof InterruptError) || !last) throw error;
    latents = last;
    interrupted = true;
  } finally {
    noise.close();
  }

  const infotexts = seeds.map((seed) => formatInfotext(req.prompt, req.negativePrompt, renderInfotextSettings(req, plan, seed, model.name, lastPadded)));
  const images: Buffer[] = [];
  for (let i = 0; i < batch; i++) {
    const rgb = await decodeLatent(model, latents.subarray(i * perImage, (i + 1) * perImage), h, w);
    images.push(encodePng(rgb, req.width, req.height, { parameters: infotexts[i]! }));
  }
  return { images, seeds, infotexts, interrupted, latents, notes: networkNotes(cp.networks) };
}

/**
 * The UNet's timestep input in the type and rank the export declares: a scalar or one per batch entry; float16 and
 * float32 carry k-diffusion's fractional t as A1111 passes it; int64 (exports before late 2024) the nearest integer,
 * the closest value such an export can take (exact for the Uniform schedule and the timestep samplers).
 */
export function timestepTensor(type: LoadedModel['unet']['timestep']['type'], rank: number, batch: number, t: number): ort.Tensor {
  const dims = rank === 0 ? [] : [batch];
  const count = rank === 0 ? 1 : batch;
  if (type === 'int64') return new ort.Tensor('int64', new BigInt64Array(count).fill(BigInt(Math.round(t))), dims);
  return floatTensor(type, new Float32Array(count).fill(t), dims);
}

/** input[at…] = x[from…] · scale, `n` values. */
function scaleInto(input: Float32Array, at: number, x: Float32Array, from: number, n: number, scale: number): void {
  for (let k = 0; k < n; k++) input[at + k] = x[from + k]! * scale;
}

/**
 * scaleInto and floatsToHalfInto in one pass: input[at…] = x[from…] · scale as float32 (the value torch would hold),
 * its float16 bits in input16[at…]; returns that range of input16.
 */
function scaleToHalfInto(input: Float32Array, input16: Uint16Array, at: number, x: Float32Array, from: number, n: number, scale: number): Uint16Array {
  const bits = new Uint32Array(input.buffer, input.byteOffset, input.length);
  for (let k = 0; k < n; k++) {
    input[at + k] = x[from + k]! * scale;
    input16[at + k] = halfOfFloatBits(bits[at + k]!);
  }
  return input16.subarray(at, at + n);
}

/**
 * combine_denoised for one image: denoised = uncond + Σ_j (cond_j − uncond) · w_j on the denoised estimates x − σ·ε.
 * `u`: the uncond's ε offset, `c`: the image's first part's ε offset (its other parts follow). Computed in double and
 * rounded once to float32 on the store (torch rounds every operation; the two are within an ulp, well inside what
 * differs between GPUs anyway) — Math.fround per operation would cost 5x the loop.
 */
function combineDenoised(denoised: Float32Array, x: Float32Array, eps: Float32Array, at: number, u: number, c: number, n: number, parts: number, sigma: number, weights: readonly number[]): void {
  if (parts === 1) {
    const w = weights[0]!;
    for (let k = 0; k < n; k++) {
      const xk = x[at + k]!;
      const du = xk - sigma * eps[u + k]!;
      denoised[at + k] = du + (xk - sigma * eps[c + k]! - du) * w;
    }
    return;
  }
  for (let k = 0; k < n; k++) {
    const xk = x[at + k]!;
    const du = xk - sigma * eps[u + k]!;
    let d = du;
    for (let j = 0; j < parts; j++) d += (xk - sigma * eps[c + j * n + k]! - du) * weights[j]!;
    denoised[at + k] = d;
  }
}

/** combineDenoised with ε as float16 bits, each read through `table` (the float each pattern stands for): the same
 * values as combineDenoised over halfToFloats(eps), without the float32 copy. */
function combineDenoisedHalf(denoised: Float32Array, x: Float32Array, eps: Uint16Array, table: Float32Array, at: number, u: number, c: number, n: number, parts: number, sigma: number, weights: readonly number[]): void {
  if (parts === 1) {
    const w = weights[0]!;
    for (let k = 0; k < n; k++) {
      const xk = x[at + k]!;
      const du = xk - sigma * table[eps[u + k]!]!;
      denoised[at + k] = du + (xk - sigma * table[eps[c + k]!]! - du) * w;
    }
    return;
  }
  for (let k = 0; k < n; k++) {
    const xk = x[at + k]!;
    const du = xk - sigma * table[eps[u + k]!]!;
    let d = du;
    for (let j = 0; j < parts; j++) d += (xk - sigma * table[eps[c + j * n + k]!]! - du) * weights[j]!;
    denoised[at + k] = d;
  }
}

/**
 * The settings line A1111 1.10's create_infotext writes for what this render used, in its order: Steps, Sampler,
 * Schedule type, CFG scale, Seed, Size, Model, RNG (when not GPU: the NV source is GPU's), then the
 * extra_generation_params in the order A1111 sets them (the schedule's during get_sigmas, Pad conds after sampling
 * when the last denoiser call padded), then Version.
 */
export function renderInfotextSettings(req: RenderRequest, plan: SamplingPlan, seed: number, modelName: string, padded: boolean): InfotextSettings {
  const extra: Array<[string, string | number]> = [];
  const value = (v: string | number | boolean): string | number => (typeof v === 'boolean' ? (v ? 'True' : 'False') : v);
  const schedule = plan.infotext['Schedule type'];
  if (req.rng === 'cpu') extra.push(['RNG', 'CPU']);
  for (const [k, v] of Object.entries(plan.infotext)) if (k !== 'Schedule type') extra.push([k, value(v)]);
  if (padded) extra.push(['Pad conds', 'True']);
  extra.push(['Version', `tagsmith-${version}`]);
  return {
    steps: req.steps, sampler: plan.entry.name, scheduleType: schedule === undefined ? undefined : String(schedule),
    cfgScale: req.cfgScale, seed, width: req.width, height: req.height, model: modelName, extra,
  };
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
