// Writes A1111 "infotext", the text A1111 stores in a PNG's `parameters` chunk and its PNG Info tab reads back
// (modules/processing.py `create_infotext` with modules/infotext_utils.py `quote`).
import { PY_SPACE } from './pyre';

export interface InfotextSettings {
  steps: number;
  sampler: string;
  /** "Schedule type", written right after Sampler as A1111 1.9+ does. */
  scheduleType?: string;
  cfgScale: number;
  seed: number;
  width: number;
  height: number;
  model?: string;
  /** More `key: value` pairs, written after the standard ones in this order. */
  extra?: ReadonlyArray<readonly [string, string | number]>;
}

/** A1111's `quote`: a value holding a comma, a colon or a newline is written as a JSON string. */
export function quoteInfotextValue(value: string | number): string {
  const text = String(value);
  if (!text.includes(',') && !text.includes('\n') && !text.includes(':')) return text;
  return JSON.stringify(text);
}

/** Python's `str(number)` for the values A1111 writes (integers without `.0` when they come from integer fields). */
function formatNumber(value: number): string {
  return Number.isFinite(value) ? String(value) : String(value).toLowerCase();
}

const STRIP = new RegExp(`^[${PY_SPACE}]+|[${PY_SPACE}]+$`, 'gu');

/**
 * `prompt`, then `Negative prompt: …` when there is one, then the settings line; the whole text stripped of
 * surrounding whitespace as Python's `str.strip` does.
 */
export function formatInfotext(prompt: string, negativePrompt: string, settings: InfotextSettings): string {
  const pairs: Array<[string, string]> = [
    ['Steps', formatNumber(settings.steps)],
    ['Sampler', settings.sampler],
  ];
  if (settings.scheduleType !== undefined) pairs.push(['Schedule type', settings.scheduleType]);
  pairs.push(['CFG scale', formatNumber(settings.cfgScale)], ['Seed', formatNumber(settings.seed)], ['Size', `${settings.width}x${settings.height}`]);
  if (settings.model !== undefined) pairs.push(['Model', settings.model]);
  for (const [key, value] of settings.extra ?? []) pairs.push([key, typeof value === 'number' ? formatNumber(value) : value]);
  const line = pairs.map(([k, v]) => (k === v ? k : `${k}: ${quoteInfotextValue(v)}`)).join(', ');
  const negative = negativePrompt ? `\nNegative prompt: ${negativePrompt}` : '';
  return `${prompt}${negative}\n${line}`.replace(STRIP, '');
}

/**
 * Infotext labels A1111 imports as settings (modules/infotext_utils.py infotext_to_setting_name_mapping), with the
 * setting names an API request's `override_settings` takes — the ones Tagsmith's backend writes or refuses.
 */
export const INFOTEXT_SETTINGS: ReadonlyArray<readonly [label: string, setting: string]> = [
  ['RNG', 'randn_source'],
  ['Pad conds', 'pad_cond_uncond'],
  ['Pad conds v0', 'pad_cond_uncond_v0'],
  ['Emphasis', 'emphasis'],
  ['Schedule min sigma', 'sigma_min'],
  ['Schedule max sigma', 'sigma_max'],
  ['Schedule rho', 'rho'],
  ['SGM noise multiplier', 'sgm_noise_multiplier'],
  ['Discard penultimate sigma', 'always_discard_next_to_last_sigma'],
  ['Beta schedule alpha', 'beta_dist_alpha'],
  ['Beta schedule beta', 'beta_dist_beta'],
];

/**
 * A settings line's entries (label → value as written) to `override_settings` as A1111's paste of infotext sets
 * them: `True`/`False` as booleans, decimal numbers as numbers, anything else as the text.
 */
export function infotextOverrideSettings(settings: Readonly<Record<string, string>>): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [label, setting] of INFOTEXT_SETTINGS) {
    const raw = settings[label];
    if (raw === undefined) continue;
    const v = raw.trim();
    out[setting] = v === 'True' ? true : v === 'False' ? false : /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v;
  }
  return out;
}
