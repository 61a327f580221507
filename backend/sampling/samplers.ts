// k-diffusion samplers (k_diffusion/sampling.py) as small pure functions of a denoiser, a start latent and a
// sigma schedule. Latents are flat Float32Arrays; the denoiser returns the denoised latent for (x, sigma).

export type Denoiser = (x: Float32Array, sigma: number, step: number) => Promise<Float32Array>;

export interface SamplerOptions {
  /** Noise for ancestral steps, same length as x (A1111 draws it from the image generators). */
  noise?: () => Float32Array | Promise<Float32Array>;
  /** Called after each step with the step index (0-based), the step count and the current denoised estimate. */
  onStep?: (step: number, total: number, denoised: Float32Array) => void;
  /** Checked before every step; when aborted the sampler throws the signal's reason. */
  signal?: AbortSignal;
}

export type Sampler = (denoise: Denoiser, x: Float32Array, sigmas: Float64Array, options?: SamplerOptions) => Promise<Float32Array>;

function checkAbort(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('interrupted');
}

/** Ancestral split of a step (eta = 1): how far to step deterministically, how much noise to add. */
export function ancestralStep(sigma: number, sigmaNext: number, eta = 1): { down: number; up: number } {
  if (sigmaNext === 0) return { down: 0, up: 0 };
  const up = Math.min(sigmaNext, eta * Math.sqrt((sigmaNext ** 2 * (sigma ** 2 - sigmaNext ** 2)) / sigma ** 2));
  return { down: Math.sqrt(sigmaNext ** 2 - up ** 2), up };
}

/** Euler ancestral ("Euler a"). */
export const sampleEulerAncestral: Sampler = async (denoise, x, sigmas, { noise, onStep, signal } = {}) => {
  x = Float32Array.from(x);
  const total = sigmas.length - 1;
  for (let i = 0; i < total; i++) {
    checkAbort(signal);
    const sigma = sigmas[i]!, next = sigmas[i + 1]!;
    const denoised = await denoise(x, sigma, i);
    const { down, up } = ancestralStep(sigma, next);
    const dt = down - sigma;
    for (let k = 0; k < x.length; k++) x[k] = x[k]! + ((x[k]! - denoised[k]!) / sigma) * dt;
    if (next > 0) {
      if (!noise) throw new Error('Euler a needs a noise source');
      const n = await noise();
      for (let k = 0; k < x.length; k++) x[k] = x[k]! + n[k]! * up;
    }
    onStep?.(i, total, denoised);
  }
  return x;
};

/** Euler (no churn, as A1111 runs it by default). */
export const sampleEuler: Sampler = async (denoise, x, sigmas, { onStep, signal } = {}) => {
  x = Float32Array.from(x);
  const total = sigmas.length - 1;
  for (let i = 0; i < total; i++) {
    checkAbort(signal);
    const sigma = sigmas[i]!;
    const denoised = await denoise(x, sigma, i);
    const dt = sigmas[i + 1]! - sigma;
    for (let k = 0; k < x.length; k++) x[k] = x[k]! + ((x[k]! - denoised[k]!) / sigma) * dt;
    onStep?.(i, total, denoised);
  }
  return x;
};

/** DPM-Solver++(2M): a second-order multistep method in log-sigma time. */
export const sampleDpmpp2m: Sampler = async (denoise, x, sigmas, { onStep, signal } = {}) => {
  x = Float32Array.from(x);
  const total = sigmas.length - 1;
  const tOf = (s: number) => -Math.log(s);
  let old: Float32Array | undefined;
  for (let i = 0; i < total; i++) {
    checkAbort(signal);
    const sigma = sigmas[i]!, next = sigmas[i + 1]!;
    const denoised = await denoise(x, sigma, i);
    const t = tOf(sigma), tNext = tOf(next);
    const h = tNext - t;
    const ratio = next / sigma; // sigma_fn(t_next) / sigma_fn(t); 0 on the last step
    const blend = -Math.expm1(-h); // 1 on the last step
    if (!old || next === 0) {
      for (let k = 0; k < x.length; k++) x[k] = ratio * x[k]! + blend * denoised[k]!;
    } else {
      const r = (t - tOf(sigmas[i - 1]!)) / h;
      const a = 1 + 1 / (2 * r), b = 1 / (2 * r);
      for (let k = 0; k < x.length; k++) x[k] = ratio * x[k]! + blend * (a * denoised[k]! - b * old[k]!);
    }
    old = denoised;
    onStep?.(i, total, denoised);
  }
  return x;
};

export interface SamplerInfo {
  name: string;
  aliases: string[];
  sample: Sampler;
  schedule: 'default' | 'karras';
  ancestral: boolean;
}

/** The samplers the backend offers, with A1111's names and aliases. */
export const SAMPLERS: readonly SamplerInfo[] = [
  { name: 'Euler a', aliases: ['k_euler_a', 'k_euler_ancestral'], sample: sampleEulerAncestral, schedule: 'default', ancestral: true },
  { name: 'Euler', aliases: ['k_euler'], sample: sampleEuler, schedule: 'default', ancestral: false },
  { name: 'DPM++ 2M', aliases: ['k_dpmpp_2m'], sample: sampleDpmpp2m, schedule: 'default', ancestral: false },
  { name: 'DPM++ 2M Karras', aliases: ['k_dpmpp_2m_ka'], sample: sampleDpmpp2m, schedule: 'karras', ancestral: false },
];

export function findSampler(name: string): SamplerInfo | undefined {
  return SAMPLERS.find((s) => s.name === name || s.aliases.includes(name));
}
