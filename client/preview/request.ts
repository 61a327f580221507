// The A1111 `txt2img` body for one `.sdprompt` block: its prompt, negative prompt and settings line, with the
// profile's recommended values where the block has none, and draft mode (smaller, fewer steps) on request.
// Pure (no `vscode`, no Node): a parsed block in, a request body or the problems naming their keys out.
import type { Block, Profile } from '../../core';

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
  const entries = new Map<string, string>();
  for (const entry of block.settings?.entries ?? []) entries.set(entry.key.toLowerCase(), entry.value.trim());

  const integer = (key: string, fallback: number, min: number, max: number): number => {
    const raw = entries.get(key.toLowerCase());
    if (raw === undefined || raw === '') return fallback;
    if (!/^-?\d+$/.test(raw)) return (problems.push(`${key}: "${raw}" is not a whole number`), fallback);
    const value = Number(raw);
    if (value < min || value > max) return (problems.push(`${key}: ${raw} is outside ${min}–${max}`), fallback);
    return value;
  };

  const steps = integer('Steps', rec.steps, 1, 150);
  const seed = integer('Seed', -1, -1, 2 ** 32 - 1);
  let cfgScale = rec.cfgScale;
  const rawCfg = entries.get('cfg scale');
  if (rawCfg !== undefined && rawCfg !== '') {
    const value = Number(rawCfg);
    if (!/^\d+(\.\d+)?$/.test(rawCfg) || !Number.isFinite(value)) problems.push(`CFG scale: "${rawCfg}" is not a number`);
    else if (value > 30) problems.push(`CFG scale: ${rawCfg} is outside 0–30`);
    else cfgScale = value;
  }
  let width = size0.width;
  let height = size0.height;
  const rawSize = entries.get('size');
  if (rawSize !== undefined && rawSize !== '') {
    const m = /^(\d+)\s*x\s*(\d+)$/i.exec(rawSize);
    if (!m) problems.push(`Size: "${rawSize}" is not WIDTHxHEIGHT`);
    else {
      const [w, h] = [Number(m[1]), Number(m[2])];
      if (w % 8 !== 0 || h % 8 !== 0 || w < 64 || h < 64 || w > 2048 || h > 2048) problems.push(`Size: ${rawSize} must be multiples of 8 between 64 and 2048`);
      else [width, height] = [w, h];
    }
  }
  const sampler = entries.get('sampler') || rec.sampler;
  const schedule = entries.get('schedule type');
  if (problems.length > 0) return { problems };

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
  const settings = JSON.stringify([body.steps, body.cfg_scale, body.width, body.height, body.sampler_name, body.scheduler ?? '', seed]);
  return blockFingerprint(body.prompt, body.negative_prompt, settings);
}
