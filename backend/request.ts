// Validation of A1111 `txt2img` request bodies: unknown fields are ignored (A1111 clients send many), known
// ones are checked, and every problem names its field as FastAPI does (`loc: ["body", field]`).
import { randomInt } from 'node:crypto';
import { findSampler, SAMPLERS } from './sampling/samplers';
import type { RenderRequest } from './pipeline';
import type { RngSource } from './rng/noise';

export interface FieldProblem {
  loc: ['body', string];
  msg: string;
  type: string;
}

export const DEFAULTS = { steps: 28, cfgScale: 5, width: 1024, height: 1024, sampler: 'Euler a', batchSize: 1 } as const;
export const LIMITS = { minSize: 64, maxSize: 2048, maxSteps: 150, maxBatch: 8, maxCfg: 30 } as const;

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

  // sampler_name (or the older sampler_index); A1111 1.9+ clients may send the schedule separately.
  const samplerField = b.sampler_name !== undefined ? 'sampler_name' : 'sampler_index';
  let sampler: string = DEFAULTS.sampler;
  const rawSampler = b[samplerField];
  if (rawSampler !== undefined && rawSampler !== null && rawSampler !== '') {
    if (typeof rawSampler !== 'string') problem(samplerField, 'must be a string', 'type_error');
    else {
      const scheduler = typeof b.scheduler === 'string' ? b.scheduler : '';
      const name = scheduler.toLowerCase() === 'karras' && !/karras$/i.test(rawSampler) ? `${rawSampler} Karras` : rawSampler;
      const found = findSampler(name);
      if (!found) problem(samplerField, `unknown sampler "${name}"; one of: ${SAMPLERS.map((s) => s.name).join(', ')}`);
      else sampler = found.name;
    }
  }
  if (problems.length) return { problems };
  return { request: { prompt, negativePrompt, steps, cfgScale, width, height, seed, sampler, batchSize, rng }, problems };
}
