// Validation of A1111 `txt2img` request bodies: unknown fields are ignored (A1111 clients send many), known
// ones are checked, and every problem names its field as FastAPI does (`loc: ["body", field]`). The valid range
// of each A1111 value is the settings vocabulary's (core/a1111/settings.ts); the backend adds hard limits of its
// own (LIMITS) on top. What a request leaves out is the default profile's recommendation.
import { randomInt } from 'node:crypto';
import { defaultProfile, settingKey, settingKeys, type Profile, type SettingKey } from '../core';
import { planSampling, UnknownSamplerError, type ScheduleOptions } from './sampling/plan';
import { trainingSchedule } from './sampling/schedule';
import type { RenderRequest } from './pipeline';
import type { RngSource } from './rng/noise';

export interface FieldProblem {
  loc: ['body', string];
  msg: string;
  type: string;
}

/** What a request that leaves a field out gets: the profile's recommendation (its square size, else its first). */
export function requestDefaults(profile: Profile): { steps: number; cfgScale: number; width: number; height: number; sampler: string; batchSize: number } {
  const rec = profile.recommended;
  const size = rec.sizes.find((s) => s.width === s.height) ?? rec.sizes[0] ?? { width: 1024, height: 1024 };
  return { steps: rec.steps, cfgScale: rec.cfgScale, width: size.width, height: size.height, sampler: rec.sampler, batchSize: 1 };
}

export const DEFAULTS = requestDefaults(defaultProfile);

/** The backend's own hard limits, beyond A1111's ranges: memory and time per render. */
export const LIMITS = { maxSize: 2048, maxBatch: 8, maxSigma: 1000, maxRho: 100 } as const;

const STEPS = settingKey('Steps');
const CFG = settingKey('CFG scale');
const SIZE = settingKey('Size');
const SEED = settingKey('Seed');
const BATCH = settingKey('Batch size');
const EMPHASIS = settingKey('Emphasis');
/** The vocabulary's key for an A1111 setting name (`override_settings`), by its `setting`. */
const bySetting = (name: string): SettingKey => {
  const key = settingKeys.find((k) => k.setting === name);
  if (!key) throw new Error(`no setting key for ${name}`);
  return key;
};
const lowest = (key: SettingKey, fallback: number): number => key.min ?? fallback;
const highest = (key: SettingKey, limit: number): number => Math.min(key.max ?? limit, limit);

/** SDXL's training schedule (scaled_linear 0.00085 … 0.012): enough to check that a sampler plan can be made. */
const VALIDATION_SCHEDULE = trainingSchedule();

