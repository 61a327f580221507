// UniPC (Zhao et al. 2023) as A1111 runs it for its "UniPC" sampler (modules/models/diffusion/uni_pc, defaults from
// Settings → Sampler parameters: variant bh1, order 3, skip type time_uniform, lower order final, multistep, data
// prediction, no thresholding, no denoise-to-zero), rewritten in k-diffusion's variables.
//
// A1111 works on x_vp = alpha_t x_ve with alpha_t, sigma_t of a VP schedule; here x is k-diffusion's x_ve and sigma
// is sigma_t/alpha_t, so lambda = ln(alpha_t/sigma_t) = -ln sigma. Dividing A1111's update by alpha_t turns
//   x_t = (sigma_t/sigma_s) x_s - alpha_t expm1(-h) m_s - alpha_t B(h) (residuals)
// into x_t = (sigma_t/sigma_s) x_s - expm1(-h) m_s - B(h) (residuals), with m the denoised estimate (A1111's
// data prediction (x_vp - sigma_t eps)/alpha_t is exactly the denoiser's x_ve - sigma eps).
import type { TrainingSchedule } from './schedule';
import type { Sampler } from './samplers';

/**
 * UniPC's time grid on a discrete model, as A1111's NoiseScheduleVP('discrete') with skip type time_uniform:
 * continuous t = linspace(1, 1/N, steps + 1), model time (t - 1/N)·N (fractional, 999 → 0 for N = 1000), and
 * log alpha_t = ½ ln abar linearly interpolated between the training timesteps. Returns k-diffusion sigmas
 * sqrt(1/alpha_t² - 1) and the UNet timesteps, largest first.
 */
export function unipcSchedule(s: TrainingSchedule, steps: number): { sigmas: Float64Array; timesteps: number[] } {
  const n = s.sigmas.length;
  // ½ ln abar_i with abar_i = 1/(1 + sigma_i²)
  const logAlpha = Array.from(s.sigmas, (sig) => -0.5 * Math.log1p(sig * sig));
  const sigmas = new Float64Array(steps + 1);
  const timesteps: number[] = [];
  for (let k = 0; k <= steps; k++) {
    const t = steps === 0 ? 1 : 1 + ((1 / n - 1) * k) / steps;
    const tau = Math.min(n - 1, Math.max(0, (t - 1 / n) * n));
    const lo = Math.min(Math.floor(tau), n - 2), w = tau - lo;
    const la = logAlpha[lo]! + w * (logAlpha[lo + 1]! - logAlpha[lo]!);
    sigmas[k] = Math.sqrt(Math.expm1(-2 * la));
    timesteps.push(tau);
  }
  return { sigmas, timesteps };
}

/** Solve a small dense system by Gaussian elimination with partial pivoting. */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row.slice(0, n), b[i]!]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[p]![c]!)) p = r;
    [m[c], m[p]] = [m[p]!, m[c]!];
    for (let r = c + 1; r < n; r++) {
      const f = m[r]![c]! / m[c]![c]!;
      for (let k = c; k <= n; k++) m[r]![k] = m[r]![k]! - f * m[c]![k]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let sum = m[r]![n]!;
    for (let k = r + 1; k < n; k++) sum -= m[r]![k]! * x[k]!;
    x[r] = sum / m[r]![r]!;
  }
  return x;
}

export interface UniPcOptions { order?: number; variant?: 'bh1' | 'bh2'; lowerOrderFinal?: boolean }

/**
 * The UniPC multistep update (B(h) variants) from the last `order` model values to sigma `sigmaT`; with the
 * corrector it evaluates the model once at the predicted point and returns that value for the next step.
 */
