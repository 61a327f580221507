// What A1111 writes in an infotext settings line: every key Tagsmith reads or writes, with its type, its valid
// range, A1111's default and a doc string. The one place these are written: checks, completion, hover, the
// preview's request builder and the backend's request validation all read them. Pure data and pure functions.
//
// Ranges are A1111 1.10's UI ranges (modules/ui.py txt2img sliders, scripts/processing_scripts/sampler.py,
// scripts/refiner.py, modules/shared_options.py): a value outside them is one A1111's UI cannot set. Defaults are
// A1111's (its UI's initial values and its options' defaults); the values Tagsmith fills in where a block gives none
// are the profile's recommendations (`Profile.recommended`), never these.
//
// Samplers and schedule types are in samplers.ts.

import { pyFloat } from '../pyre';
import { findScheduleType, SAMPLER_VOCABULARY, SCHEDULE_TYPES } from './samplers';

/**
 * How a value is read: `integer` (a whole number), `number` (Python's float), `boolean` (`True` / `False`), `enum`
 * (one of `choices`), `seed` (an integer, -1 for random), `size` (`WIDTHxHEIGHT`, each side in min–max and a multiple
 * of `multipleOf`), `sampler` / `schedule` (samplers.ts), `hash` (hex digits), `string`, `prompt` (prompt text) and
 * `list` (comma-separated names).
 */
export type SettingType = 'integer' | 'number' | 'boolean' | 'enum' | 'seed' | 'size' | 'sampler' | 'schedule' | 'hash' | 'string' | 'prompt' | 'list';

export interface SettingKey {
  /** The label as A1111 writes it in infotext. */
  key: string;
  type: SettingType;
  /** Smallest valid value (each side of a size), inclusive. */
  min?: number;
  /** Largest valid value (each side of a size), inclusive. */
  max?: number;
  /** A size's sides are multiples of this (A1111's slider step). */
  multipleOf?: number;
  /** The values an `enum` takes, as A1111 writes them. */
  choices?: readonly string[];
  /** A1111's default (what it uses when the key is absent). */
  default?: string | number | boolean;
  doc: string;
  /** Name of the profile recommendation this key maps to, if any. */
  recommended?: 'steps' | 'sampler' | 'cfgScale' | 'size';
  /** The A1111 setting (`override_settings` name) pasting the key sets, where it is one. */
  setting?: string;
  /** The values the builtin backend renders, where it renders only some (it refuses the others). */
  builtin?: readonly string[];
}

const SEED_MAX = Number.MAX_SAFE_INTEGER;

