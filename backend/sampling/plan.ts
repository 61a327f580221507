// From an A1111 sampler name and schedule type to what the pipeline runs: the sampler function, the sigmas, how to
// scale the first noise and the result, and what the infotext should say. A1111's KDiffusionSampler.get_sigmas and
// CompVisSampler.get_timesteps (1.10), as pure functions of the model's training sigmas.
import type { TrainingSchedule } from './schedule';
import { sigmaToTimestep } from './schedule';
import {
  alignYourStepsSigmas, betaSigmas, ddimScheduleSigmas, exponentialSigmas, karrasRangeSigmas, klOptimalSigmas,
  modelSigmaRange, normalSigmas, polyexponentialSigmas, sgmUniformSigmas, simpleSigmas, uniformSigmas,
} from './schedules';
import {
  sampleDdim, sampleDpm2, sampleDpm2Ancestral, sampleDpmpp2m, sampleDpmpp2sAncestral, sampleEuler, sampleEulerAncestral,
  sampleHeun, sampleLms, samplePlms, type Sampler,
} from './samplers';
import { sampleUniPc, unipcSchedule } from './unipc';
import {
  renderedSamplerNames, resolveSamplerAndScheduler, SCHEDULE_TYPES, type SamplerEntry, type SamplerFunction,
  type ScheduleTypeEntry, type ScheduleTypeName,
} from '../../core';

export const SAMPLER_FUNCTIONS: Readonly<Record<SamplerFunction, Sampler>> = {
  euler_ancestral: sampleEulerAncestral, euler: sampleEuler, lms: sampleLms, heun: sampleHeun, dpm_2: sampleDpm2,
  dpm_2_ancestral: sampleDpm2Ancestral, dpmpp_2s_ancestral: sampleDpmpp2sAncestral, dpmpp_2m: sampleDpmpp2m,
  ddim: sampleDdim, plms: samplePlms, unipc: sampleUniPc,
};

/** A1111 options that change the schedule (Settings → Sampler parameters); all default to A1111's defaults. */
export interface ScheduleOptions {
  /** opts.sigma_min / sigma_max: 0 or undefined means the model's. */
  sigmaMin?: number;
  sigmaMax?: number;
  /** opts.rho: 0 or undefined means the schedule's default (7 Karras, 1 Polyexponential). */
  rho?: number;
  /** opts.use_old_karras_scheduler_sigmas: sigma range 0.1 … 10 for every schedule function. */
  oldKarrasSigmas?: boolean;
  /** opts.always_discard_next_to_last_sigma. */
  alwaysDiscardNextToLastSigma?: boolean;
  /** opts.beta_dist_alpha / beta_dist_beta (0.6, 0.6). */
  betaAlpha?: number;
  betaBeta?: number;
  /** Which Align Your Steps table: SDXL (default) or SD 1.5. */
  aysTable?: 'sdxl' | 'sd15';
  /** opts.sgm_noise_multiplier: k-diffusion samplers start from noise · sqrt(1 + sigma_max²) instead of noise · sigma_max. */
  sgmNoiseMultiplier?: boolean;
}

/** The sigmas of a schedule type for `steps` (already including any discard's + 1), as A1111's scheduler functions. */
export function scheduleSigmas(type: ScheduleTypeName, s: TrainingSchedule, steps: number, options: ScheduleOptions = {}): Float64Array {
  const model = modelSigmaRange(s);
  let { sigmaMin, sigmaMax } = options.oldKarrasSigmas ? { sigmaMin: 0.1, sigmaMax: 10 } : model;
  if (options.sigmaMin && options.sigmaMin !== model.sigmaMin) sigmaMin = options.sigmaMin;
  if (options.sigmaMax && options.sigmaMax !== model.sigmaMax) sigmaMax = options.sigmaMax;
  switch (type) {
    case 'automatic':
    case 'uniform': return uniformSigmas(s, steps);
    case 'karras': return karrasRangeSigmas(steps, sigmaMin, sigmaMax, options.rho || 7);
    case 'exponential': return exponentialSigmas(steps, sigmaMin, sigmaMax);
    case 'polyexponential': return polyexponentialSigmas(steps, sigmaMin, sigmaMax, options.rho || 1);
    case 'sgm_uniform': return sgmUniformSigmas(s, steps, sigmaMin, sigmaMax);
    case 'kl_optimal': return klOptimalSigmas(steps, sigmaMin, sigmaMax);
    case 'align_your_steps': return alignYourStepsSigmas(steps, options.aysTable ?? 'sdxl');
    case 'simple': return simpleSigmas(s, steps);
    case 'normal': return normalSigmas(s, steps, sigmaMin, sigmaMax);
    case 'ddim': return ddimScheduleSigmas(s, steps);
    case 'beta': return betaSigmas(steps, sigmaMin, sigmaMax, options.betaAlpha ?? 0.6, options.betaBeta ?? 0.6);
  }
}

