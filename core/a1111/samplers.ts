// A1111 1.10's samplers and schedule types: every name it accepts, with the options that change how it renders
// (modules/sd_samplers_kdiffusion.py samplers_k_diffusion, sd_samplers_timesteps.py, sd_schedulers.py), and which
// of them the builtin backend renders. Pure data and pure functions: the checks, completion and hover read it, and
// so do the backend's sampling plan (backend/sampling/plan.ts) and its request validation.

/** Internal schedule-type names, as A1111's Scheduler.name. */
export type ScheduleTypeName =
  | 'automatic' | 'uniform' | 'karras' | 'exponential' | 'polyexponential' | 'sgm_uniform' | 'kl_optimal'
  | 'align_your_steps' | 'simple' | 'normal' | 'ddim' | 'beta';

export interface ScheduleTypeEntry {
  /** Scheduler.name, what the API's `scheduler` field and presets carry. */
  name: ScheduleTypeName;
  /** Scheduler.label, what infotext's "Schedule type" says. */
  label: string;
  aliases: readonly string[];
  /** A1111's default rho for the schedule (opts.rho = 0 means this); undefined where rho does not apply. */
  defaultRho?: number;
  /** Whether A1111 passes the model's sigma table (need_inner_model). */
  needsModelSigmas: boolean;
  /** Whether the backend computes it. */
  rendered: boolean;
}

/** A1111 1.10's schedule types, in its order. */
export const SCHEDULE_TYPES: readonly ScheduleTypeEntry[] = [
  { name: 'automatic', label: 'Automatic', aliases: [], needsModelSigmas: false, rendered: true },
  { name: 'uniform', label: 'Uniform', aliases: [], needsModelSigmas: true, rendered: true },
  { name: 'karras', label: 'Karras', aliases: [], defaultRho: 7, needsModelSigmas: false, rendered: true },
  { name: 'exponential', label: 'Exponential', aliases: [], needsModelSigmas: false, rendered: true },
  { name: 'polyexponential', label: 'Polyexponential', aliases: [], defaultRho: 1, needsModelSigmas: false, rendered: true },
  { name: 'sgm_uniform', label: 'SGM Uniform', aliases: ['SGMUniform'], needsModelSigmas: true, rendered: true },
  { name: 'kl_optimal', label: 'KL Optimal', aliases: [], needsModelSigmas: false, rendered: true },
  { name: 'align_your_steps', label: 'Align Your Steps', aliases: [], needsModelSigmas: false, rendered: true },
  { name: 'simple', label: 'Simple', aliases: [], needsModelSigmas: true, rendered: true },
  { name: 'normal', label: 'Normal', aliases: [], needsModelSigmas: true, rendered: true },
  { name: 'ddim', label: 'DDIM', aliases: [], needsModelSigmas: true, rendered: true },
  { name: 'beta', label: 'Beta', aliases: [], needsModelSigmas: true, rendered: true },
];

/** A schedule type by name, label or alias, as A1111's schedulers_map (exact, case-sensitive) finds it. */
export function findScheduleType(name: string): ScheduleTypeEntry | undefined {
  return SCHEDULE_TYPES.find((s) => s.name === name || s.label === name || s.aliases.includes(name));
}

/** What drives a sampler's steps: k-diffusion on sigmas, or A1111's timestep samplers on alphas_cumprod. */
export type SamplerFamily = 'k-diffusion' | 'timesteps';

/** The builtin sampler functions (in samplers.ts) that render an entry. */
export type SamplerFunction = 'euler_ancestral' | 'euler' | 'lms' | 'heun' | 'dpm_2' | 'dpm_2_ancestral' | 'dpmpp_2s_ancestral'
  | 'dpmpp_2m' | 'ddim' | 'plms' | 'unipc';

export interface SamplerEntry {
  /** The A1111 label ("Sampler" in infotext, sampler_name in the API). */
  name: string;
  /** A1111's aliases (k_… names), matched case-insensitively as A1111's samplers_map does. */
  aliases: readonly string[];
  family: SamplerFamily;
  /** k-diffusion's or A1111's function name, for reference. */
  a1111Function: string;
  /** Adds fresh noise every step (eta 1 by default). */
  ancestral: boolean;
  /** The schedule "Automatic" means for it (options.scheduler); undefined: the model's own ("Uniform"). */
  defaultScheduler?: ScheduleTypeName;
  /** Two model calls per step; A1111 counts steps × 2 for progress and the refiner switch, the step count itself is unchanged. */
  secondOrder: boolean;
  /** A1111 computes steps + 1 sigmas and drops the next-to-last one. */
  discardNextToLastSigma: boolean;
  /** A1111 writes ENSD (eta noise seed delta) into infotext for it when eta != 0. */
  usesEnsd: boolean;
  /** Noise from a Brownian tree (torchsde), seeded per image; not reproduced here. */
  brownianNoise: boolean;
  /** Whether the builtin backend renders it, and with which function. */
  rendered: boolean;
  sampler?: SamplerFunction;
  /** Why it is not rendered. */
  notRendered?: string;
}

