// A1111 1.10's schedule types on a tiny hand-made model table and on SDXL's, with every expected value worked out
// by hand from sd_schedulers.py / k-diffusion's formulas (scipy's beta.ppf for the one value that has no closed form).
import { describe, expect, it } from 'vitest';
import { trainingSchedule, karrasSigmas, defaultSigmas, type TrainingSchedule } from '../../backend/sampling/schedule';
import {
  alignYourStepsSigmas, betaSigmas, ddimScheduleSigmas, exponentialSigmas, karrasRangeSigmas, klOptimalSigmas,
  normalSigmas, polyexponentialSigmas, sgmUniformSigmas, simpleSigmas, uniformSigmas,
} from '../../backend/sampling/schedules';
import { betaCdf, betaPpf } from '../../backend/sampling/betaDist';

// A 5-entry "model": sigma_t = 2^t for t = 0 … 4, so log-linear interpolation gives sigma(t) = 2^t for fractional t too,
// and sigma_to_t(sigma) = log2(sigma).
const tiny: TrainingSchedule = { sigmas: Float64Array.of(1, 2, 4, 8, 16), logSigmas: Float64Array.of(1, 2, 4, 8, 16).map(Math.log) };
const close = (actual: Float64Array, expected: number[], digits = 12) => {
  expect(actual.length).toBe(expected.length);
  expected.forEach((v, i) => expect(actual[i]).toBeCloseTo(v, digits));
};

describe('schedules on the tiny table (sigma_t = 2^t, T = 5)', () => {
  it('Uniform: timesteps linspace(4, 0, 3) = 4, 2, 0 → 16, 4, 1, then 0', () => {
    close(uniformSigmas(tiny, 3), [16, 4, 1, 0]);
  });
  it('SGM Uniform: linspace(4, 0, 4) = 4, 8/3, 4/3, 0 with the last dropped → 16, 2^(8/3), 2^(4/3), 0', () => {
    close(sgmUniformSigmas(tiny, 3, 1, 16), [16, 2 ** (8 / 3), 2 ** (4 / 3), 0]);
  });
  it('Normal: linspace(t(max), t(min), n) keeping both ends; with min 2, max 8: t = 3, 2, 1 → 8, 4, 2, 0', () => {
    close(normalSigmas(tiny, 3, 1, 16), [16, 4, 1, 0]);
    close(normalSigmas(tiny, 3, 2, 8), [8, 4, 2, 0]);
  });
  it('Simple: ss = 5/3; indices -(1 + int(0)), -(1 + int(5/3)), -(1 + int(10/3)) = 4, 3, 1 → 16, 8, 2, 0', () => {
    close(simpleSigmas(tiny, 3), [16, 8, 2, 0]);
  });
  it('DDIM: ss = max(5 // n, 1); x = 1, 1 + ss, … < 5, reversed — n = 3 gives 4 sigmas (ss = 1), n = 2 gives 2', () => {
    close(ddimScheduleSigmas(tiny, 3), [16, 8, 4, 2, 0]);
    close(ddimScheduleSigmas(tiny, 2), [8, 2, 0]);
  });
  it('Karras: 7th roots evenly spaced; with rho 2: roots 4, 2.5, 1 → 16, 6.25, 1, 0', () => {
    close(karrasRangeSigmas(3, 1, 16, 2), [16, 6.25, 1, 0]);
    // rho 7, n = 4: (16^(1/7) + r (1 - 16^(1/7)))^7 for r = 0, 1/3, 2/3, 1 (plain Python arithmetic)
    close(karrasRangeSigmas(4, 1, 16), [16, 7.131931345207507, 2.8604734165693873, 1, 0]);
  });
  it('Exponential: log sigma evenly spaced: ln 16, ln 4, ln 1 → 16, 4, 1, 0', () => {
    close(exponentialSigmas(3, 1, 16), [16, 4, 1, 0]);
  });
  it('Polyexponential: rho 1 is Exponential; rho 2: ramp 1, 1/4, 0 → 16, 16^(1/4) = 2, 1, 0', () => {
    close(polyexponentialSigmas(3, 1, 16), [16, 4, 1, 0]);
    close(polyexponentialSigmas(3, 1, 16, 2), [16, 2, 1, 0]);
  });
  it('KL Optimal: tan of evenly spaced arctans, n + 1 values and no 0: max 1, min 0, n = 2 → 1, tan(π/8), 0', () => {
    close(klOptimalSigmas(2, 0, 1), [1, Math.SQRT2 - 1, 0]);
    expect(klOptimalSigmas(3, 0.5, 4).length).toBe(4);
    expect(klOptimalSigmas(3, 0.5, 4)[3]).toBeCloseTo(0.5, 14);
  });
  it('Beta (0.6, 0.6): sigma_min + ppf(1 - u)(max - min); ppf(1/2) = 1/2 by symmetry → 16, 8.5, 1, 0', () => {
    close(betaSigmas(3, 1, 16), [16, 8.5, 1, 0]);
    // n = 5: ppf(0.75) = 0.824319621347305, ppf(0.25) = 1 - that (scipy.stats.beta.ppf)
    close(betaSigmas(5, 1, 16), [16, 1 + 15 * 0.824319621347305, 8.5, 1 + 15 * 0.17568037865269498, 1, 0], 10);
  });
});