/** Drop the next-to-last sigma (A1111's discard_next_to_last_sigma): [..., a, b, 0] → [..., a, 0]. */
export function discardNextToLast(sigmas: Float64Array): Float64Array {
  if (sigmas.length < 2) return sigmas;
  const out = new Float64Array(sigmas.length - 1);
  out.set(sigmas.subarray(0, sigmas.length - 2));
  out[out.length - 1] = sigmas[sigmas.length - 1]!;
  return out;
}

/**
 * A1111's timestep samplers' timesteps: clip(range(0, 1000, floor(1000/steps)) + 1, 0, 999), increasing. There are
 * ceil(1000/floor(1000/steps)) of them (29 for 28 steps, 20 for 20) and the sampler takes one step fewer; the last
 * step lands on timestep 1, not on sigma 0.
 */
export function timestepSamplerTimesteps(steps: number, count = 1000): number[] {
  const stride = Math.floor(count / steps);
  if (!(stride >= 1)) throw new RangeError(`steps must be between 1 and ${count} (got ${steps})`);
  const out: number[] = [];
  for (let t = 0; t < count; t += stride) out.push(Math.min(Math.max(t + 1, 0), count - 1));
  return out;
}

export interface SamplingPlan {
  entry: SamplerEntry;
  sample: Sampler;
  /** The schedule asked for and the one used (Automatic resolved). */
  scheduler: ScheduleTypeEntry;
  effectiveScheduler: ScheduleTypeEntry;
  /** Sigmas largest first; the sampler takes sigmas.length - 1 steps. k-diffusion schedules end in 0. */
  sigmas: Float64Array;
  /** For timestep samplers: the exact integer UNet timestep of each sigma (same order); undefined for k-diffusion. */
  timesteps?: number[];
  /** Multiply the first noise draw by this (k-diffusion: sigmas[0]; timestep samplers: sqrt(1 + sigmas[0]^2)). */
  noiseScale: number;
  /** Multiply the sampler's result by this before decoding (1, or sqrt(abar) of the last timestep for timestep samplers). */
  outputScale: number;
  /** Sampler steps (progress `total`) and the UNet calls they take. */
  steps: number;
  modelCalls: number;
  /** A1111's total_steps (steps × 2 for second-order samplers): its progress and refiner-switch count. */
  a1111TotalSteps: number;
  /** Noise draws after the first one (ancestral samplers: one per step but the last). */
  noiseDraws: number;
  /** What A1111 writes to infotext for this plan besides "Sampler: <entry.name>" ("Schedule type" goes right after it). */
  infotext: Record<string, string | number | boolean>;
}

export class UnknownSamplerError extends Error {
  constructor(readonly field: 'sampler_name' | 'scheduler' | 'steps', message: string) {
    super(message);
  }
}

/**
 * Plan a render as A1111 1.10 would sample it. Throws `UnknownSamplerError` (for a 422) for an unknown sampler or
 * schedule name, and for one A1111 knows that the backend does not render, naming why and what is available.
 */