const K = 'k-diffusion' as const, T = 'timesteps' as const;
const base = { ancestral: false, secondOrder: false, discardNextToLastSigma: false, usesEnsd: false, brownianNoise: false };
const brownian = 'its noise comes from a torchsde Brownian tree seeded per image, which the backend does not reproduce';

/** A1111 1.10's samplers in its menu order (k-diffusion's list, then the timestep samplers). */
export const SAMPLER_VOCABULARY: readonly SamplerEntry[] = [
  { ...base, name: 'DPM++ 2M', aliases: ['k_dpmpp_2m'], family: K, a1111Function: 'sample_dpmpp_2m', defaultScheduler: 'karras', rendered: true, sampler: 'dpmpp_2m' },
  { ...base, name: 'DPM++ SDE', aliases: ['k_dpmpp_sde'], family: K, a1111Function: 'sample_dpmpp_sde', defaultScheduler: 'karras', secondOrder: true, brownianNoise: true, rendered: false, notRendered: brownian },
  { ...base, name: 'DPM++ 2M SDE', aliases: ['k_dpmpp_2m_sde'], family: K, a1111Function: 'sample_dpmpp_2m_sde', defaultScheduler: 'exponential', brownianNoise: true, rendered: false, notRendered: brownian },
  { ...base, name: 'DPM++ 2M SDE Heun', aliases: ['k_dpmpp_2m_sde_heun'], family: K, a1111Function: 'sample_dpmpp_2m_sde (solver_type heun)', defaultScheduler: 'exponential', brownianNoise: true, rendered: false, notRendered: brownian },
  { ...base, name: 'DPM++ 2S a', aliases: ['k_dpmpp_2s_a'], family: K, a1111Function: 'sample_dpmpp_2s_ancestral', ancestral: true, defaultScheduler: 'karras', secondOrder: true, usesEnsd: true, rendered: true, sampler: 'dpmpp_2s_ancestral' },
  { ...base, name: 'DPM++ 3M SDE', aliases: ['k_dpmpp_3m_sde'], family: K, a1111Function: 'sample_dpmpp_3m_sde', defaultScheduler: 'exponential', discardNextToLastSigma: true, brownianNoise: true, rendered: false, notRendered: brownian },
  { ...base, name: 'Euler a', aliases: ['k_euler_a', 'k_euler_ancestral'], family: K, a1111Function: 'sample_euler_ancestral', ancestral: true, usesEnsd: true, rendered: true, sampler: 'euler_ancestral' },
  { ...base, name: 'Euler', aliases: ['k_euler'], family: K, a1111Function: 'sample_euler', rendered: true, sampler: 'euler' },
  { ...base, name: 'LMS', aliases: ['k_lms'], family: K, a1111Function: 'sample_lms', rendered: true, sampler: 'lms' },
  { ...base, name: 'Heun', aliases: ['k_heun'], family: K, a1111Function: 'sample_heun', secondOrder: true, rendered: true, sampler: 'heun' },
  { ...base, name: 'DPM2', aliases: ['k_dpm_2'], family: K, a1111Function: 'sample_dpm_2', defaultScheduler: 'karras', discardNextToLastSigma: true, secondOrder: true, rendered: true, sampler: 'dpm_2' },
  { ...base, name: 'DPM2 a', aliases: ['k_dpm_2_a'], family: K, a1111Function: 'sample_dpm_2_ancestral', ancestral: true, defaultScheduler: 'karras', discardNextToLastSigma: true, secondOrder: true, usesEnsd: true, rendered: true, sampler: 'dpm_2_ancestral' },
  { ...base, name: 'DPM fast', aliases: ['k_dpm_fast'], family: K, a1111Function: 'sample_dpm_fast', ancestral: true, usesEnsd: true, rendered: false, notRendered: 'DPM-Solver fast (adaptive order, its own sigma range) is not implemented' },
  { ...base, name: 'DPM adaptive', aliases: ['k_dpm_ad'], family: K, a1111Function: 'sample_dpm_adaptive', ancestral: true, usesEnsd: true, rendered: false, notRendered: 'DPM-Solver adaptive (error-controlled step count) is not implemented' },
  { ...base, name: 'Restart', aliases: ['restart'], family: K, a1111Function: 'sd_samplers_extra.restart_sampler', defaultScheduler: 'karras', secondOrder: true, rendered: false, notRendered: 'Restart is not implemented' },
  { ...base, name: 'DDIM', aliases: ['ddim'], family: T, a1111Function: 'sd_samplers_timesteps_impl.ddim (eta 0)', rendered: true, sampler: 'ddim' },
  { ...base, name: 'DDIM CFG++', aliases: ['ddim_cfgpp'], family: T, a1111Function: 'sd_samplers_timesteps_impl.ddim_cfgpp', rendered: false, notRendered: 'DDIM CFG++ needs the unguided noise prediction, which the pipeline does not pass to samplers' },
  { ...base, name: 'PLMS', aliases: ['plms'], family: T, a1111Function: 'sd_samplers_timesteps_impl.plms', rendered: true, sampler: 'plms' },
  { ...base, name: 'UniPC', aliases: ['unipc'], family: T, a1111Function: 'sd_samplers_timesteps_impl.unipc (bh1, order 3, time_uniform, lower order final)', rendered: true, sampler: 'unipc' },
];

