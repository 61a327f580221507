// What A1111 writes in an infotext settings line: the keys it knows and the sampler names it accepts.
// Data for checks, completion and hover.

export interface SettingKey {
  key: string;
  doc: string;
  /** Name of the profile recommendation this key maps to, if any. */
  recommended?: 'steps' | 'sampler' | 'cfgScale' | 'size';
}

export const settingKeys: SettingKey[] = [
  { key: 'Steps', doc: 'Number of sampling steps (1–150).', recommended: 'steps' },
  { key: 'Sampler', doc: 'The sampling method, e.g. `Euler a`.', recommended: 'sampler' },
  { key: 'Schedule type', doc: 'The noise schedule (Automatic, Karras, Exponential, ...).' },
  { key: 'CFG scale', doc: 'Classifier-free guidance scale: how strongly the image follows the prompt (1–30).', recommended: 'cfgScale' },
  { key: 'Seed', doc: 'The seed of the starting noise; the same seed and settings give the same image.' },
  { key: 'Size', doc: 'Width x height in pixels, multiples of 8.', recommended: 'size' },
  { key: 'Model hash', doc: 'Short hash of the checkpoint file.' },
  { key: 'Model', doc: 'Name of the checkpoint.' },
  { key: 'VAE hash', doc: 'Short hash of the VAE file.' },
  { key: 'VAE', doc: 'Name of the VAE.' },
  { key: 'Denoising strength', doc: 'How much img2img or hires fix changes the image (0–1).' },
  { key: 'Clip skip', doc: 'Number of last CLIP layers skipped (SDXL uses the penultimate layer regardless).' },
  { key: 'Hires upscale', doc: 'Hires fix upscale factor.' },
  { key: 'Hires steps', doc: 'Sampling steps of the hires pass.' },
  { key: 'Hires upscaler', doc: 'Upscaler of the hires pass.' },
  { key: 'Hires CFG Scale', doc: 'CFG scale of the hires pass.' },
  { key: 'Hires prompt', doc: 'Prompt of the hires pass.' },
  { key: 'Hires negative prompt', doc: 'Negative prompt of the hires pass.' },
  { key: 'Variation seed', doc: 'Seed of the variation noise.' },
  { key: 'Styles', doc: "A1111 styles from `styles.csv`, comma-separated: each adds its prompt and negative prompt to the block's (a style with `{prompt}` puts the prompt there). Tagsmith counts tokens with them; the code action *Apply styles* writes them into the block." },
  { key: 'Variation seed strength', doc: 'How much of the variation noise is mixed in.' },
  { key: 'Seed resize from', doc: 'Size the seed was resized from.' },
  { key: 'ENSD', doc: 'Eta noise seed delta.' },
  { key: 'Eta', doc: 'Eta of ancestral samplers.' },
  { key: 'RNG', doc: 'Source of random numbers: GPU, CPU or NV.' },
  { key: 'Emphasis', doc: 'How emphasis is applied (Original, No norm, None).' },
  { key: 'Lora hashes', doc: 'Hashes of the LoRA files used.' },
  { key: 'TI hashes', doc: 'Hashes of the textual inversions used.' },
  { key: 'Face restoration', doc: 'Face restoration model.' },
  { key: 'Token merging ratio', doc: 'ToMe ratio.' },
  { key: 'NGMS', doc: 'Negative guidance minimum sigma.' },
  { key: 'Refiner', doc: 'Refiner checkpoint.' },
  { key: 'Refiner switch at', doc: 'Fraction of steps after which the refiner takes over.' },
  { key: 'Version', doc: 'Version of the webui that wrote the infotext.' },
  { key: 'Pad conds', doc: 'Whether conditionings were padded to the same length.' },
  { key: 'Downcast alphas_cumprod', doc: 'Compatibility option of A1111.' },
  { key: 'Schedule max sigma', doc: 'Maximum sigma of the schedule.' },
  { key: 'Schedule min sigma', doc: 'Minimum sigma of the schedule.' },
  { key: 'Schedule rho', doc: 'Rho of the Karras schedule.' },
  { key: 'Noise multiplier', doc: 'Extra noise multiplier for img2img.' },
];

/** Sampler names A1111 accepts in infotext, including the older names with the schedule in them. */
export const samplerNames: string[] = [
  'Euler a',
  'Euler',
  'DPM++ 2M',
  'DPM++ 2M Karras',
  'DPM++ SDE',
  'DPM++ SDE Karras',
  'DPM++ 2M SDE',
  'DPM++ 2M SDE Karras',
  'DPM++ 2M SDE Exponential',
  'DPM++ 2M SDE Heun',
  'DPM++ 2M SDE Heun Karras',
  'DPM++ 2S a',
  'DPM++ 2S a Karras',
  'DPM++ 3M SDE',
  'DPM++ 3M SDE Karras',
  'DPM++ 3M SDE Exponential',
  'LMS',
  'LMS Karras',
  'Heun',
  'DPM2',
  'DPM2 Karras',
  'DPM2 a',
  'DPM2 a Karras',
  'DPM fast',
  'DPM adaptive',
  'Restart',
  'DDIM',
  'DDIM CFG++',
  'PLMS',
  'UniPC',
  'LCM',
];

export function findSettingKey(key: string): SettingKey | undefined {
  return settingKeys.find((k) => k.key.toLowerCase() === key.toLowerCase());
}
