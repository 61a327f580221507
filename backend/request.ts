// Validation of A1111 `txt2img` request bodies: unknown fields are ignored (A1111 clients send many), known
// ones are checked, and every problem names its field as FastAPI does (`loc: ["body", field]`).
import { randomInt } from 'node:crypto';
import { planSampling, UnknownSamplerError, type ScheduleOptions } from './sampling/plan';
import { trainingSchedule } from './sampling/schedule';
import type { RenderRequest } from './pipeline';
import type { RngSource } from './rng/noise';

export interface FieldProblem {
  loc: ['body', string];
  msg: string;
  type: string;
}

export const DEFAULTS = { steps: 28, cfgScale: 5, width: 1024, height: 1024, sampler: 'Euler a', batchSize: 1 } as const;
export const LIMITS = { minSize: 64, maxSize: 2048, maxSteps: 150, maxBatch: 8, maxCfg: 30 } as const;

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
  const steps = integer('steps', DEFAULTS.steps, 1, LIMITS.maxSteps);
  const width = integer('width', DEFAULTS.width, LIMITS.minSize, LIMITS.maxSize, multipleOf8);
  const height = integer('height', DEFAULTS.height, LIMITS.minSize, LIMITS.maxSize, multipleOf8);
  const batchSize = integer('batch_size', DEFAULTS.batchSize, 1, LIMITS.maxBatch);
  let seed = integer('seed', -1, -1, Number.MAX_SAFE_INTEGER);
  if (seed === -1) seed = randomInt(0, 4294967294); // A1111: random.randrange(4294967294)

  let cfgScale: number = DEFAULTS.cfgScale;
  if (b.cfg_scale !== undefined && b.cfg_scale !== null) {
    if (typeof b.cfg_scale !== 'number' || !Number.isFinite(b.cfg_scale)) problem('cfg_scale', 'must be a number', 'type_error');
    else if (b.cfg_scale < 0 || b.cfg_scale > LIMITS.maxCfg) problem('cfg_scale', `must be between 0 and ${LIMITS.maxCfg}, got ${b.cfg_scale}`);
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
      const num = (name: string, min: number, max: number): number | undefined => {
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
      if (emphasis !== undefined && emphasis !== null && emphasis !== 'Original') {
        problem('override_settings', `emphasis ${JSON.stringify(emphasis)} is not available in this backend; Original is`);
      }
      const set = <K extends keyof ScheduleOptions>(k: K, v: ScheduleOptions[K] | undefined) => {
        if (v !== undefined) scheduleOptions[k] = v;
      };
      set('sigmaMin', num('sigma_min', 0, 1000));
      set('sigmaMax', num('sigma_max', 0, 1000));
      set('rho', num('rho', 0, 100));
      set('alwaysDiscardNextToLastSigma', flag('always_discard_next_to_last_sigma'));
      set('sgmNoiseMultiplier', flag('sgm_noise_multiplier'));
      set('betaAlpha', num('beta_dist_alpha', 0.01, 100));
      set('betaBeta', num('beta_dist_beta', 0.01, 100));
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
