// The k-diffusion samplers on denoisers whose trajectories can be worked out by hand.
import { describe, expect, it } from 'vitest';
import {
  ancestralStep, findSampler, lmsCoefficient, sampleDdim, sampleDpm2, sampleDpm2Ancestral, sampleDpmpp2m, sampleDpmpp2sAncestral,
  sampleEuler, sampleEulerAncestral, sampleHeun, sampleLms, samplePlms, SAMPLERS,
} from '../../backend/sampling/samplers';

const sigmas = Float64Array.of(8, 4, 2, 1, 0);
const constant = (c: number) => async (x: Float32Array) => new Float32Array(x.length).fill(c);

describe('Euler', () => {
  it('with a denoiser that always answers c, lands exactly on c', async () => {
    // x_{i+1} = x_i + (x_i - c)/s_i (s_{i+1} - s_i)  =>  x_{i+1} - c = (x_i - c) s_{i+1}/s_i, and s_last = 0.
    const x = await sampleEuler(constant(0.5), Float32Array.of(3, -3), sigmas);
    expect(Array.from(x)).toEqual([0.5, 0.5]);
  });
  it('takes one hand-computed step', async () => {
    // x = 3, denoised = 1, sigma 8 -> 4: d = (3 - 1)/8 = 0.25, x' = 3 + 0.25 * (4 - 8) = 2.
    const seen: number[] = [];
    await sampleEuler(async (x) => (seen.push(x[0]!), new Float32Array(1).fill(1)), Float32Array.of(3), sigmas);
    expect(seen.slice(0, 2)).toEqual([3, 2]);
  });
});

describe('Euler a', () => {
  it('splits a step into a deterministic part and noise (eta 1)', () => {
    // sigma 2 -> 1: up = min(1, sqrt(1 * (4 - 1) / 4)) = sqrt(3)/2, down = sqrt(1 - 3/4) = 1/2.
    const { up, down } = ancestralStep(2, 1);
    expect(up).toBeCloseTo(Math.sqrt(3) / 2, 15);
    expect(down).toBeCloseTo(0.5, 15);
    expect(ancestralStep(1, 0)).toEqual({ up: 0, down: 0 });
  });
  it('adds sigma_up times the noise and steps to sigma_down', async () => {
    // sigma 2 -> 1, x = 1, denoised = 0: x' = 1 + (1/2)(1/2 - 2) + n sqrt(3)/2 = 0.25 + 0.866 n.
    const noise = () => Float32Array.of(2);
    const x = await sampleEulerAncestral(constant(0), Float32Array.of(1), Float64Array.of(2, 1), { noise });
    expect(x[0]).toBeCloseTo(0.25 + Math.sqrt(3), 6);
  });
  it('draws one noise per step except the last', async () => {
    let draws = 0;
    const x = await sampleEulerAncestral(constant(0.25), Float32Array.of(5), sigmas, { noise: () => (draws++, Float32Array.of(1)) });
    expect(draws).toBe(3);
    expect(x[0]).toBe(0.25); // the last step (to sigma 0) is a plain Euler step onto the denoised value
  });
});

describe('DPM++ 2M', () => {
  it('with a constant denoiser, lands exactly on it (the multistep blend of two equal estimates is that estimate)', async () => {
    const x = await sampleDpmpp2m(constant(-0.75), Float32Array.of(10, 0, 4), sigmas);
    expect(Array.from(x)).toEqual([-0.75, -0.75, -0.75]);
  });
  it('takes a hand-computed first-order then second-order step', async () => {
    // Denoiser answers 1 then 3, then 0. Step 0 (8 -> 4): x1 = (4/8) x0 + (1 - 4/8) * 1 = 0.5*2 + 0.5 = 1.5.
    // Step 1 (4 -> 2): h = ln 2, h_last = ln 2, r = 1, D = (1 + 1/2) * 3 - (1/2) * 1 = 4, x2 = 0.5*1.5 + 0.5*4 = 2.75.
    const answers = [1, 3, 0, 0];
    const seen: number[] = [];
    let i = 0;
    await sampleDpmpp2m(async (x) => (seen.push(x[0]!), Float32Array.of(answers[i++]!)), Float32Array.of(2), sigmas);
    expect(seen[1]).toBeCloseTo(1.5, 6);
    expect(seen[2]).toBeCloseTo(2.75, 6);
  });
});

describe('sampler table', () => {
  it('knows the four A1111 names and their aliases', () => {
    expect(SAMPLERS.map((s) => s.name)).toEqual(['Euler a', 'Euler', 'DPM++ 2M', 'DPM++ 2M Karras']);
    expect(findSampler('k_dpmpp_2m_ka')?.schedule).toBe('karras');
    expect(findSampler('DDIM')).toBeUndefined();
  });
  it('stops before a step when the signal is aborted', async () => {
    const controller = new AbortController();
    let calls = 0;
    const run = sampleEuler(async (x) => {
      calls++;
      if (calls === 2) controller.abort(new Error('stop'));
      return new Float32Array(x.length);
    }, Float32Array.of(1), sigmas, { signal: controller.signal });
    await expect(run).rejects.toThrow('stop');
    expect(calls).toBe(2);
  });
});