export const settingKeys: SettingKey[] = [
  { key: 'Steps', type: 'integer', min: 1, max: 150, default: 20, recommended: 'steps', doc: 'Number of sampling steps (1–150, A1111 default 20).' },
  { key: 'Sampler', type: 'sampler', default: 'DPM++ 2M', recommended: 'sampler', doc: 'The sampling method, e.g. `Euler a` (A1111 1.10 default `DPM++ 2M`). Older names with the schedule in them (`DPM++ 2M Karras`) still work.' },
  { key: 'Schedule type', type: 'schedule', default: 'Automatic', doc: "The noise schedule: Automatic (the sampler's own), Uniform, Karras, Exponential, Polyexponential, SGM Uniform, KL Optimal, Align Your Steps, Simple, Normal, DDIM, Beta." },
  { key: 'CFG scale', type: 'number', min: 1, max: 30, default: 7, recommended: 'cfgScale', doc: 'Classifier-free guidance scale: how strongly the image follows the prompt (1–30, A1111 default 7).' },
  { key: 'Seed', type: 'seed', min: -1, max: SEED_MAX, default: -1, doc: 'The seed of the starting noise; the same seed and settings give the same image. -1 picks a random one.' },
  { key: 'Size', type: 'size', min: 64, max: 2048, multipleOf: 8, default: '512x512', recommended: 'size', doc: 'Width x height in pixels: each side from 64 to 2048, a multiple of 8.' },
  { key: 'Model hash', type: 'hash', doc: 'Short hash of the checkpoint file (the first 10 hex digits of its SHA-256).', setting: 'sd_model_checkpoint' },
  { key: 'Model', type: 'string', doc: 'Name of the checkpoint.' },
  { key: 'VAE hash', type: 'hash', doc: 'Short hash of the VAE file.' },
  { key: 'VAE', type: 'string', default: 'Automatic', doc: 'Name of the VAE.', setting: 'sd_vae' },
  { key: 'Batch size', type: 'integer', min: 1, max: 8, default: 1, doc: 'Images per batch (1–8).' },
  { key: 'Batch pos', type: 'integer', min: 0, max: 7, doc: 'Position of the image in its batch (from 0).' },
  { key: 'Denoising strength', type: 'number', min: 0, max: 1, default: 0.7, doc: 'How much img2img or hires fix changes the image (0–1, A1111 default 0.7).' },
  { key: 'Clip skip', type: 'integer', min: 1, max: 12, default: 1, doc: 'Number of last CLIP layers skipped (1–12; SDXL uses the penultimate layer regardless).', setting: 'CLIP_stop_at_last_layers' },
  { key: 'Hires upscale', type: 'number', min: 1, max: 4, default: 2, doc: 'Hires fix upscale factor (1–4, A1111 default 2).' },
  { key: 'Hires steps', type: 'integer', min: 0, max: 150, default: 0, doc: 'Sampling steps of the hires pass (0–150; 0 means as many as the first pass).' },
  { key: 'Hires upscaler', type: 'string', default: 'Latent', doc: 'Upscaler of the hires pass.' },
  { key: 'Hires resize-1', type: 'integer', min: 0, max: 2048, default: 0, doc: 'Width the hires pass resizes to (0–2048; 0: by Hires upscale).' },
  { key: 'Hires resize-2', type: 'integer', min: 0, max: 2048, default: 0, doc: 'Height the hires pass resizes to (0–2048; 0: by Hires upscale).' },
  { key: 'Hires checkpoint', type: 'string', default: 'Use same checkpoint', doc: 'Checkpoint of the hires pass.' },
  { key: 'Hires sampler', type: 'sampler', default: 'Use same sampler', doc: 'Sampler of the hires pass.' },
  { key: 'Hires schedule type', type: 'schedule', default: 'Use same scheduler', doc: 'Schedule type of the hires pass.' },
  { key: 'Hires CFG Scale', type: 'number', min: 1, max: 30, doc: 'CFG scale of the hires pass (Forge; 1–30).' },
  { key: 'Hires prompt', type: 'prompt', default: '', doc: 'Prompt of the hires pass (empty: the same as the first pass).' },
  { key: 'Hires negative prompt', type: 'prompt', default: '', doc: 'Negative prompt of the hires pass (empty: the same as the first pass).' },
  { key: 'Variation seed', type: 'seed', min: -1, max: SEED_MAX, default: -1, doc: 'Seed of the variation noise.' },
  { key: 'Variation seed strength', type: 'number', min: 0, max: 1, default: 0, doc: 'How much of the variation noise is mixed in (0–1).' },
  { key: 'Seed resize from', type: 'string', doc: 'Size the seed was resized from (WIDTHxHEIGHT).' },
  { key: 'Styles', type: 'list', doc: "A1111 styles from `styles.csv`, comma-separated: each adds its prompt and negative prompt to the block's (a style with `{prompt}` puts the prompt there). Tagsmith counts tokens with them; the code action *Apply styles* writes them into the block." },
  { key: 'ENSD', type: 'integer', default: 0, doc: 'Eta noise seed delta: added to the seed of the noise ancestral and SDE samplers add each step (A1111 default 0).', setting: 'eta_noise_seed_delta' },
  { key: 'Eta', type: 'number', min: 0, max: 1, default: 1, doc: 'Eta of ancestral and SDE samplers: how much noise they add each step (0–1, A1111 default 1).', setting: 'eta_ancestral' },
  { key: 'Eta DDIM', type: 'number', min: 0, max: 1, default: 0, doc: 'Eta of DDIM (0–1, A1111 default 0).', setting: 'eta_ddim' },
  { key: 'RNG', type: 'enum', choices: ['GPU', 'CPU', 'NV'], default: 'GPU', doc: 'Source of random numbers: GPU, CPU or NV (A1111 default GPU).', setting: 'randn_source' },
  { key: 'Emphasis', type: 'enum', choices: ['None', 'Ignore', 'Original', 'No norm'], default: 'Original', doc: 'How emphasis is applied: None (brackets are text), Ignore (weights ignored), Original, No norm (Original without the mean restored). A1111 default Original.', setting: 'emphasis', builtin: ['Original'] },
  { key: 'Lora hashes', type: 'string', doc: 'Hashes of the LoRA files used.' },
  { key: 'TI hashes', type: 'string', doc: 'Hashes of the textual inversions used.' },
  { key: 'Face restoration', type: 'string', doc: 'Face restoration model.' },
  { key: 'Token merging ratio', type: 'number', min: 0, max: 0.9, default: 0, doc: 'ToMe ratio (0–0.9; 0 disables).', setting: 'token_merging_ratio' },
  { key: 'Token merging ratio hr', type: 'number', min: 0, max: 0.9, default: 0, doc: 'ToMe ratio of the hires pass (0–0.9).', setting: 'token_merging_ratio_hr' },
  { key: 'NGMS', type: 'number', min: 0, max: 15, default: 0, doc: 'Negative guidance minimum sigma (0–15; 0 disables).', setting: 's_min_uncond' },
  { key: 'Refiner', type: 'string', doc: 'Refiner checkpoint.' },
  { key: 'Refiner switch at', type: 'number', min: 0.01, max: 1, default: 0.8, doc: 'Fraction of steps after which the refiner takes over (0.01–1, A1111 default 0.8).' },
  { key: 'Version', type: 'string', doc: 'Version of the webui that wrote the infotext, e.g. `v1.10.1`.' },
  { key: 'Pad conds', type: 'boolean', default: false, doc: 'Whether the prompt and negative prompt conditionings were padded to the same length (True or False, A1111 default False).', setting: 'pad_cond_uncond' },
  { key: 'Pad conds v0', type: 'boolean', default: false, doc: 'The pre-1.6 padding of DDIM (True or False).', setting: 'pad_cond_uncond_v0', builtin: ['False'] },
  { key: 'Downcast alphas_cumprod', type: 'boolean', default: false, doc: 'Compatibility option of A1111 (True or False).', setting: 'use_downcasted_alpha_bar' },
  { key: 'Schedule max sigma', type: 'number', min: 0, default: 0, doc: "Maximum sigma of the schedule (0: the model's).", setting: 'sigma_max' },
  { key: 'Schedule min sigma', type: 'number', min: 0, default: 0, doc: "Minimum sigma of the schedule (0: the model's).", setting: 'sigma_min' },
  { key: 'Schedule rho', type: 'number', min: 0, default: 0, doc: 'Rho of the Karras and Polyexponential schedules (0: 7 for Karras, 1 for Polyexponential).', setting: 'rho' },
  { key: 'SGM noise multiplier', type: 'boolean', default: false, doc: 'Whether the first noise is scaled as SGM does (True or False).', setting: 'sgm_noise_multiplier' },
  { key: 'Discard penultimate sigma', type: 'boolean', default: false, doc: 'Whether the next-to-last sigma is always dropped (True or False).', setting: 'always_discard_next_to_last_sigma' },
  { key: 'Beta schedule alpha', type: 'number', min: 0.01, max: 1, default: 0.6, doc: 'Alpha of the Beta schedule (0.01–1, A1111 default 0.6).', setting: 'beta_dist_alpha' },
  { key: 'Beta schedule beta', type: 'number', min: 0.01, max: 1, default: 0.6, doc: 'Beta of the Beta schedule (0.01–1, A1111 default 0.6).', setting: 'beta_dist_beta' },
  { key: 'Noise multiplier', type: 'number', min: 0, max: 1.5, default: 1, doc: 'Extra noise multiplier for img2img (0–1.5, A1111 default 1).', setting: 'initial_noise_multiplier' },
  { key: 'Template', type: 'prompt', doc: 'sd-dynamic-prompts: the prompt template before it was expanded (written when its "Write prompts to infotext" option is on).' },
  { key: 'Negative Template', type: 'prompt', doc: 'sd-dynamic-prompts: the negative prompt template before it was expanded.' },
];

