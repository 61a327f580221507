// A1111's schedule types (modules/sd_schedulers.py, 1.10) as pure functions: steps, the sigma range and, where
// the schedule needs it, the model's 1000 training sigmas (`TrainingSchedule`, built by `trainingSchedule` from
// the scheduler config: SDXL's scaled-linear betas 0.00085 … 0.012) → a Float64Array of sigmas, largest first.
// Every schedule but KL Optimal ends in 0. A1111 holds these in float32 tensors; here they stay float64.
import { defaultSigmas, sigmaToTimestep, timestepToSigma, type TrainingSchedule } from './schedule';
import { betaPpf } from './betaDist';

/** torch.linspace / np.linspace(start, end, n). */
export function linspace(start: number, end: number, n: number): number[] {
  if (n <= 0) return [];
  if (n === 1) return [start];
  return Array.from({ length: n }, (_, i) => start + ((end - start) * i) / (n - 1));
}

function withZero(values: ArrayLike<number>): Float64Array {
  const out = new Float64Array(values.length + 1);
  out.set(values);
  return out;
}

/** The model's smallest and largest training sigma (k-diffusion's sigma_min, sigma_max). */
export function modelSigmaRange(s: TrainingSchedule): { sigmaMin: number; sigmaMax: number } {
  return { sigmaMin: s.sigmas[0]!, sigmaMax: s.sigmas[s.sigmas.length - 1]! };
}

/** "Uniform": k-diffusion's DiscreteSchedule.get_sigmas(n) — timesteps linspace(T-1, 0, n), log-linear sigmas, 0. */
export function uniformSigmas(s: TrainingSchedule, n: number): Float64Array {
  return defaultSigmas(s, n);
}

/** "Karras": get_sigmas_karras — rho-th roots evenly spaced from sigma_max to sigma_min, then 0 (rho 7). */
export function karrasRangeSigmas(n: number, sigmaMin: number, sigmaMax: number, rho = 7): Float64Array {
  const minInv = sigmaMin ** (1 / rho), maxInv = sigmaMax ** (1 / rho);
  return withZero(linspace(0, 1, n).map((r) => (maxInv + r * (minInv - maxInv)) ** rho));
}

/** "Exponential": get_sigmas_exponential — log sigma evenly spaced from log sigma_max to log sigma_min, then 0. */
export function exponentialSigmas(n: number, sigmaMin: number, sigmaMax: number): Float64Array {
  return withZero(linspace(Math.log(sigmaMax), Math.log(sigmaMin), n).map(Math.exp));
}

/** "Polyexponential": get_sigmas_polyexponential — exp(ramp^rho (ln max - ln min) + ln min), ramp 1 → 0, then 0 (rho 1). */
export function polyexponentialSigmas(n: number, sigmaMin: number, sigmaMax: number, rho = 1): Float64Array {
  const lmin = Math.log(sigmaMin), lmax = Math.log(sigmaMax);
  return withZero(linspace(1, 0, n).map((r) => Math.exp(r ** rho * (lmax - lmin) + lmin)));
}

/** "SGM Uniform": n + 1 timesteps from t(sigma_max) to t(sigma_min), the last one dropped, their sigmas, then 0. */
export function sgmUniformSigmas(s: TrainingSchedule, n: number, sigmaMin: number, sigmaMax: number): Float64Array {
  const start = sigmaToTimestep(s, sigmaMax), end = sigmaToTimestep(s, sigmaMin);
  return withZero(linspace(start, end, n + 1).slice(0, n).map((t) => timestepToSigma(s, t)));
}

/** "Normal": n timesteps from t(sigma_max) to t(sigma_min) (both ends kept), their sigmas, then 0. */
export function normalSigmas(s: TrainingSchedule, n: number, sigmaMin: number, sigmaMax: number): Float64Array {
  const start = sigmaToTimestep(s, sigmaMax), end = sigmaToTimestep(s, sigmaMin);
  return withZero(linspace(start, end, n).map((t) => timestepToSigma(s, t)));
}