async function uniPcUpdate(
  x: Float32Array, models: Float32Array[], lambdas: number[], sigmaPrev: number, sigmaT: number, order: number,
  variant: 'bh1' | 'bh2', corrector: (xt: Float32Array) => Promise<Float32Array> | undefined,
): Promise<{ x: Float32Array; model?: Float32Array }> {
  const lambdaP0 = lambdas[lambdas.length - 1]!, lambdaT = -Math.log(sigmaT);
  const m0 = models[models.length - 1]!;
  const h = lambdaT - lambdaP0;
  const rks: number[] = [];
  const d1s: Float32Array[] = [];
  for (let i = 1; i < order; i++) {
    const rk = (lambdas[lambdas.length - 1 - i]! - lambdaP0) / h;
    rks.push(rk);
    const mi = models[models.length - 1 - i]!;
    d1s.push(mi.map((v, k) => (v - m0[k]!) / rk));
  }
  rks.push(1);
  const hh = -h;
  const hPhi1 = Math.expm1(hh);
  let hPhiK = hPhi1 / hh - 1;
  let factorial = 1;
  const bh = variant === 'bh1' ? hh : Math.expm1(hh);
  const R: number[][] = [], b: number[] = [];
  for (let i = 1; i <= order; i++) {
    R.push(rks.map((r) => r ** (i - 1)));
    b.push((hPhiK * factorial) / bh);
    factorial *= i + 1;
    hPhiK = hPhiK / hh - 1 / factorial;
  }
  const ratio = sigmaT / sigmaPrev;
  const base = new Float32Array(x.length);
  for (let k = 0; k < x.length; k++) base[k] = ratio * x[k]! - hPhi1 * m0[k]!;
  const xt = Float32Array.from(base);
  if (d1s.length > 0) {
    const rhosP = order === 2 ? [0.5] : solve(R.slice(0, -1).map((row) => row.slice(0, -1)), b.slice(0, -1));
    for (let k = 0; k < x.length; k++) {
      let res = 0;
      for (let j = 0; j < d1s.length; j++) res += rhosP[j]! * d1s[j]![k]!;
      xt[k] = base[k]! - bh * res;
    }
  }
  const evaluated = corrector(xt);
  if (!evaluated) return { x: xt };
  const modelT = await evaluated;
  const rhosC = order === 1 ? [0.5] : solve(R, b);
  const out = new Float32Array(x.length);
  for (let k = 0; k < x.length; k++) {
    let res = 0;
    for (let j = 0; j < d1s.length; j++) res += rhosC[j]! * d1s[j]![k]!;
    out[k] = base[k]! - bh * (res + rhosC[rhosC.length - 1]! * (modelT[k]! - m0[k]!));
  }
  return { x: out, model: modelT };
}

/**
 * UniPC over the sigmas of `unipcSchedule` (steps + 1 of them, none 0): one model call per step. A1111 asserts
 * steps >= order; so does this. Start from noise · sqrt(1 + sigmas[0]²) and multiply the result by
 * 1/sqrt(1 + sigmas[last]²) for A1111's latent (the plan's noiseScale and outputScale).
 */
export function makeUniPc({ order = 3, variant = 'bh1', lowerOrderFinal = true }: UniPcOptions = {}): Sampler {
  return async (denoise, x, sigmas, { onStep, signal } = {}) => {
    const steps = sigmas.length - 1;
    if (steps < order) throw new RangeError(`UniPC order ${order} needs at least ${order} steps (got ${steps})`);
    const check = () => { if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('interrupted'); };
    check();
    let cur: Float32Array = Float32Array.from(x);
    const models: Float32Array[] = [await denoise(cur, sigmas[0]!, 0)];
    const lambdas: number[] = [-Math.log(sigmas[0]!)];
    const sigmaList: number[] = [sigmas[0]!];
    let index = 0;
    for (let initOrder = 1; initOrder < order; initOrder++) {
      check();
      const sigmaT = sigmas[initOrder]!;
      const step = index;
      const r = await uniPcUpdate(cur, models, lambdas, sigmaList[sigmaList.length - 1]!, sigmaT, initOrder, variant, (xt) => denoise(xt, sigmaT, step + 1));
      cur = r.x;
      const model = r.model ?? await denoise(cur, sigmaT, step + 1);
      onStep?.(index++, steps, model);
      models.push(model); lambdas.push(-Math.log(sigmaT)); sigmaList.push(sigmaT);
    }
    for (let step = order; step <= steps; step++) {
      check();
      const sigmaT = sigmas[step]!;
      const stepOrder = lowerOrderFinal ? Math.min(order, steps + 1 - step) : order;
      const last = step === steps;
      const i = index;
      const r = await uniPcUpdate(cur, models, lambdas, sigmaList[sigmaList.length - 1]!, sigmaT, stepOrder, variant, last ? () => undefined : (xt) => denoise(xt, sigmaT, i + 1));
      cur = r.x;
      onStep?.(index++, steps, r.model ?? models[models.length - 1]!);
      models.shift(); lambdas.shift(); sigmaList.shift();
      lambdas.push(-Math.log(sigmaT)); sigmaList.push(sigmaT);
      models.push(r.model ?? models[models.length - 1]!); // the last step's value is never read
    }
    return cur;
  };
}

/** A1111's default UniPC: bh1, order 3, lower order final. */
export const sampleUniPc: Sampler = makeUniPc();