export function planSampling(s: TrainingSchedule, samplerName: string, schedulerName: string | undefined, steps: number, options: ScheduleOptions = {}): SamplingPlan {
  if (schedulerName && !SCHEDULE_TYPES.some((t) => t.name === schedulerName || t.label === schedulerName || t.aliases.includes(schedulerName))) {
    throw new UnknownSamplerError('scheduler', `unknown scheduler "${schedulerName}"; one of: ${SCHEDULE_TYPES.map((t) => t.label).join(', ')}`);
  }
  const resolved = resolveSamplerAndScheduler(samplerName, schedulerName);
  const available = renderedSamplerNames().join(', ');
  if (!resolved) throw new UnknownSamplerError('sampler_name', `unknown sampler "${samplerName}"; one of: ${available}`);
  const { sampler: entry, scheduler, effectiveScheduler } = resolved;
  if (!entry.rendered || !entry.sampler) {
    throw new UnknownSamplerError('sampler_name', `sampler "${entry.name}" is not available in this backend (${entry.notRendered}); one of: ${available}`);
  }
  if (!Number.isInteger(steps) || steps < 1) throw new RangeError(`steps must be a positive integer (got ${steps})`);
  const sample = SAMPLER_FUNCTIONS[entry.sampler];
  const infotext: Record<string, string | number | boolean> = {};

  if (entry.family === 'timesteps') {
    const discard = entry.discardNextToLastSigma || !!options.alwaysDiscardNextToLastSigma;
    // A1111 ignores the schedule for timestep samplers but still writes the one asked for.
    infotext['Schedule type'] = scheduler.label;
    if (discard && !entry.discardNextToLastSigma) infotext['Discard penultimate sigma'] = true;
    let timesteps = timestepSamplerTimesteps(steps + (discard ? 1 : 0), s.sigmas.length).reverse();
    let sigmas: Float64Array = Float64Array.from(timesteps, (t) => s.sigmas[t]!);
    if (entry.sampler === 'unipc') {
      // A1111 hands UniPC len(timesteps) as its step count; UniPC makes its own time-uniform grid of that many steps.
      if (timesteps.length < 3) throw new UnknownSamplerError('steps', `UniPC (order 3) needs at least 3 steps; A1111 refuses ${steps} ("UniPC order must be < sampling steps")`);
      ({ sigmas, timesteps } = unipcSchedule(s, timesteps.length));
    }
    const calls = sigmas.length - 1 + (entry.sampler === 'plms' ? 1 : 0);
    return {
      entry, sample, scheduler, effectiveScheduler, sigmas, timesteps,
      noiseScale: Math.sqrt(1 + sigmas[0]! ** 2), outputScale: 1 / Math.sqrt(1 + sigmas[sigmas.length - 1]! ** 2),
      steps: sigmas.length - 1, modelCalls: calls, a1111TotalSteps: steps, noiseDraws: 0, infotext,
    };
  }

  const discard = entry.discardNextToLastSigma || !!options.alwaysDiscardNextToLastSigma;
  if (discard && !entry.discardNextToLastSigma) infotext['Discard penultimate sigma'] = true;
  const fallThrough = scheduler.name === 'automatic' && entry.defaultScheduler === undefined;
  let sigmas = scheduleSigmas(fallThrough ? 'automatic' : effectiveScheduler.name, s, steps + (discard ? 1 : 0), options);
  if (discard) sigmas = discardNextToLast(sigmas);
  // A1111 runs a scheduler function (and writes "Schedule type" and the overrides) unless Automatic falls through to
  // the model's get_sigmas (a sampler with no default schedule).
  const ranFunction = scheduler.name !== 'automatic' || entry.defaultScheduler !== undefined;
  const model = modelSigmaRange(s);
  // processing.create_infotext writes "Schedule type": p.scheduler (the label asked for, "Automatic" included) right
  // after "Sampler"; get_sigmas's extra_generation_params then replace it with the label of the function that ran.
  infotext['Schedule type'] = ranFunction ? effectiveScheduler.label : scheduler.label;
  if (ranFunction) {
    if (options.sigmaMin && options.sigmaMin !== model.sigmaMin) infotext['Schedule min sigma'] = options.sigmaMin;
    if (options.sigmaMax && options.sigmaMax !== model.sigmaMax) infotext['Schedule max sigma'] = options.sigmaMax;
    if (effectiveScheduler.defaultRho !== undefined && options.rho && options.rho !== effectiveScheduler.defaultRho) infotext['Schedule rho'] = options.rho;
  }
  if (options.sgmNoiseMultiplier) infotext['SGM noise multiplier'] = true;
  if (effectiveScheduler.name === 'beta') {
    infotext['Beta schedule alpha'] = options.betaAlpha ?? 0.6;
    infotext['Beta schedule beta'] = options.betaBeta ?? 0.6;
  }
  const n = sigmas.length - 1;
  const lastToZero = sigmas[n] === 0 ? 1 : 0;
  const calls = entry.secondOrder ? 2 * n - lastToZero : n;
  return {
    entry, sample, scheduler, effectiveScheduler, sigmas,
    noiseScale: options.sgmNoiseMultiplier ? Math.sqrt(1 + sigmas[0]! ** 2) : sigmas[0]!, outputScale: 1,
    steps: n, modelCalls: calls, a1111TotalSteps: entry.secondOrder ? 2 * steps : steps,
    noiseDraws: entry.ancestral ? n - lastToZero : 0, infotext,
  };
}

/** The UNet timestep for a sigma: the plan's exact integer for timestep samplers, k-diffusion's sigma_to_t otherwise. */
export function planTimestep(plan: SamplingPlan, s: TrainingSchedule, sigma: number): number {
  if (plan.timesteps) {
    const i = plan.sigmas.indexOf(sigma);
    if (i >= 0) return plan.timesteps[i]!;
  }
  return sigmaToTimestep(s, sigma);
}