describe('the beta distribution', () => {
  it('has the closed forms I_x(1,1) = x, I_x(2,1) = x², I_x(1,3) = 1 - (1-x)³, I_x(½,½) = (2/π) asin √x', () => {
    for (const x of [0.01, 0.2, 0.5, 0.77, 0.999]) {
      expect(betaCdf(x, 1, 1)).toBeCloseTo(x, 13);
      expect(betaCdf(x, 2, 1)).toBeCloseTo(x * x, 13);
      expect(betaCdf(x, 1, 3)).toBeCloseTo(1 - (1 - x) ** 3, 13);
      expect(betaCdf(x, 0.5, 0.5)).toBeCloseTo((2 / Math.PI) * Math.asin(Math.sqrt(x)), 13);
    }
  });
  it('inverts to scipy.stats.beta.ppf values', () => {
    expect(betaPpf(0.9, 0.6, 0.6)).toBeCloseTo(0.9604155944112192, 12);
    expect(betaPpf(0.3, 2.5, 0.7)).toBeCloseTo(0.7097758912148804, 12);
    expect(betaPpf(0, 0.6, 0.6)).toBe(0);
    expect(betaPpf(1, 0.6, 0.6)).toBe(1);
  });
});

describe('Align Your Steps (SDXL table)', () => {
  const table = [14.615, 6.315, 3.771, 2.181, 1.342, 0.862, 0.555, 0.380, 0.234, 0.113, 0.029];
  it('is the table itself, then 0, for 11 sigmas', () => {
    close(alignYourStepsSigmas(11), [...table, 0]);
  });
  it('interpolates log sigma at linspace(0, 1, n): n = 3 hits table entries 0, 5, 10; n = 6 hits 0, 2, 4, …', () => {
    close(alignYourStepsSigmas(3), [14.615, 0.862, 0.029, 0]);
    close(alignYourStepsSigmas(6), [14.615, 3.771, 1.342, 0.555, 0.234, 0.029, 0]);
  });
  it('between entries, n = 4: 1/3 and 2/3 lie a third of the way between grid points', () => {
    // reversed table r = 0.029, 0.113, 0.234, 0.380, 0.555, 0.862, 1.342, 2.181, …; x = 1/3 is between r[3] (0.3) and
    // r[4] (0.4) at w = 1/3: 0.380^(2/3) 0.555^(1/3); x = 2/3 between r[6] and r[7] at w = 2/3: 1.342^(1/3) 2.181^(2/3).
    close(alignYourStepsSigmas(4), [14.615, 1.342 ** (1 / 3) * 2.181 ** (2 / 3), 0.380 ** (2 / 3) * 0.555 ** (1 / 3), 0.029, 0]);
  });
});

describe('on SDXL’s training sigmas', () => {
  const sdxl = trainingSchedule();
  it('Uniform and Normal (model range) are the default schedule; Karras with the model range is karrasSigmas', () => {
    close(uniformSigmas(sdxl, 28), Array.from(defaultSigmas(sdxl, 28)));
    close(normalSigmas(sdxl, 28, sdxl.sigmas[0]!, sdxl.sigmas[999]!), Array.from(defaultSigmas(sdxl, 28)), 9);
    close(karrasRangeSigmas(28, sdxl.sigmas[0]!, sdxl.sigmas[999]!), Array.from(karrasSigmas(sdxl, 28)));
  });
  it('DDIM schedule, 28 steps: ss = 35, timesteps 981, 946, …, 1 (29 of them), then 0', () => {
    const s = ddimScheduleSigmas(sdxl, 28);
    expect(s.length).toBe(30);
    expect(s[0]).toBe(sdxl.sigmas[981]);
    expect(s[28]).toBe(sdxl.sigmas[1]);
    expect(s[29]).toBe(0);
  });
  it('Simple, 28 steps: ss = 1000/28; index 999 - int(x ss): 999, 964, 928, …', () => {
    const s = simpleSigmas(sdxl, 28);
    expect(s.length).toBe(29);
    expect([s[0], s[1], s[2], s[27]]).toEqual([sdxl.sigmas[999], sdxl.sigmas[964], sdxl.sigmas[928], sdxl.sigmas[35]]); // int(27·35.714…) = 964
  });
});
