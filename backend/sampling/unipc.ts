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
  variant: 'bh1' | 'bh2', corrector: (xt: Float32Array) => Promise<Float32Array> | undefined, scratch: UniPcScratch,
): Promise<{ x: Float32Array; model?: Float32Array }> {
  const lambdaP0 = lambdas[lambdas.length - 1]!, lambdaT = -Math.log(sigmaT);
  const m0 = models[models.length - 1]!;
  const h = lambdaT - lambdaP0;
  const rks: number[] = [];
  for (let i = 1; i < order; i++) rks.push((lambdas[lambdas.length - 1 - i]! - lambdaP0) / h);
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
  // One pass for the predictor: D1_j = (m_j - m0)/r_j and base = ratio·x - hPhi1·m0 as float32 (what the arrays
  // they were stored in held), xt = base - bh·Σ rhoP_j D1_j. The D1s are kept for the corrector (order ≤ 3: two).
  const n = x.length;
  const base = scratch.base.length === n ? scratch.base : (scratch.base = new Float32Array(n));
  const xt = scratch.xt.length === n ? scratch.xt : (scratch.xt = new Float32Array(n));
  const d1 = order > 1 ? (scratch.d1.length === n ? scratch.d1 : (scratch.d1 = new Float32Array(n))) : undefined;
  const d2 = order > 2 ? (scratch.d2.length === n ? scratch.d2 : (scratch.d2 = new Float32Array(n))) : undefined;
  // Orders above 3 (not A1111's setting) keep every D1 in its own array.
  const dn: Float32Array[] = [];
  for (let i = 1; order > 3 && i < order; i++) {
    const mi = models[models.length - 1 - i]!, rk = rks[i - 1]!, d = new Float32Array(n);
    for (let k = 0; k < n; k++) d[k] = (mi[k]! - m0[k]!) / rk;
    dn.push(d);
  }
  const rhosP = order === 1 ? [] : order === 2 ? [0.5] : solve(R.slice(0, -1).map((row) => row.slice(0, -1)), b.slice(0, -1));
  if (order === 1) {
    for (let k = 0; k < n; k++) xt[k] = base[k] = ratio * x[k]! - hPhi1 * m0[k]!;
  } else if (order === 2) {
    const m1 = models[models.length - 2]!, r1 = rks[0]!, p1 = rhosP[0]!;
    for (let k = 0; k < n; k++) {
      const mk = m0[k]!;
      const bk = (base[k] = ratio * x[k]! - hPhi1 * mk);
      const a = Math.fround((d1![k] = (m1[k]! - mk) / r1));
      xt[k] = Math.fround(bk) - bh * (0 + p1 * a);
    }
  } else if (order > 3) {
    for (let k = 0; k < n; k++) {
      let res = 0;
      for (let j = 0; j < dn.length; j++) res += rhosP[j]! * dn[j]![k]!;
      xt[k] = Math.fround((base[k] = ratio * x[k]! - hPhi1 * m0[k]!)) - bh * res;
    }
  } else {
    const m1 = models[models.length - 2]!, m2 = models[models.length - 3]!, r1 = rks[0]!, r2 = rks[1]!, p1 = rhosP[0]!, p2 = rhosP[1]!;
    for (let k = 0; k < n; k++) {
      const mk = m0[k]!;
      const bk = (base[k] = ratio * x[k]! - hPhi1 * mk);
      const a = Math.fround((d1![k] = (m1[k]! - mk) / r1));
      const c = Math.fround((d2![k] = (m2[k]! - mk) / r2));
      xt[k] = Math.fround(bk) - bh * (0 + p1 * a + p2 * c);
    }
  }
  const evaluated = corrector(xt);
  if (!evaluated) return { x: xt };
  const modelT = await evaluated;
  const rhosC = order === 1 ? [0.5] : solve(R, b);
  // The corrected x goes to whichever of two buffers x is not (x is the last update's, or the caller's copy).
  const out = x === scratch.outs[0] ? (scratch.outs[1] ??= new Float32Array(n)) : (scratch.outs[0] ??= new Float32Array(n));
  const cLast = rhosC[rhosC.length - 1]!;
  if (order === 1) {
    for (let k = 0; k < n; k++) out[k] = base[k]! - bh * (0 + cLast * (modelT[k]! - m0[k]!));
  } else if (order === 2) {
    const c1 = rhosC[0]!;
    for (let k = 0; k < n; k++) out[k] = base[k]! - bh * (0 + c1 * d1![k]! + cLast * (modelT[k]! - m0[k]!));
  } else if (order > 3) {
    for (let k = 0; k < n; k++) {
      let res = 0;
      for (let j = 0; j < dn.length; j++) res += rhosC[j]! * dn[j]![k]!;
      out[k] = base[k]! - bh * (res + cLast * (modelT[k]! - m0[k]!));
    }
  } else {
    const c1 = rhosC[0]!, c2 = rhosC[1]!;
    for (let k = 0; k < n; k++) out[k] = base[k]! - bh * (0 + c1 * d1![k]! + c2 * d2![k]! + cLast * (modelT[k]! - m0[k]!));
  }
  return { x: out, model: modelT };
}

