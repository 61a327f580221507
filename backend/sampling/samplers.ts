// k-diffusion samplers (k_diffusion/sampling.py) as small pure functions of a denoiser, a start latent and a
// sigma schedule. Latents are flat Float32Arrays; the denoiser returns the denoised latent for (x, sigma).

/**
 * The denoised latent for (x, sigma). With `out` (x's length) it is written there and `out` returned: samplers pass
 * buffers they own and reuse from step to step (a fresh 256 KB array per call at 1024x1024 costs page faults and
 * garbage collections); without, a new array.
 */
export type Denoiser = (x: Float32Array, sigma: number, step: number, out?: Float32Array) => Promise<Float32Array>;

export interface SamplerOptions {
  /** Noise for ancestral steps, same length as x (A1111 draws it from the image generators). */
  noise?: () => Float32Array | Promise<Float32Array>;
  /** Called after each step with the step index (0-based), the step count and the current denoised estimate (a
   * buffer the sampler writes again in a later step: copy it to keep it). */
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
  const den = new Float32Array(x.length);
  for (let i = 0; i < total; i++) {
    checkAbort(signal);
    const sigma = sigmas[i]!, next = sigmas[i + 1]!;
    const denoised = await denoise(x, sigma, i, den);
    const { down, up } = ancestralStep(sigma, next);
    const dt = down - sigma;
    if (next > 0) {
      if (!noise) throw new Error('Euler a needs a noise source');
      const n = await noise();
      // One pass: the Euler step rounded to float32 (as it was stored before), then sigma_up times the noise.
      for (let k = 0; k < x.length; k++) x[k] = Math.fround(x[k]! + ((x[k]! - denoised[k]!) / sigma) * dt) + n[k]! * up;
    } else {
      for (let k = 0; k < x.length; k++) x[k] = x[k]! + ((x[k]! - denoised[k]!) / sigma) * dt;
    }
    onStep?.(i, total, denoised);
  }
  return x;
};

