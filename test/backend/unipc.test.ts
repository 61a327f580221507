// UniPC (bh1, order 3, lower order final) on D(x) = x/2 and on a constant denoiser. The reference values come from
// A1111's update written out in its own VP variables (x_vp = alpha x, alpha = 1/sqrt(1 + sigma²), lambda =
// ln(alpha/std)), evaluated with plain Python arithmetic (numpy.linalg.solve for the 2×2 and 3×3 systems); the
// first step is also worked out by hand below.
import { describe, expect, it } from 'vitest';
import { sampleUniPc, unipcSchedule } from '../../backend/sampling/unipc';
import { planSampling, planTimestep, UnknownSamplerError } from '../../backend/sampling/plan';
import { trainingSchedule, type TrainingSchedule } from '../../backend/sampling/schedule';

const half = async (x: Float32Array) => x.map((v) => v / 2);

describe('UniPC', () => {
  it('first step by hand: order 1 predictor, then the corrector with rho = 1/2', async () => {
    // sigmas 8 → 4: h = ln 2, hh = -ln 2, expm1(hh) = -1/2, B(h) = hh (bh1). x = 1, m0 = D(1) = 1/2.
    // x_t_ = (4/8) 1 - (-1/2)(1/2) = 0.75 (the predictor: no earlier slopes), the model is called at 0.75 (m = 0.375),
    // corrected x = 0.75 - (-ln 2)(1/2)(0.375 - 0.5) = 0.75 - 0.0625 ln 2; the next call sees the order-2 predictor
    // from there. Final values from the Python transcription: 0.37723587137910974 for sigmas 8, 4, 2, 1.
    const seen: number[][] = [];
    const x = await sampleUniPc(async (x, sigma) => (seen.push([x[0]!, sigma]), half(x)), Float32Array.of(1, -2), Float64Array.of(8, 4, 2, 1));
    expect(seen.map((s) => s[1])).toEqual([8, 4, 2]); // one call per step, none on the last step
    expect(seen[1]![0]).toBeCloseTo(0.75, 7);
    expect(x[0]).toBeCloseTo(0.37723587137910974, 6);
    expect(x[1]).toBeCloseTo(-2 * 0.37723587137910974, 6);
  });
  it('reaches order 3 with the solved predictor and corrector coefficients', async () => {
    // Python transcription values for 5 and 6 steps.
    const a = await sampleUniPc(half, Float32Array.of(1), Float64Array.of(16, 8, 4, 2, 1, 0.5));
    expect(a[0]).toBeCloseTo(0.18155401426859585, 6);
    const b = await sampleUniPc(half, Float32Array.of(1), Float64Array.of(14, 5, 3, 1.5, 0.7, 0.2, 0.03));
    expect(b[0]).toBeCloseTo(0.06109138107402802, 6);
  });
  it('with a constant denoiser c, x - c shrinks by sigma_last/sigma_first (all differences are 0)', async () => {
    const x = await sampleUniPc(async (x) => new Float32Array(x.length).fill(0.25), Float32Array.of(4.25), Float64Array.of(16, 8, 4, 2));
    expect(x[0]).toBeCloseTo(0.25 + 4 * (2 / 16), 6);
  });
  it('refuses fewer steps than its order, as A1111 asserts', async () => {
    await expect(sampleUniPc(half, Float32Array.of(1), Float64Array.of(8, 4, 2))).rejects.toThrow(/at least 3 steps/);
  });
});

describe('UniPC schedule', () => {
  const tiny: TrainingSchedule = { sigmas: Float64Array.of(1, 2, 4, 8, 16), logSigmas: Float64Array.of(1, 2, 4, 8, 16).map(Math.log) };
  it('is time-uniform in t = linspace(1, 1/N, steps + 1), model time (t - 1/N) N, log alpha interpolated', () => {
    // N = 5, 2 steps: t = 1, 0.6, 0.2 → model time 4, 2, 0 → the table's own sigmas 16, 4, 1.
    const two = unipcSchedule(tiny, 2);
    [16, 4, 1].forEach((v, i) => expect(two.sigmas[i]).toBeCloseTo(v, 12));
    two.timesteps.forEach((t, i) => expect(t).toBeCloseTo([4, 2, 0][i]!, 12));
    // 3 steps: model time 4, 8/3, 4/3, 0. ln abar = -ln(1 + sigma²) is interpolated linearly in time, so at 8/3
    // (2/3 of the way from sigma 4 to 8) 1/abar = 17^(1/3) 65^(2/3), and at 4/3: 5^(2/3) 17^(1/3); sigma = sqrt(1/abar - 1).
    const three = unipcSchedule(tiny, 3);
    expect(three.sigmas[1]).toBeCloseTo(Math.sqrt(17 ** (1 / 3) * 65 ** (2 / 3) - 1), 12);
    expect(three.sigmas[2]).toBeCloseTo(Math.sqrt(5 ** (2 / 3) * 17 ** (1 / 3) - 1), 12);
  });
  it('in the plan: A1111 hands UniPC len(timesteps) steps (29 for 28), fractional UNet timesteps 999 → 0', () => {
    const sdxl = trainingSchedule();
    const p = planSampling(sdxl, 'UniPC', undefined, 28);
    expect([p.steps, p.modelCalls, p.sigmas.length]).toEqual([29, 29, 30]);
    expect(p.timesteps![0]).toBeCloseTo(999, 9);
    expect(p.timesteps![29]).toBeCloseTo(0, 9);
    expect(p.timesteps![1]).toBeCloseTo(999 - 999 / 29, 9);
    expect(p.sigmas[0]).toBeCloseTo(sdxl.sigmas[999]!, 6);
    expect(p.sigmas[29]).toBeCloseTo(sdxl.sigmas[0]!, 9);
    expect(planTimestep(p, sdxl, p.sigmas[1]!)).toBeCloseTo(999 - 999 / 29, 9);
    expect(p.noiseScale).toBeCloseTo(Math.sqrt(1 + p.sigmas[0]! ** 2), 12);
    expect(() => planSampling(sdxl, 'UniPC', undefined, 2)).toThrow(UnknownSamplerError);
  });
});