const byKey = new Map(settingKeys.map((k) => [k.key.toLowerCase(), k]));

export function findSettingKey(key: string): SettingKey | undefined {
  // Every block repeats the same few keys: remembered by the key as written (bounded: emptied when full).
  let found = foundKeys.get(key);
  if (found === undefined) {
    if (foundKeys.size >= 1024) foundKeys.clear();
    foundKeys.set(key, (found = byKey.get(key.trim().toLowerCase()) ?? null));
  }
  return found ?? undefined;
}
const foundKeys = new Map<string, SettingKey | null>();

/** A key of settingKeys by its exact label (for the callers that name one in code). */
export function settingKey(key: string): SettingKey {
  const found = byKey.get(key.toLowerCase());
  if (!found) throw new Error(`no setting key ${key}`);
  return found;
}

/**
 * Sampler names A1111 accepts in infotext, for completion: A1111 1.10's sampler labels, then the older names with the
 * schedule in them that A1111 had before 1.9 (still read: the schedule is taken from the name's end).
 */
export const samplerNames: string[] = [
  ...SAMPLER_VOCABULARY.map((s) => s.name),
  'DPM++ 2M Karras', 'DPM++ SDE Karras', 'DPM++ 2M SDE Karras', 'DPM++ 2M SDE Exponential', 'DPM++ 2M SDE Heun Karras',
  'DPM++ 2M SDE Heun Exponential', 'DPM++ 2S a Karras', 'DPM++ 3M SDE Karras', 'DPM++ 3M SDE Exponential', 'LMS Karras',
  'DPM2 Karras', 'DPM2 a Karras',
  'LCM',
];

