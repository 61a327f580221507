// The k-diffusion samplers on denoisers whose trajectories can be worked out by hand.
import { describe, expect, it } from 'vitest';
import { ancestralStep, findSampler, sampleDpmpp2m, sampleEuler, sampleEulerAncestral, SAMPLERS } from '../../backend/sampling/samplers';

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