/** Euler (no churn, as A1111 runs it by default). */
export const sampleEuler: Sampler = async (denoise, x, sigmas, { onStep, signal } = {}) => {
  x = Float32Array.from(x);
  const total = sigmas.length - 1;
  const den = new Float32Array(x.length);
  for (let i = 0; i < total; i++) {
    checkAbort(signal);
    const sigma = sigmas[i]!;
    const denoised = await denoise(x, sigma, i, den);
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
  let spare: Float32Array = new Float32Array(x.length); // the next step's denoised: the one before `old`, no longer read
  for (let i = 0; i < total; i++) {
    checkAbort(signal);
    const sigma = sigmas[i]!, next = sigmas[i + 1]!;
    const denoised = await denoise(x, sigma, i, spare);
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
    spare = old ?? new Float32Array(x.length);
    old = denoised;
    onStep?.(i, total, denoised);
  }
  return x;
};

/** Heun's method (Karras et al. 2022, Algorithm 2 without churn): an Euler step, then the trapezoid of both slopes;
 * the last step (to sigma 0) is plain Euler. Two model calls per step but the last. */
export const sampleHeun: Sampler = async (denoise, x, sigmas, { onStep, signal } = {}) => {
  x = Float32Array.from(x);
  const total = sigmas.length - 1;
  const x2 = new Float32Array(x.length), den = new Float32Array(x.length), den2 = new Float32Array(x.length), d = new Float32Array(x.length);
  for (let i = 0; i < total; i++) {
    checkAbort(signal);
    const sigma = sigmas[i]!, next = sigmas[i + 1]!;
    const denoised = await denoise(x, sigma, i, den);
    const dt = next - sigma;
    // The slope d in float32 (as stored), and the Euler step from it, in one pass.
    if (next === 0) {
      for (let k = 0; k < x.length; k++) x[k] = x[k]! + Math.fround((x[k]! - denoised[k]!) / sigma) * dt;
    } else {
      for (let k = 0; k < x.length; k++) {
        const dk = (d[k] = (x[k]! - denoised[k]!) / sigma);
        x2[k] = x[k]! + Math.fround(dk) * dt;
      }
      const denoised2 = await denoise(x2, next, i, den2);
      for (let k = 0; k < x.length; k++) x[k] = x[k]! + ((d[k]! + (x2[k]! - denoised2[k]!) / next) / 2) * dt;
    }
    onStep?.(i, total, denoised);
  }
  return x;
};

/** Geometric midpoint of two sigmas, as k-diffusion takes it: exp(lerp(ln a, ln b, 1/2)). */
function logMidpoint(a: number, b: number): number {
  const la = Math.log(a);
  return Math.exp(la + 0.5 * (Math.log(b) - la));
}

/** DPM2 (k-diffusion sample_dpm_2, no churn): an Euler half-step to the log midpoint, then the full step with the
 * midpoint's slope; the last step is plain Euler. Two model calls per step but the last. */
export const sampleDpm2: Sampler = async (denoise, x, sigmas, { onStep, signal } = {}) => {
  x = Float32Array.from(x);
  const total = sigmas.length - 1;
  const x2 = new Float32Array(x.length), den = new Float32Array(x.length), den2 = new Float32Array(x.length);
  for (let i = 0; i < total; i++) {
    checkAbort(signal);
    const sigma = sigmas[i]!, next = sigmas[i + 1]!;
    const denoised = await denoise(x, sigma, i, den);
    if (next === 0) {
      for (let k = 0; k < x.length; k++) x[k] = x[k]! + ((x[k]! - denoised[k]!) / sigma) * (next - sigma);
    } else {
      const mid = logMidpoint(sigma, next);
      for (let k = 0; k < x.length; k++) x2[k] = x[k]! + ((x[k]! - denoised[k]!) / sigma) * (mid - sigma);
      const denoised2 = await denoise(x2, mid, i, den2);
      for (let k = 0; k < x.length; k++) x[k] = x[k]! + ((x2[k]! - denoised2[k]!) / mid) * (next - sigma);
    }
    onStep?.(i, total, denoised);
  }
  return x;
};

/** DPM2 a (k-diffusion sample_dpm_2_ancestral, eta 1): a DPM2 step down to sigma_down, then sigma_up times a
 * fresh noise; the last step is plain Euler with no noise. One noise draw per step but the last. */
export const sampleDpm2Ancestral: Sampler = async (denoise, x, sigmas, { noise, onStep, signal } = {}) => {
  x = Float32Array.from(x);
  const total = sigmas.length - 1;
  const x2 = new Float32Array(x.length), den = new Float32Array(x.length), den2 = new Float32Array(x.length);
  for (let i = 0; i < total; i++) {
    checkAbort(signal);
    const sigma = sigmas[i]!, next = sigmas[i + 1]!;
    const denoised = await denoise(x, sigma, i, den);
    const { down, up } = ancestralStep(sigma, next);
    if (down === 0) {
      for (let k = 0; k < x.length; k++) x[k] = x[k]! + ((x[k]! - denoised[k]!) / sigma) * (down - sigma);
    } else {
      const mid = logMidpoint(sigma, down);
      for (let k = 0; k < x.length; k++) x2[k] = x[k]! + ((x[k]! - denoised[k]!) / sigma) * (mid - sigma);
      const denoised2 = await denoise(x2, mid, i, den2);
      if (!noise) throw new Error('DPM2 a needs a noise source');
      const n = await noise();
      // One pass: the DPM2 step rounded to float32 (as it was stored before), then sigma_up times the noise.
      for (let k = 0; k < x.length; k++) x[k] = Math.fround(x[k]! + ((x2[k]! - denoised2[k]!) / mid) * (down - sigma)) + n[k]! * up;
    }
    onStep?.(i, total, denoised);
  }
  return x;
};

/** DPM++ 2S a (k-diffusion sample_dpmpp_2s_ancestral, eta 1): a DPM-Solver++(2S) step in log-sigma time down to
 * sigma_down (midpoint r = 1/2), then sigma_up times a fresh noise; the last step is plain Euler with no noise. */
export const sampleDpmpp2sAncestral: Sampler = async (denoise, x, sigmas, { noise, onStep, signal } = {}) => {
  x = Float32Array.from(x);
  const total = sigmas.length - 1;
  const x2 = new Float32Array(x.length), den = new Float32Array(x.length), den2 = new Float32Array(x.length);
  for (let i = 0; i < total; i++) {
    checkAbort(signal);
    const sigma = sigmas[i]!, next = sigmas[i + 1]!;
    const denoised = await denoise(x, sigma, i, den);
    const { down, up } = ancestralStep(sigma, next);
    if (down === 0) {
      for (let k = 0; k < x.length; k++) x[k] = x[k]! + ((x[k]! - denoised[k]!) / sigma) * (down - sigma);
    } else {
      // t = -ln sigma; h = t_next - t; s = t + h/2; sigma_fn(s) = exp(-s).
      const t = -Math.log(sigma), tNext = -Math.log(down);
      const h = tNext - t, s = t + h / 2;
      const sigmaS = Math.exp(-s);
      const r1 = sigmaS / sigma, b1 = -Math.expm1(-h / 2);
      for (let k = 0; k < x.length; k++) x2[k] = r1 * x[k]! + b1 * denoised[k]!;
      const denoised2 = await denoise(x2, sigmaS, i, den2);
      const r2 = Math.exp(-tNext) / sigma, b2 = -Math.expm1(-h);
      if (next > 0) {
        if (!noise) throw new Error('DPM++ 2S a needs a noise source');
        const n = await noise();
        // One pass: the 2S step rounded to float32 (as it was stored before), then sigma_up times the noise.
        for (let k = 0; k < x.length; k++) x[k] = Math.fround(r2 * x[k]! + b2 * denoised2[k]!) + n[k]! * up;
        onStep?.(i, total, denoised);
        continue;
      }
      for (let k = 0; k < x.length; k++) x[k] = r2 * x[k]! + b2 * denoised2[k]!;
    }
    if (next > 0) {
      if (!noise) throw new Error('DPM++ 2S a needs a noise source');
      const n = await noise();
      for (let k = 0; k < x.length; k++) x[k] = x[k]! + n[k]! * up;
    }
    onStep?.(i, total, denoised);
  }
  return x;
};

// Gauss-Legendre nodes and weights on [-1, 1], 4 points: exact for polynomials up to degree 7.
const GL_NODES = [-0.8611363115940526, -0.3399810435848563, 0.3399810435848563, 0.8611363115940526];
const GL_WEIGHTS = [0.3478548451374538, 0.6521451548625461, 0.6521451548625461, 0.3478548451374538];

/**
 * k-diffusion's linear_multistep_coeff(order, t, i, j): the integral over [t_i, t_{i+1}] of the Lagrange basis
 * polynomial through t_i, t_{i-1}, … t_{i-order+1} that is 1 at t_{i-j}. k-diffusion integrates it with
 * scipy.integrate.quad; the integrand is a polynomial of degree order - 1 <= 3, so 4-point Gauss-Legendre is
 * exact (up to rounding), as quad's 21-point Gauss-Kronrod rule is.
 */
export function lmsCoefficient(order: number, t: ArrayLike<number>, i: number, j: number): number {
  if (order - 1 > i) throw new RangeError(`Order ${order} too high for step ${i}`);
  const a = t[i]!, b = t[i + 1]!;
  const basis = (tau: number): number => {
    let prod = 1;
    for (let k = 0; k < order; k++) if (k !== j) prod *= (tau - t[i - k]!) / (t[i - j]! - t[i - k]!);
    return prod;
  };
  const half = (b - a) / 2, centre = (a + b) / 2;
  let sum = 0;
  for (let q = 0; q < 4; q++) sum += GL_WEIGHTS[q]! * basis(centre + half * GL_NODES[q]!);
  return sum * half;
}

/** LMS (k-diffusion sample_lms, order 4): linear multistep on the last (up to) 4 slopes d = (x - denoised)/sigma. */
export const sampleLms: Sampler = async (denoise, x, sigmas, { onStep, signal } = {}, order = 4) => {
  x = Float32Array.from(x);
  const total = sigmas.length - 1;
  const ds: Float32Array[] = [];
  const den = new Float32Array(x.length);
  for (let i = 0; i < total; i++) {
    checkAbort(signal);
    const sigma = sigmas[i]!;
    const denoised = await denoise(x, sigma, i, den);
    // The oldest slope's buffer is reused once `order` are kept (it is never read again).
    const d = ds.length >= order ? ds.shift()! : new Float32Array(x.length);
    ds.push(d);
    const cur = Math.min(i + 1, order);
    const cs: number[] = [];
    for (let j = 0; j < cur; j++) cs.push(lmsCoefficient(cur, sigmas, i, j));
    // One pass: the new slope, then x += c_j d_j from the newest slope (j = 0) to the oldest, each sum rounded to
    // float32 as the passes over x stored it before.
    const c0 = cs[0]!;
    if (cur === 4) {
      const [c1, c2, c3] = [cs[1]!, cs[2]!, cs[3]!];
      const [d1, d2, d3] = [ds[ds.length - 2]!, ds[ds.length - 3]!, ds[ds.length - 4]!];
      for (let k = 0; k < x.length; k++) {
        const dk = Math.fround((d[k] = (x[k]! - denoised[k]!) / sigma));
        const a = Math.fround(x[k]! + c0 * dk);
        const b = Math.fround(a + c1 * d1[k]!);
        const c = Math.fround(b + c2 * d2[k]!);
        x[k] = c + c3 * d3[k]!;
      }
    } else {
      for (let k = 0; k < x.length; k++) {
        const dk = Math.fround((d[k] = (x[k]! - denoised[k]!) / sigma));
        let xk = Math.fround(x[k]! + c0 * dk);
        for (let j = 1; j < cur; j++) xk = Math.fround(xk + cs[j]! * ds[ds.length - 1 - j]![k]!);
        x[k] = xk;
      }
    }
    onStep?.(i, total, denoised);
  }
  return x;
};

/**
 * DDIM with eta 0, as A1111's timestep sampler (sd_samplers_timesteps_impl.ddim) computes it, in k-diffusion's
 * variables. With x_ve = x_vp / sqrt(abar_t) and sigma_t = sqrt((1 - abar_t)/abar_t), A1111's update
 *   x_prev = sqrt(abar_prev) pred_x0 + sqrt(1 - abar_prev) e_t,  pred_x0 = (x - sqrt(1 - abar_t) e_t)/sqrt(abar_t)
 * divided by sqrt(abar_prev) is x_ve + (sigma_prev - sigma_t) (x_ve - denoised)/sigma_t: an Euler step between the
 * sigmas of consecutive DDIM timesteps. Use it with `timestepSamplerPlan` (sigmas of timesteps 1 + k·floor(1000/steps),
 * no 0 at the end), start from noise · noiseScale and multiply the result by outputScale to get A1111's latent.
 */
export const sampleDdim: Sampler = (denoise, x, sigmas, options) => sampleEuler(denoise, x, sigmas, options);

/**
 * PLMS (A1111's sd_samplers_timesteps_impl.plms) in k-diffusion's variables, on the same timestep sigmas as DDIM:
 * e = (x - denoised)/sigma is A1111's e_t, each step is x + (sigma_prev - sigma) e' with e' a pseudo improved Euler
 * average on the first step (one extra model call at the next timestep) and Adams-Bashforth of order 2, 3, 4 after.
 */
export const samplePlms: Sampler = async (denoise, x, sigmas, { onStep, signal } = {}) => {
  x = Float32Array.from(x);
  const total = sigmas.length - 1;
  const old: Float32Array[] = [];
  let spare: Float32Array | undefined; // the e that left `old`, reused
  // pred_x0 is only read by onStep before the next step writes it again
  const den = new Float32Array(x.length), predX0 = new Float32Array(x.length);
  for (let i = 0; i < total; i++) {
    checkAbort(signal);
    const sigma = sigmas[i]!, next = sigmas[i + 1]!;
    const denoised = await denoise(x, sigma, i, den);
    const e = spare ?? new Float32Array(x.length);
    spare = undefined;
    const dt = next - sigma;
    // e = (x - denoised)/sigma and e' are float32 (as the arrays they were stored in); one pass computes e, e',
    // pred_x0 and the step (after the first step's extra model call).
    if (old.length === 0) {
      const xPrev = new Float32Array(x.length);
      for (let k = 0; k < x.length; k++) {
        const ek = Math.fround((e[k] = (x[k]! - denoised[k]!) / sigma));
        xPrev[k] = x[k]! + dt * ek;
      }
      const denoisedNext = await denoise(xPrev, next, i);
      for (let k = 0; k < x.length; k++) {
        const ep = Math.fround((e[k]! + (xPrev[k]! - denoisedNext[k]!) / next) / 2);
        predX0[k] = x[k]! - sigma * ep;
        x[k] = x[k]! + dt * ep;
      }
    } else if (old.length === 1) {
      const a = old[0]!;
      for (let k = 0; k < x.length; k++) {
        const ek = Math.fround((e[k] = (x[k]! - denoised[k]!) / sigma));
        const ep = Math.fround((3 * ek - a[k]!) / 2);
        predX0[k] = x[k]! - sigma * ep;
        x[k] = x[k]! + dt * ep;
      }
    } else if (old.length === 2) {
      const [b, a] = [old[0]!, old[1]!];
      for (let k = 0; k < x.length; k++) {
        const ek = Math.fround((e[k] = (x[k]! - denoised[k]!) / sigma));
        const ep = Math.fround((23 * ek - 16 * a[k]! + 5 * b[k]!) / 12);
        predX0[k] = x[k]! - sigma * ep;
        x[k] = x[k]! + dt * ep;
      }
    } else {
      const [c, b, a] = [old[0]!, old[1]!, old[2]!];
      for (let k = 0; k < x.length; k++) {
        const ek = Math.fround((e[k] = (x[k]! - denoised[k]!) / sigma));
        const ep = Math.fround((55 * ek - 59 * a[k]! + 37 * b[k]! - 9 * c[k]!) / 24);
        predX0[k] = x[k]! - sigma * ep;
        x[k] = x[k]! + dt * ep;
      }
    }
    old.push(e);
    if (old.length >= 4) spare = old.shift();
    onStep?.(i, total, predX0);
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