/**
 * Whether A1111 1.10 reads `name` as a sampler: a label exactly (its all_samplers_map), or a label followed by a
 * space and a schedule type's label, name or alias (get_sampler_and_scheduler strips it, "DPM++ 2M Karras"). LCM is
 * A1111's sampler only with its extension, but so common in infotext that it is accepted too.
 */
export function isA1111SamplerName(name: string): boolean {
  if (name === 'LCM' || SAMPLER_VOCABULARY.some((s) => s.name === name)) return true;
  for (const s of SCHEDULE_TYPES) {
    const option = [s.label, s.name, ...s.aliases].find((o) => name.endsWith(` ${o}`));
    if (option) return SAMPLER_VOCABULARY.some((e) => e.name === name.slice(0, -(option.length + 1)));
  }
  return false;
}

/** What is wrong with a value of a key, from the key's type and range; undefined when nothing is. */
export type SettingValueProblem =
  | { kind: 'malformed'; expected: string }
  | { kind: 'out-of-range'; range: string };

/** A1111's range of a key as text: `1–150`, `at least 0`. */
export function settingRange(key: SettingKey): string {
  if (key.min !== undefined && key.max !== undefined) return `${key.min}–${key.max}`;
  if (key.min !== undefined) return `at least ${key.min}`;
  if (key.max !== undefined) return `at most ${key.max}`;
  return 'any';
}

const inRange = (key: SettingKey, v: number): boolean => (key.min === undefined || v >= key.min) && (key.max === undefined || v <= key.max);

