// Deterministic realistic prompts for the benchmarks, built from the 140k-tag dictionary when it is
// present (../shared/data/tags/danbooru.csv) and from a small built-in list otherwise.

import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export const DANBOORU_CSV = resolve(__dirname, '../../shared/data/tags/danbooru.csv');

const FALLBACK = ['1boy', 'solo', 'male focus', 'black hair', 'short hair', 'looking at viewer', 'smile', 'upper body', 'jacket', 'outdoors', 'sky', 'blue eyes', 'white shirt', 'holding', 'standing', 'simple background'];

/** A small seeded PRNG (mulberry32), so every run builds the same corpus. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

let cachedTags: string[] | undefined;

/** The most used dictionary tags (general and character), underscores as spaces, parentheses escaped. */
export function realisticTags(limit = 20000): string[] {
  if (cachedTags) return cachedTags;
  if (!existsSync(DANBOORU_CSV)) return (cachedTags = FALLBACK);
  const tags: string[] = [];
  for (const line of readFileSync(DANBOORU_CSV, 'utf8').split('\n')) {
    const name = line.slice(0, line.indexOf(','));
    if (!name) continue;
    tags.push(name.replace(/_/g, ' ').replace(/([()])/g, '\\$1'));
    if (tags.length >= limit) break;
  }
  return (cachedTags = tags);
}

/** One prompt of `min`–`max` tags, some weighted, ending with the card's quality suffix. */
export function realisticPrompt(next: () => number, tags = realisticTags(), min = 15, max = 40): string {
  const count = min + Math.floor(next() * (max - min + 1));
  const parts: string[] = [];
  const used = new Set<string>();
  for (let i = 0; i < count; i++) {
    const tag = tags[Math.floor(Math.pow(next(), 2) * tags.length)]!;
    // A real prompt names each tag once.
    if (used.has(tag)) continue;
    used.add(tag);
    const r = next();
    parts.push(r < 0.08 ? `(${tag}:${(0.8 + next() * 0.6).toFixed(1)})` : r < 0.12 ? `(${tag})` : r < 0.14 ? `[${tag}]` : tag);
  }
  return parts.join(', ') + ', best quality, amazing quality, best aesthetic, absurdres, year 2023';
}

const HEAVY = 'lowres, (bad:1.05), text, error, missing, extra, fewer, cropped, jpeg artifacts, worst quality, bad quality, watermark, bad aesthetic, unfinished, chromatic aberration, scan, scan artifacts, 1girl, breasts';

/** A `.sdprompt` block: prompt, heavy negative preset, settings line. */
export function realisticBlock(next: () => number, tags = realisticTags()): string {
  const seed = Math.floor(next() * 1e9);
  return `${realisticPrompt(next, tags)}\nNegative prompt: ${HEAVY}\nSteps: 28, Sampler: Euler a, CFG scale: 5, Seed: ${seed}, Size: 832x1216, Model: AnimeBoysXL\n`;
}

/** A document of `blocks` blocks separated by `---`. */
export function realisticDocument(blocks: number, seed = 1): string {
  const next = rng(seed);
  const tags = realisticTags();
  const out: string[] = [];
  for (let i = 0; i < blocks; i++) out.push(realisticBlock(next, tags));
  return out.join('---\n');
}

/** A document of at least `bytes` UTF-8 bytes. */
export function realisticDocumentOfSize(bytes: number, seed = 1): string {
  const next = rng(seed);
  const tags = realisticTags();
  const out: string[] = [];
  let size = 0;
  while (size < bytes) {
    const block = realisticBlock(next, tags);
    out.push(block);
    size += Buffer.byteLength(block) + 4;
  }
  return out.join('---\n');
}