// The samplers added for A1111 1.10's list, each on the linear denoiser D(x) = x/2 (every element alike, whatever
// sigma), a 2-element latent [1, -2] and 2–3 sigmas. Everything is linear in x, so element 2 is -2 × element 1.
const half = async (x: Float32Array) => x.map((v) => v / 2);
const calls = (f: (x: Float32Array) => Promise<Float32Array>) => {
  const sigmasSeen: number[] = [];
  const denoise = async (x: Float32Array, sigma: number) => (sigmasSeen.push(sigma), f(x));
  return { denoise, sigmasSeen };
};

describe('Heun', () => {
  it('takes a trapezoid step then an Euler step to 0', async () => {
    // sigmas 2, 1, 0, x = 1. Step 0: d = (1 - 0.5)/2 = 0.25, dt = -1, x2 = 0.75, D2 = 0.375, d2 = 0.375/1 = 0.375,
    // x = 1 - (0.25 + 0.375)/2 = 0.6875. Step 1 (to 0, Euler): d = 0.34375, x = 0.6875 - 0.34375 = 0.34375.
    const { denoise, sigmasSeen } = calls(half);
    const x = await sampleHeun(denoise, Float32Array.of(1, -2), Float64Array.of(2, 1, 0));
    expect(Array.from(x)).toEqual([0.34375, -0.6875]);
    expect(sigmasSeen).toEqual([2, 1, 1]); // two calls, then one on the step to 0
  });
});

describe('DPM2', () => {
  it('steps through the log midpoint, then Euler to 0', async () => {
    // sigmas 4, 1, 0, x = 1. Step 0: mid = exp((ln 4 + ln 1)/2) = 2, d = 0.5/4 = 0.125, x2 = 1 + 0.125 (2 - 4) = 0.75,
    // D2 = 0.375, d2 = (0.75 - 0.375)/2 = 0.1875, x = 1 + 0.1875 (1 - 4) = 0.4375. Step 1: x = 0.4375 - 0.21875.
    const { denoise, sigmasSeen } = calls(half);
    const x = await sampleDpm2(denoise, Float32Array.of(1, -2), Float64Array.of(4, 1, 0));
    expect(Array.from(x)).toEqual([0.21875, -0.4375]);
    expect(sigmasSeen[1]).toBeCloseTo(2, 14);
    expect(sigmasSeen.length).toBe(3);
  });
});

describe('DPM2 a', () => {
  it('takes a DPM2 step to sigma_down, adds sigma_up × noise, then Euler to 0', async () => {
    // sigmas 2, 1, 0: down = 1/2, up = sqrt(3)/2. x = 1: mid = sqrt(2 · 0.5) = 1, d = 0.25, x2 = 1 + 0.25 (1 - 2) = 0.75,
    // D2 = 0.375, d2 = 0.375, x = 1 + 0.375 (0.5 - 2) = 0.4375; + sqrt(3)/2 · 2 → 0.4375 + sqrt(3). x = -2: -0.875 + 0.
    // Step 1 (to 0): x/2. Noise is [2, 0], drawn once (none on the last step).
    let draws = 0;
    const x = await sampleDpm2Ancestral(half, Float32Array.of(1, -2), Float64Array.of(2, 1, 0), { noise: () => (draws++, Float32Array.of(2, 0)) });
    expect(x[0]).toBeCloseTo((0.4375 + Math.sqrt(3)) / 2, 6);
    expect(x[1]).toBeCloseTo(-0.4375, 7);
    expect(draws).toBe(1);
  });
});

describe('DPM++ 2S a', () => {
  it('takes a DPM-Solver++(2S) step to sigma_down, adds noise, then Euler to 0', async () => {
    // sigmas 2, 1, 0: down = 1/2, up = sqrt(3)/2. t = -ln 2, t_next = ln 2, h = 2 ln 2, s = t + h/2 = 0, sigma(s) = 1.
    // x = 1: x2 = (1/2) x - expm1(-ln 2) D = 0.5 + 0.5 · 0.5 = 0.75, D2 = 0.375,
    // x = (0.5/2) x - expm1(-2 ln 2) D2 = 0.25 + 0.75 · 0.375 = 0.53125; + sqrt(3)/2 · 2. x = -2: -1.0625 + 0. Then x/2.
    let draws = 0;
    const { denoise, sigmasSeen } = calls(half);
    const x = await sampleDpmpp2sAncestral(denoise, Float32Array.of(1, -2), Float64Array.of(2, 1, 0), { noise: () => (draws++, Float32Array.of(2, 0)) });
    expect(x[0]).toBeCloseTo((0.53125 + Math.sqrt(3)) / 2, 6);
    expect(x[1]).toBeCloseTo(-0.53125, 7);
    expect(draws).toBe(1);
    expect(sigmasSeen).toEqual([2, 1, 1]);
  });
});

