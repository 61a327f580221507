// The A1111 `txt2img` body for one `.sdprompt` block: its prompt, negative prompt and settings line, with the
// profile's recommended values where the block has none, and draft mode (smaller, fewer steps) on request.
// Pure (no `vscode`, no Node): a parsed block in, a request body or the problems naming their keys out. Each value's
// valid range is the settings vocabulary's (core/a1111/settings.ts); the A1111 settings the block sets (RNG, Pad
// conds, Emphasis, the schedule options) go as `override_settings`, as A1111's paste of infotext sets them.
import { findSettingKey, INFOTEXT_SETTINGS, infotextOverrideSettings, parseSettingInteger, parseSettingNumber, parseSettingSize, settingKey, settingRange, settingValueProblem, type Block, type Profile } from '../../core';

/** The fields of A1111's `StableDiffusionTxt2ImgProcessingAPI` this extension sends. */
export interface Txt2ImgBody {
  prompt: string;
  negative_prompt: string;
  steps: number;
  cfg_scale: number;
  width: number;
  height: number;
  /** -1: the server picks a random seed (and reports it in `info`). */
  seed: number;
  sampler_name: string;
  /** A1111 1.9+ takes the schedule apart from the sampler (`Karras`); sent only when the block names one. */
  scheduler?: string;
  batch_size: 1;
  /** A1111 settings for this request only (`randn_source`, `pad_cond_uncond`, …); sent only when the block sets one. */
  override_settings?: Record<string, string | number | boolean>;
  /** Keep the server from writing its own copies (A1111, Forge): we save the PNG ourselves. */
  save_images: false;
  send_images: true;
}

export interface DraftOptions {
  /** Longest side of a draft render, in pixels (a multiple of 8). */
  maxSide: number;
  /** Most steps of a draft render. */
  maxSteps: number;
}

export const DRAFT: DraftOptions = { maxSide: 512, maxSteps: 12 };

export type BuildResult = { body: Txt2ImgBody; problems?: undefined } | { body?: undefined; problems: string[] };

/** Builds the request for `block`; a settings value that cannot be sent (`Steps: many`) is a problem naming its key. */
export function buildTxt2img(block: Block, profile: Profile, draft: DraftOptions | undefined): BuildResult {
  const rec = profile.recommended;
  const size0 = rec.sizes.find((s) => s.width === s.height) ?? rec.sizes[0] ?? { width: 1024, height: 1024 };
  const problems: string[] = [];
  // By the vocabulary's label (A1111 reads keys as written; a key in another case is the same key here).
  const entries = new Map<string, string>();
  for (const entry of block.settings?.entries ?? []) entries.set(findSettingKey(entry.key)?.key ?? entry.key, entry.value.trim());

  /** The value of `key` when the block has a valid one; a problem naming the key when it has an invalid one. */
  const valid = (label: string): string | undefined => {
    const raw = entries.get(label);
    if (raw === undefined || raw === '') return undefined;
    const problem = settingValueProblem(settingKey(label), raw);
    if (!problem) return raw;
    problems.push(problem.kind === 'malformed' ? `${label}: "${raw}" is not ${problem.expected}` : `${label}: ${raw} is outside ${problem.range}`);
    return undefined;
  };
  const integer = (label: string, fallback: number): number => {
    const raw = valid(label);
    return raw === undefined ? fallback : parseSettingInteger(raw)!;
  };

  const steps = integer('Steps', rec.steps);
  const seed = integer('Seed', -1);
  const rawCfg = valid('CFG scale');
  const cfgScale = rawCfg === undefined ? rec.cfgScale : parseSettingNumber(rawCfg)!;
  let width = size0.width;
  let height = size0.height;
  const rawSize = entries.get('Size');
  if (rawSize !== undefined && rawSize !== '') {
    const SIZE = settingKey('Size');
    const size = parseSettingSize(rawSize);
    const step = SIZE.multipleOf ?? 1;
    if (!size) problems.push(`Size: "${rawSize}" is not WIDTHxHEIGHT`);
    else if (settingValueProblem(SIZE, rawSize) || size.width % step !== 0 || size.height % step !== 0) {
      problems.push(`Size: ${rawSize} must be multiples of ${step} between ${settingRange(SIZE).replace('–', ' and ')}`);
    } else ({ width, height } = size);
  }
  const sampler = entries.get('Sampler') || rec.sampler;
  const schedule = entries.get('Schedule type');
  // The A1111 settings the block sets, each checked against the vocabulary first.
  const overrideLabels: Record<string, string> = {};
  for (const label of entries.keys()) {
    if (!INFOTEXT_SETTINGS.some(([l]) => l === label)) continue;
    const raw = valid(label);
    if (raw !== undefined) overrideLabels[label] = raw;
  }
  if (problems.length > 0) return { problems };
  const overrides = infotextOverrideSettings(overrideLabels);

  const body: Txt2ImgBody = {
    prompt: block.prompt?.text ?? '',
    negative_prompt: block.negative?.text ?? '',
    steps,
    cfg_scale: cfgScale,
    width,
    height,
    seed,
    sampler_name: sampler,
    batch_size: 1,
    save_images: false,
    send_images: true,
  };
  if (schedule && schedule.toLowerCase() !== 'automatic') body.scheduler = schedule;
  if (Object.keys(overrides).length > 0) body.override_settings = overrides;
  if (draft) Object.assign(body, draftSize(width, height, draft.maxSide), { steps: Math.min(steps, draft.maxSteps) });
  return { body };
}

/** The size scaled down so its longer side is at most `maxSide`, aspect kept, each side a multiple of 8 (at least 64). */
export function draftSize(width: number, height: number, maxSide: number): { width: number; height: number } {
  const scale = Math.min(1, maxSide / Math.max(width, height));
  const side = (v: number) => Math.max(64, Math.floor((v * scale) / 8) * 8);
  return { width: side(width), height: side(height) };
}

/**
 * A fingerprint of what a block renders (its prompt, negative prompt and settings line), to tell whether it
 * changed since its last render: two 32-bit hashes (FNV-1a and a murmur-style mix) side by side, as hex.
 */
export function blockFingerprint(prompt: string, negative: string, settingsLine: string): string {
  const text = `${prompt}\u0000${negative}\u0000${settingsLine.trim()}`;
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995) ^ (h2 >>> 15);
  }
  return (h1 >>> 0).toString(16).padStart(8, '0') + (h2 >>> 0).toString(16).padStart(8, '0');
}

/**
 * What a render of a block stands for, to tell later whether the block still renders the same: the full-size
 * request's fields (draft mode left out) with `seed` — the block's own seed, the seed actually used when the
 * render overrode it (Re-render with a new seed), or -1 for a block without a seed.
 */
export function requestFingerprint(body: Txt2ImgBody, seed: number): string {
  const fields: unknown[] = [body.steps, body.cfg_scale, body.width, body.height, body.sampler_name, body.scheduler ?? '', seed];
  // Only when there are some, so that the fingerprints of blocks without them stay what they were.
  if (body.override_settings) fields.push(Object.entries(body.override_settings).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const settings = JSON.stringify(fields);
  return blockFingerprint(body.prompt, body.negative_prompt, settings);
}
