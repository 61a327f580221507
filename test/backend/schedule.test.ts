// Sigma and timestep tables for 28 steps, derived from the formulas independently of backend/sampling.
import { describe, expect, it } from 'vitest';
import { defaultSigmas, karrasSigmas, sigmaToTimestep, trainingSchedule, timestepToSigma } from '../../backend/sampling/schedule';

// Derivation. The SDXL scheduler config has scaled-linear betas from 0.00085 to 0.012 over T = 1000 steps:
//   beta_t = (sqrt(0.00085) + t/999 * (sqrt(0.012) - sqrt(0.00085)))^2
//   alphabar_t = prod_{i<=t} (1 - beta_i)  =  exp(sum_{i<=t} log1p(-beta_i))
//   sigma_t = sqrt(1/alphabar_t - 1)
// Computed here with log-sums (a different route from the product the backend takes).
function trainingSigmasByLogSum(): number[] {
  const a = Math.sqrt(0.00085), b = Math.sqrt(0.012);
  const out: number[] = [];
  let logAlphaBar = 0;
  for (let t = 0; t < 1000; t++) {
    const beta = (a + (t / 999) * (b - a)) ** 2;
    logAlphaBar += Math.log1p(-beta);
    out.push(Math.sqrt(Math.exp(-logAlphaBar) - 1));
  }
  return out;
}

const training = trainingSigmasByLogSum();
const schedule = trainingSchedule({ beta_start: 0.00085, beta_end: 0.012, beta_schedule: 'scaled_linear', num_train_timesteps: 1000 });

describe('training sigmas', () => {
  it('match the log-sum derivation and the published SDXL range (0.0292 … 14.6146)', () => {
    for (let t = 0; t < 1000; t++) expect(schedule.sigmas[t]).toBeCloseTo(training[t]!, 9);
    expect(schedule.sigmas[0]!.toFixed(4)).toBe('0.0292');
    expect(schedule.sigmas[999]!.toFixed(4)).toBe('14.6146');
  });
});

describe("A1111's default schedule, 28 steps", () => {
  // timesteps = linspace(999, 0, 28): the spacing is 999/27 = 37 exactly, so every timestep is an integer,
  // 999 - 37 i, and log-linear interpolation lands exactly on a training sigma: sigma_i = training[999 - 37 i].
  // A zero is appended (28 + 1 values) and no sigma is discarded.
  const timesteps = Array.from({ length: 28 }, (_, i) => 999 - 37 * i);
  const sigmas = defaultSigmas(schedule, 28);

  it('is the training sigma at 999, 962, …, 37, 0, then 0', () => {
    expect(sigmas.length).toBe(29);
    expect(timesteps.slice(0, 3)).toEqual([999, 962, 925]);
    expect(timesteps[27]).toBe(0);
    timesteps.forEach((t, i) => expect(sigmas[i]).toBeCloseTo(training[t]!, 9));
    expect(sigmas[28]).toBe(0);
  });

  it('gives the UNet back those integer timesteps (sigma_to_t inverts t_to_sigma)', () => {
    timesteps.forEach((t, i) => expect(sigmaToTimestep(schedule, sigmas[i]!)).toBeCloseTo(t, 6));
  });

  it('interpolates log-linearly between training sigmas', () => {
    // halfway between t = 500 and 501: the geometric mean of the two sigmas.
    expect(timestepToSigma(schedule, 500.5)).toBeCloseTo(Math.sqrt(training[500]! * training[501]!), 12);
    expect(sigmaToTimestep(schedule, Math.sqrt(training[500]! * training[501]!))).toBeCloseTo(500.5, 9);
  });
});

describe('Karras schedule, 28 steps, rho 7', () => {
  // sigma_i = (max^(1/7) + i/27 (min^(1/7) - max^(1/7)))^7 with min = training[0], max = training[999]:
  // the 7th roots are evenly spaced, the ends are the model's extreme sigmas, then 0.
  const sigmas = karrasSigmas(schedule, 28);
  it('starts at sigma max, ends at sigma min, has evenly spaced 7th roots, then 0', () => {
    expect(sigmas.length).toBe(29);
    expect(sigmas[0]).toBeCloseTo(training[999]!, 9);
    expect(sigmas[27]).toBeCloseTo(training[0]!, 9);
    expect(sigmas[28]).toBe(0);
    const step = (training[0]! ** (1 / 7) - training[999]! ** (1 / 7)) / 27;
    for (let i = 0; i < 27; i++) expect(sigmas[i + 1]! ** (1 / 7) - sigmas[i]! ** (1 / 7)).toBeCloseTo(step, 12);
  });
  it('matches hand-computed values at step 1 and 14', () => {
    // max^(1/7) = 14.6146^(1/7) ≈ 1.466925, min^(1/7) = 0.029168^(1/7) ≈ 0.603537;
    // step 14: (1.466925 - 14/27 * 0.863388)^7 = 1.019242^7 ≈ 1.14273
    const r = (i: number) => (training[999]! ** (1 / 7) + (i / 27) * (training[0]! ** (1 / 7) - training[999]! ** (1 / 7))) ** 7;
    expect(sigmas[1]).toBeCloseTo(r(1), 10);
    expect(sigmas[14]).toBeCloseTo(r(14), 10);
    expect(sigmas[14]!.toFixed(3)).toBe('1.143');
  });
});

describe('scheduler config errors', () => {
  it('names the unsupported field', () => {
    expect(() => trainingSchedule({ beta_schedule: 'squaredcos_cap_v2' })).toThrow(/beta_schedule "squaredcos_cap_v2"/);
    expect(() => trainingSchedule({ prediction_type: 'v_prediction' })).toThrow(/prediction_type "v_prediction"/);
  });
});