/**
 * Buffers one UniPC run reuses from step to step: base and the D1s never leave an update; xt only goes to the model
 * (or is the result of the last step); the corrected x alternates between two; model values that left the history
 * are handed to the model as its next output buffer.
 */
interface UniPcScratch { base: Float32Array; d1: Float32Array; d2: Float32Array; xt: Float32Array; outs: Float32Array[]; free: Float32Array[] }

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
    const scratch: UniPcScratch = { base: new Float32Array(0), d1: new Float32Array(0), d2: new Float32Array(0), xt: new Float32Array(0), outs: [], free: [] };
    const evaluate = (xt: Float32Array, sigma: number, step: number) => denoise(xt, sigma, step, scratch.free.pop());
    const models: Float32Array[] = [await denoise(cur, sigmas[0]!, 0)];
    const lambdas: number[] = [-Math.log(sigmas[0]!)];
    const sigmaList: number[] = [sigmas[0]!];
    let index = 0;
    for (let initOrder = 1; initOrder < order; initOrder++) {
      check();
      const sigmaT = sigmas[initOrder]!;
      const step = index;
      const r = await uniPcUpdate(cur, models, lambdas, sigmaList[sigmaList.length - 1]!, sigmaT, initOrder, variant, (xt) => evaluate(xt, sigmaT, step + 1), scratch);
      cur = r.x;
      const model = r.model ?? await evaluate(cur, sigmaT, step + 1);
      onStep?.(index++, steps, model);
      models.push(model); lambdas.push(-Math.log(sigmaT)); sigmaList.push(sigmaT);
    }
    for (let step = order; step <= steps; step++) {
      check();
      const sigmaT = sigmas[step]!;
      const stepOrder = lowerOrderFinal ? Math.min(order, steps + 1 - step) : order;
      const last = step === steps;
      const i = index;
      const r = await uniPcUpdate(cur, models, lambdas, sigmaList[sigmaList.length - 1]!, sigmaT, stepOrder, variant, last ? () => undefined : (xt) => evaluate(xt, sigmaT, i + 1), scratch);
      cur = r.x;
      onStep?.(index++, steps, r.model ?? models[models.length - 1]!);
      const dropped = models.shift()!; lambdas.shift(); sigmaList.shift();
      lambdas.push(-Math.log(sigmaT)); sigmaList.push(sigmaT);
      models.push(r.model ?? models[models.length - 1]!); // the last step's value is never read
      if (!models.includes(dropped)) scratch.free.push(dropped);
    }
    return cur;
  };
}

/** A1111's default UniPC: bh1, order 3, lower order final. */
export const sampleUniPc: Sampler = makeUniPc();