/** "Simple": the training sigma at index T-1-int(x·T/n) for x = 0 … n-1, then 0. */
export function simpleSigmas(s: TrainingSchedule, n: number): Float64Array {
  const count = s.sigmas.length, ss = count / n;
  return withZero(Array.from({ length: n }, (_, x) => s.sigmas[count - 1 - Math.trunc(x * ss)]!));
}

/**
 * "DDIM" (the schedule type, for k-diffusion samplers): the training sigmas at 1, 1 + ss, 1 + 2ss, … < T with
 * ss = max(floor(T/n), 1), reversed, then 0. Its length is not always n + 1: for T = 1000, n = 28 it has 29 sigmas
 * before the 0 (ss = 35, 1 … 981), so the sampler takes 29 steps, as A1111 does.
 */
export function ddimScheduleSigmas(s: TrainingSchedule, n: number): Float64Array {
  const count = s.sigmas.length, ss = Math.max(Math.floor(count / n), 1);
  const sigs: number[] = [];
  for (let x = 1; x < count; x += ss) sigs.push(s.sigmas[x]!);
  return withZero(sigs.reverse());
}

/** "Beta" (Lee et al. 2024): sigma_min + ppf_Beta(alpha, beta)(1 - linspace(0, 1, n)) (sigma_max - sigma_min), then 0. */
export function betaSigmas(n: number, sigmaMin: number, sigmaMax: number, alpha = 0.6, beta = 0.6): Float64Array {
  return withZero(linspace(0, 1, n).map((u) => sigmaMin + betaPpf(1 - u, alpha, beta) * (sigmaMax - sigmaMin)));
}

/** "KL Optimal": tan of arctan(sigma) evenly spaced from sigma_max to sigma_min, n + 1 values, no 0 appended. */
export function klOptimalSigmas(n: number, sigmaMin: number, sigmaMax: number): Float64Array {
  const aMin = Math.atan(sigmaMin), aMax = Math.atan(sigmaMax);
  return Float64Array.from({ length: n + 1 }, (_, i) => Math.tan((i / n) * aMin + (1 - i / n) * aMax));
}

/** Align Your Steps' published 10-step sigmas (NVIDIA, "AYS" how-to), as A1111 holds them. */
export const AYS_SIGMAS = {
  sdxl: [14.615, 6.315, 3.771, 2.181, 1.342, 0.862, 0.555, 0.380, 0.234, 0.113, 0.029],
  sd15: [14.615, 6.475, 3.861, 2.697, 1.886, 1.396, 0.963, 0.652, 0.399, 0.152, 0.029],
} as const;

/**
 * "Align Your Steps": the 11-value table itself when n = 11, otherwise its log sigmas linearly interpolated at n
 * evenly spaced points (np.interp over linspace(0, 1, 11)); then 0. It ignores sigma_min/max and the model's
 * sigmas; `table` picks SDXL's (the default) or SD 1.5's.
 */
export function alignYourStepsSigmas(n: number, table: 'sdxl' | 'sd15' = 'sdxl'): Float64Array {
  const t = AYS_SIGMAS[table];
  if (n === t.length) return withZero(t);
  // As A1111: reverse to increasing log sigmas, interpolate at linspace(0, 1, n), reverse back.
  const logs = Array.from(t, Math.log).reverse();
  const xs = linspace(0, 1, logs.length);
  const interp = (x: number): number => {
    if (x <= 0) return logs[0]!;
    if (x >= 1) return logs[logs.length - 1]!;
    let k = 0;
    while (k < xs.length - 2 && x >= xs[k + 1]!) k++;
    const w = (x - xs[k]!) / (xs[k + 1]! - xs[k]!);
    return logs[k]! + w * (logs[k + 1]! - logs[k]!);
  };
  return withZero(linspace(0, 1, n).map((x) => Math.exp(interp(x))).reverse());
}