export function validateTxt2img(body: unknown, rng: RngSource): { request?: RenderRequest; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const problem = (field: string, msg: string, type = 'value_error') => problems.push({ loc: ['body', field], msg, type });
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    problems.push({ loc: ['body', ''], msg: 'the body must be a JSON object', type: 'type_error' });
    return { problems };
  }
  const b = body as Record<string, unknown>;

  const text = (field: string): string => {
    const v = b[field];
    if (v === undefined || v === null) return '';
    if (typeof v !== 'string') return (problem(field, 'must be a string', 'type_error'), '');
    return v;
  };
  const integer = (field: string, fallback: number, min: number, max: number, extra?: (v: number) => string | undefined): number => {
    const v = b[field];
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'number' || !Number.isInteger(v)) return (problem(field, 'must be an integer', 'type_error'), fallback);
    if (v < min || v > max) return (problem(field, `must be between ${min} and ${max}, got ${v}`), fallback);
    const more = extra?.(v);
    if (more) problem(field, more);
    return v;
  };
  const multipleOf8 = (v: number) => (v % 8 === 0 ? undefined : `must be a multiple of 8, got ${v}`);

  const prompt = text('prompt');
  const negativePrompt = text('negative_prompt');
  const steps = integer('steps', DEFAULTS.steps, STEPS.min!, STEPS.max!);
  const width = integer('width', DEFAULTS.width, SIZE.min!, highest(SIZE, LIMITS.maxSize), multipleOf8);
  const height = integer('height', DEFAULTS.height, SIZE.min!, highest(SIZE, LIMITS.maxSize), multipleOf8);
  const batchSize = integer('batch_size', DEFAULTS.batchSize, BATCH.min!, highest(BATCH, LIMITS.maxBatch));
  let seed = integer('seed', -1, SEED.min!, SEED.max!);
  if (seed === -1) seed = randomInt(0, 4294967294); // A1111: random.randrange(4294967294)

  let cfgScale: number = DEFAULTS.cfgScale;
  if (b.cfg_scale !== undefined && b.cfg_scale !== null) {
    if (typeof b.cfg_scale !== 'number' || !Number.isFinite(b.cfg_scale)) problem('cfg_scale', 'must be a number', 'type_error');
    else if (b.cfg_scale < CFG.min! || b.cfg_scale > CFG.max!) problem('cfg_scale', `must be between ${CFG.min} and ${CFG.max}, got ${b.cfg_scale}`);
    else cfgScale = b.cfg_scale;
  }

  // sampler_name (or the older sampler_index) and A1111 1.9+'s scheduler, resolved as A1111's
  // get_sampler_and_scheduler does ("DPM++ 2M Karras" is DPM++ 2M on Karras); a sampler A1111 has but this backend
  // does not render (Brownian-tree SDE samplers) is refused naming what is available.
  const samplerField = b.sampler_name !== undefined ? 'sampler_name' : 'sampler_index';
  let sampler: string = DEFAULTS.sampler;
  const rawSampler = b[samplerField];
  if (rawSampler !== undefined && rawSampler !== null && rawSampler !== '') {
    if (typeof rawSampler !== 'string') problem(samplerField, 'must be a string', 'type_error');
    else sampler = rawSampler;
  }
  let scheduler: string | undefined;
  if (b.scheduler !== undefined && b.scheduler !== null && b.scheduler !== '') {
    if (typeof b.scheduler !== 'string') problem('scheduler', 'must be a string', 'type_error');
    else scheduler = b.scheduler;
  }
  // override_settings as A1111's API takes them (its setting names; what infotext import sets, see
  // infotext_utils.infotext_to_setting_name_mapping): pad_cond_uncond, randn_source, the schedule options, emphasis.
  let padConds = false;
  let rngSource = rng;
  const scheduleOptions: ScheduleOptions = {};
  const overrides = b.override_settings;
  if (overrides !== undefined && overrides !== null) {
    if (typeof overrides !== 'object' || Array.isArray(overrides)) problem('override_settings', 'must be an object', 'type_error');
    else {
      const o = overrides as Record<string, unknown>;
      const flag = (name: string): boolean | undefined => {
        const v = o[name];
        if (v === undefined || v === null) return undefined;
        if (v === true || v === 'True' || v === 'true') return true;
        if (v === false || v === 'False' || v === 'false') return false;
        return (problem('override_settings', `${name} must be true or false`, 'type_error'), undefined);
      };
      const num = (name: string, limit = Infinity): number | undefined => {
        const key = bySetting(name);
        const min = lowest(key, -Infinity);
        const max = highest(key, limit);
        const v = typeof o[name] === 'string' && /^-?\d+(\.\d+)?$/.test(o[name] as string) ? Number(o[name]) : o[name];
        if (v === undefined || v === null) return undefined;
        if (typeof v !== 'number' || !Number.isFinite(v)) return (problem('override_settings', `${name} must be a number`, 'type_error'), undefined);
        if (v < min || v > max) return (problem('override_settings', `${name} must be between ${min} and ${max}, got ${v}`), undefined);
        return v;
      };
      padConds = flag('pad_cond_uncond') ?? false;
      if (flag('pad_cond_uncond_v0')) problem('override_settings', 'pad_cond_uncond_v0 (the pre-1.6 DDIM padding) is not available in this backend; pad_cond_uncond is');
      const source = o.randn_source;
      if (source !== undefined && source !== null) {
        if (source === 'CPU') rngSource = 'cpu';
        else if (source === 'GPU' || source === 'NV') rngSource = 'nv'; // NV is A1111's bit-exact port of the GPU's torch.randn
        else problem('override_settings', `randn_source must be GPU, CPU or NV, got ${JSON.stringify(source)}`);
      }
      const emphasis = o.emphasis;
      const rendered = EMPHASIS.builtin ?? [];
      if (emphasis !== undefined && emphasis !== null && !rendered.includes(emphasis as string)) {
        problem('override_settings', `emphasis ${JSON.stringify(emphasis)} is not available in this backend; ${rendered.join(', ')} is`);
      }
      const set = <K extends keyof ScheduleOptions>(k: K, v: ScheduleOptions[K] | undefined) => {
        if (v !== undefined) scheduleOptions[k] = v;
      };
      set('sigmaMin', num('sigma_min', LIMITS.maxSigma));
      set('sigmaMax', num('sigma_max', LIMITS.maxSigma));
      set('rho', num('rho', LIMITS.maxRho));
      set('alwaysDiscardNextToLastSigma', flag('always_discard_next_to_last_sigma'));
      set('sgmNoiseMultiplier', flag('sgm_noise_multiplier'));
      set('betaAlpha', num('beta_dist_alpha'));
      set('betaBeta', num('beta_dist_beta'));
    }
  }
  if (b.pad_cond_uncond !== undefined && b.pad_cond_uncond !== null) {
    if (typeof b.pad_cond_uncond !== 'boolean') problem('pad_cond_uncond', 'must be true or false', 'type_error');
    else padConds = b.pad_cond_uncond;
  }
  if (!problems.some((p) => p.loc[1] === samplerField || p.loc[1] === 'scheduler')) {
    try {
      const plan = planSampling(VALIDATION_SCHEDULE, sampler, scheduler, steps);
      sampler = plan.entry.name;
      // An old combined name keeps its schedule when no scheduler is sent.
      if (scheduler === undefined && plan.scheduler.name !== 'automatic') scheduler = plan.scheduler.name;
    } catch (error) {
      if (!(error instanceof UnknownSamplerError)) throw error;
      problem(error.field === 'sampler_name' ? samplerField : error.field, error.message);
    }
  }

  if (problems.length) return { problems };
  return { request: { prompt, negativePrompt, steps, cfgScale, width, height, seed, sampler, scheduler, padConds, scheduleOptions, batchSize, rng: rngSource }, problems };
}