/** Old A1111 names that carry the schedule in the sampler name ("DPM++ 2M Karras"): resolved by
 * `resolveSamplerAndScheduler`, which strips a trailing schedule label, name or alias as A1111 1.9+ does. */
export function findSamplerEntry(name: string): SamplerEntry | undefined {
  const lower = name.toLowerCase();
  return SAMPLER_VOCABULARY.find((s) => s.name === name) ?? SAMPLER_VOCABULARY.find((s) => s.name.toLowerCase() === lower || s.aliases.some((a) => a.toLowerCase() === lower));
}

/**
 * Aliases of the "<sampler> Karras" / "<sampler> Exponential" entries A1111 had before 1.9 (when the schedule was
 * part of the sampler); 1.9+ dropped those entries and their aliases, their labels still resolve by suffix. Kept so
 * old presets and infotext keep working.
 */
export const LEGACY_ALIASES: Readonly<Record<string, readonly [sampler: string, scheduler: ScheduleTypeName]>> = {
  k_lms_ka: ['LMS', 'karras'],
  k_dpm_2_ka: ['DPM2', 'karras'],
  k_dpm_2_a_ka: ['DPM2 a', 'karras'],
  k_dpmpp_2s_a_ka: ['DPM++ 2S a', 'karras'],
  k_dpmpp_2m_ka: ['DPM++ 2M', 'karras'],
  k_dpmpp_sde_ka: ['DPM++ SDE', 'karras'],
  k_dpmpp_2m_sde_ka: ['DPM++ 2M SDE', 'karras'],
  k_dpmpp_2m_sde_heun_ka: ['DPM++ 2M SDE Heun', 'karras'],
  k_dpmpp_2m_sde_heun_exp: ['DPM++ 2M SDE Heun', 'exponential'],
  k_dpmpp_3m_sde_ka: ['DPM++ 3M SDE', 'karras'],
  k_dpmpp_3m_sde_exp: ['DPM++ 3M SDE', 'exponential'],
};

export interface ResolvedSampler {
  sampler: SamplerEntry;
  /** The schedule type asked for (possibly from the sampler name's suffix); 'automatic' when none. */
  scheduler: ScheduleTypeEntry;
  /** The schedule actually used: the sampler's default for 'automatic' ('uniform' when it has none). */
  effectiveScheduler: ScheduleTypeEntry;
}

/**
 * A1111's get_sampler_and_scheduler: the scheduler field by name or label ('Automatic' when missing or unknown), a
 * trailing " <label|name|alias>" of any schedule type on the sampler name taken as the schedule (so "DPM++ 2M Karras"
 * is DPM++ 2M with Karras); unlike A1111, an unknown sampler is undefined instead of falling back to DPM++ 2M, so the
 * API can refuse it. Timestep samplers (DDIM, PLMS, UniPC) ignore the schedule in A1111; `effectiveScheduler` is then
 * 'automatic'.
 */
export function resolveSamplerAndScheduler(samplerName: string, schedulerName?: string): ResolvedSampler | undefined {
  let scheduler = (schedulerName ? findScheduleType(schedulerName) : undefined) ?? SCHEDULE_TYPES[0]!;
  let name = samplerName;
  const legacy = LEGACY_ALIASES[name.toLowerCase()];
  if (legacy && !findSamplerEntry(name)) {
    name = legacy[0];
    scheduler = findScheduleType(legacy[1])!;
  } else if (!findSamplerEntry(name)) {
    for (const s of SCHEDULE_TYPES) {
      const option = [s.label, s.name, ...s.aliases].find((o) => name.endsWith(` ${o}`));
      if (option) {
        scheduler = s;
        name = name.slice(0, -(option.length + 1));
        break;
      }
    }
  }
  const sampler = findSamplerEntry(name);
  if (!sampler) return undefined;
  const automatic = SCHEDULE_TYPES[0]!;
  if (sampler.family === 'timesteps') return { sampler, scheduler, effectiveScheduler: automatic };
  const effective = scheduler.name === 'automatic' ? findScheduleType(sampler.defaultScheduler ?? 'uniform')! : scheduler;
  return { sampler, scheduler, effectiveScheduler: effective };
}

/** The names an API error lists: rendered samplers and schedule types. */
export function renderedSamplerNames(): string[] {
  return SAMPLER_VOCABULARY.filter((s) => s.rendered).map((s) => s.name);
}