/** A whole number as infotext writes it (`28`, `-1`), or undefined. */
export function parseSettingInteger(value: string): number | undefined {
  const v = value.trim();
  return /^[+-]?\d+$/.test(v) ? Number(v) : undefined;
}

/** A number as Python's float() reads it, or undefined (also for inf and nan). */
export function parseSettingNumber(value: string): number | undefined {
  const v = pyFloat(value.trim());
  return v !== undefined && Number.isFinite(v) ? v : undefined;
}

/** `WIDTHxHEIGHT` as A1111 writes it, or undefined. */
export function parseSettingSize(value: string): { width: number; height: number } | undefined {
  const m = /^(\d+)\s*x\s*(\d+)$/i.exec(value.trim());
  return m ? { width: Number(m[1]), height: Number(m[2]) } : undefined;
}

/**
 * Checks `value` against `key`'s type and range (the generic check every key gets; the settings checks of
 * core/checks report it, the request builders refuse it). Sizes are checked for shape and range here; the multiple
 * of 8 is the caller's (its own rule, with a fix).
 */
export function settingValueProblem(key: SettingKey, value: string): SettingValueProblem | undefined {
  const v = value.trim();
  const range = settingRange(key);
  switch (key.type) {
    case 'integer':
    case 'seed': {
      const n = parseSettingInteger(v);
      if (n === undefined) return { kind: 'malformed', expected: 'a whole number' };
      return inRange(key, n) ? undefined : { kind: 'out-of-range', range };
    }
    case 'number': {
      const n = parseSettingNumber(v);
      if (n === undefined) return { kind: 'malformed', expected: 'a number' };
      return inRange(key, n) ? undefined : { kind: 'out-of-range', range };
    }
    case 'boolean':
      return v === 'True' || v === 'False' ? undefined : { kind: 'malformed', expected: 'True or False' };
    case 'enum':
      return key.choices?.includes(v) ? undefined : { kind: 'malformed', expected: `one of ${key.choices?.join(', ')}` };
    case 'size': {
      const size = parseSettingSize(v);
      if (!size) return { kind: 'malformed', expected: 'WIDTHxHEIGHT' };
      return inRange(key, size.width) && inRange(key, size.height) ? undefined : { kind: 'out-of-range', range };
    }
    case 'schedule':
      if (v === key.default || findScheduleType(v)) return undefined;
      return { kind: 'malformed', expected: `one of ${SCHEDULE_TYPES.map((s) => s.label).join(', ')}` };
    case 'hash':
      return /^[0-9a-fA-F]+$/.test(v) ? undefined : { kind: 'malformed', expected: 'hex digits' };
    default:
      return undefined;
  }
}

const TYPE_NAMES: Record<SettingType, string> = {
  integer: 'a whole number', number: 'a number', boolean: 'True or False', enum: 'one of', seed: 'a whole number (-1: random)',
  size: 'WIDTHxHEIGHT', sampler: 'a sampler name', schedule: 'a schedule type', hash: 'hex digits', string: 'text', prompt: 'prompt text',
  list: 'comma-separated names',
};

/**
 * The markdown completion and hover show for a key: its doc, then what A1111 takes (type, range, choices) and its
 * default, from the data.
 */
export function settingKeyDoc(key: SettingKey): string {
  const what = key.type === 'enum' ? `one of ${key.choices!.map((c) => `\`${c}\``).join(', ')}` : TYPE_NAMES[key.type];
  const range = key.min !== undefined || key.max !== undefined ? `, ${settingRange(key)}${key.type === 'size' ? ` a side, multiples of ${key.multipleOf ?? 1}` : ''}` : '';
  const fallback = key.default === undefined || key.default === '' ? '' : ` A1111's default: \`${key.default === true ? 'True' : key.default === false ? 'False' : key.default}\`.`;
  return `${key.doc}\n\n*Takes ${what}${range}.${fallback}*`;
}