describe('LMS', () => {
  it('has the Lagrange-integral coefficients worked out by hand', () => {
    const t = Float64Array.of(3, 2, 1, 0);
    expect(lmsCoefficient(1, t, 0, 0)).toBeCloseTo(-1, 14); // ∫_3^2 1
    expect(lmsCoefficient(2, t, 1, 0)).toBeCloseTo(-1.5, 14); // ∫_2^1 (3 - τ)
    expect(lmsCoefficient(2, t, 1, 1)).toBeCloseTo(0.5, 14); // ∫_2^1 (τ - 2)
    expect(lmsCoefficient(3, t, 2, 0)).toBeCloseTo(-23 / 12, 14); // ∫_1^0 (τ-2)(τ-3)/2
    expect(lmsCoefficient(3, t, 2, 1)).toBeCloseTo(4 / 3, 14); // ∫_1^0 -(τ-1)(τ-3)
    expect(lmsCoefficient(3, t, 2, 2)).toBeCloseTo(-5 / 12, 14); // ∫_1^0 (τ-1)(τ-2)/2
    expect(() => lmsCoefficient(3, t, 1, 0)).toThrow(/Order 3 too high for step 1/);
  });
  it('takes three steps of growing order', async () => {
    // sigmas 3, 2, 1, 0, x0 = 1, d = (x/2)/sigma. d0 = 1/6, x1 = 1 - 1/6 = 5/6. d1 = 5/24, x2 = 5/6 - 1.5 · 5/24 + 0.5 · 1/6 = 29/48.
    // d2 = 29/96, x3 = 29/48 - (23/12)(29/96) + (4/3)(5/24) - (5/12)(1/6) = (696 - 667 + 320 - 80)/1152 = 269/1152.
    const x = await sampleLms(half, Float32Array.of(1, -2), Float64Array.of(3, 2, 1, 0));
    expect(x[0]).toBeCloseTo(269 / 1152, 6);
    expect(x[1]).toBeCloseTo(-538 / 1152, 6);
  });
});

describe('DDIM (eta 0) and PLMS in k-diffusion variables', () => {
  it('DDIM is A1111’s update, checked in its own (VP) variables', async () => {
    // alphas_cumprod abar = 1/(1 + sigma²) for sigmas 16, 8, 2 (timesteps 4, 3, 1 of the tiny table, 2 steps).
    // A1111, x_vp = 1 and eps = (x_ve - D)/sigma with D = x_ve/2, x_ve = x_vp sqrt(1 + sigma²):
    //   t = 4: e = sqrt(257)/32, pred_x0 = (1 - (16/sqrt 257) e) sqrt(257) = sqrt(257)/2,
    //          x = (1/sqrt 65) pred_x0 + (8/sqrt 65) e = 0.75 sqrt(257/65)
    //   t = 3: x_ve = 0.75 sqrt 257, e = x_ve/16, pred_x0 = x_ve/2, x = (1/sqrt 5) 0.375 sqrt 257 + (2/sqrt 5) e = 0.46875 sqrt(257/5)
    // Here: start at sqrt(1 + 16²) · 1, Euler 16 → 8 → 2, then × 1/sqrt(1 + 2²).
    const x = await sampleDdim(half, Float32Array.of(Math.sqrt(257)), Float64Array.of(16, 8, 2));
    expect(x[0]! / Math.sqrt(5)).toBeCloseTo(0.46875 * Math.sqrt(257 / 5), 5);
  });
  it('PLMS: pseudo improved Euler first (an extra call at the next timestep), then Adams-Bashforth 2', async () => {
    // sigmas 16, 8, 2, x = 1, e = (x - x/2)/sigma. Step 0: e0 = 1/32, x' = 1 - 8/32 = 0.75, e' = (1/32 + 0.375/8)/2 = 5/128,
    // x1 = 1 - 8 · 5/128 = 0.6875. Step 1: e1 = 0.34375/8 = 0.04296875, e' = (3 e1 - e0)/2 = 0.048828125,
    // x2 = 0.6875 - 6 · 0.048828125 = 0.39453125.
    const { denoise, sigmasSeen } = calls(half);
    const x = await samplePlms(denoise, Float32Array.of(1, -2), Float64Array.of(16, 8, 2));
    expect(Array.from(x)).toEqual([0.39453125, -0.7890625]);
    expect(sigmasSeen).toEqual([16, 8, 8]);
  });
});
