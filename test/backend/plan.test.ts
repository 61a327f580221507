// The settings vocabulary and planSampling: A1111 1.10's names, "Automatic" defaults, discard_next_to_last_sigma,
// second-order call counts and the timestep samplers' quirks, from sd_samplers_kdiffusion.py / sd_samplers_timesteps.py.
import { describe, expect, it } from 'vitest';
import { defaultSigmas, karrasSigmas, trainingSchedule, type TrainingSchedule } from '../../backend/sampling/schedule';
import { planSampling, planTimestep, timestepSamplerTimesteps, UnknownSamplerError } from '../../backend/sampling/plan';
import { findSamplerEntry, resolveSamplerAndScheduler, SAMPLER_VOCABULARY, SCHEDULE_TYPES } from '../../core/a1111/samplers';

const sdxl = trainingSchedule();
const tiny: TrainingSchedule = { sigmas: Float64Array.of(1, 2, 4, 8, 16), logSigmas: Float64Array.of(1, 2, 4, 8, 16).map(Math.log) };

describe('vocabulary', () => {
  it('has A1111 1.10’s schedule types with their internal names', () => {
    expect(SCHEDULE_TYPES.map((s) => [s.label, s.name])).toEqual([
      ['Automatic', 'automatic'], ['Uniform', 'uniform'], ['Karras', 'karras'], ['Exponential', 'exponential'],
      ['Polyexponential', 'polyexponential'], ['SGM Uniform', 'sgm_uniform'], ['KL Optimal', 'kl_optimal'],
      ['Align Your Steps', 'align_your_steps'], ['Simple', 'simple'], ['Normal', 'normal'], ['DDIM', 'ddim'], ['Beta', 'beta'],
    ]);
  });
  it('has the samplers’ A1111 options', () => {
    const e = (n: string) => findSamplerEntry(n)!;
    expect(e('DPM++ 2M')).toMatchObject({ defaultScheduler: 'karras', secondOrder: false, rendered: true });
    expect(e('DPM2')).toMatchObject({ defaultScheduler: 'karras', discardNextToLastSigma: true, secondOrder: true });
    expect(e('DPM2 a')).toMatchObject({ defaultScheduler: 'karras', discardNextToLastSigma: true, secondOrder: true, ancestral: true, usesEnsd: true });
    expect(e('DPM++ 2S a')).toMatchObject({ defaultScheduler: 'karras', secondOrder: true, ancestral: true, usesEnsd: true });
    expect(e('Heun')).toMatchObject({ secondOrder: true });
    expect(e('Euler a')).toMatchObject({ usesEnsd: true, ancestral: true });
    expect([e('Heun').defaultScheduler, e('Euler a').defaultScheduler, e('LMS').defaultScheduler]).toEqual([undefined, undefined, undefined]);
    expect(e('DPM++ 3M SDE')).toMatchObject({ defaultScheduler: 'exponential', discardNextToLastSigma: true, brownianNoise: true, rendered: false });
    expect(e('k_dpm_2_a')?.name).toBe('DPM2 a');
    expect(e('K_EULER_ANCESTRAL')?.name).toBe('Euler a');
    const rendered = SAMPLER_VOCABULARY.filter((s) => s.rendered).map((s) => s.name);
    expect(rendered).toEqual(['DPM++ 2M', 'DPM++ 2S a', 'Euler a', 'Euler', 'LMS', 'Heun', 'DPM2', 'DPM2 a', 'DDIM', 'PLMS', 'UniPC']);
    for (const s of SAMPLER_VOCABULARY.filter((s) => s.brownianNoise)) expect(s.rendered).toBe(false);
  });
  it('splits an old-style name into sampler and schedule, as get_sampler_and_scheduler', () => {
    const r = resolveSamplerAndScheduler('DPM++ 2M Karras')!;
    expect([r.sampler.name, r.scheduler.name, r.effectiveScheduler.name]).toEqual(['DPM++ 2M', 'karras', 'karras']);
    const e = resolveSamplerAndScheduler('Euler a', 'sgm_uniform')!;
    expect([e.sampler.name, e.effectiveScheduler.label]).toEqual(['Euler a', 'SGM Uniform']);
    expect(resolveSamplerAndScheduler('Euler', 'Automatic')!.effectiveScheduler.name).toBe('uniform');
    expect(resolveSamplerAndScheduler('Heun Align Your Steps')!.effectiveScheduler.name).toBe('align_your_steps');
    expect(resolveSamplerAndScheduler('DDIM', 'Karras')!.effectiveScheduler.name).toBe('automatic'); // ignored by timestep samplers
    expect(resolveSamplerAndScheduler('Nope')).toBeUndefined();
    const legacy = resolveSamplerAndScheduler('k_dpmpp_2m_ka')!; // pre-1.9 alias of "DPM++ 2M Karras"
    expect([legacy.sampler.name, legacy.scheduler.name]).toEqual(['DPM++ 2M', 'karras']);
    expect(resolveSamplerAndScheduler('k_dpmpp_3m_sde_exp')!.effectiveScheduler.name).toBe('exponential');
  });
});

describe('planSampling, k-diffusion samplers', () => {
  it('DPM++ 2M on Automatic is Karras (A1111 ≥ 1.9), DPM++ 2M Karras the same, Euler the model’s own schedule', () => {
    const p = planSampling(sdxl, 'DPM++ 2M', undefined, 28);
    expect(Array.from(p.sigmas)).toEqual(Array.from(karrasSigmas(sdxl, 28)));
    expect(p.infotext).toEqual({ 'Schedule type': 'Karras' });
    expect(Array.from(planSampling(sdxl, 'DPM++ 2M Karras', undefined, 28).sigmas)).toEqual(Array.from(p.sigmas));
    const e = planSampling(sdxl, 'Euler', 'Automatic', 28);
    expect(Array.from(e.sigmas)).toEqual(Array.from(defaultSigmas(sdxl, 28)));
    expect(e.infotext).toEqual({ 'Schedule type': 'Automatic' }); // p.scheduler, no scheduler function ran
    expect([e.noiseScale, e.outputScale, e.modelCalls, e.noiseDraws]).toEqual([e.sigmas[0], 1, 28, 0]);
    const sgm = planSampling(sdxl, 'Euler', undefined, 28, { sgmNoiseMultiplier: true });
    expect(sgm.noiseScale).toBeCloseTo(Math.sqrt(1 + sdxl.sigmas[999]! ** 2), 12);
    expect(sgm.infotext).toEqual({ 'Schedule type': 'Automatic', 'SGM noise multiplier': true });
  });
  it('DPM2 computes steps + 1 Karras sigmas and drops the next-to-last; two calls a step but the last', () => {
    // tiny table, min 1, max 16, 3 steps → 4 Karras sigmas 16, 7.1319…, 2.8605…, 1 (plain Python arithmetic), drop 1.
    const p = planSampling(tiny, 'DPM2', undefined, 3);
    expect(p.sigmas.length).toBe(4);
    [16, 7.131931345207507, 2.8604734165693873, 0].forEach((v, i) => expect(p.sigmas[i]).toBeCloseTo(v, 12));
    expect([p.steps, p.modelCalls, p.a1111TotalSteps, p.noiseDraws]).toEqual([3, 5, 6, 0]);
    const a = planSampling(tiny, 'DPM2 a', 'Exponential', 3); // 4 exponential sigmas 16, 16^(2/3), 16^(1/3), 1, drop 1
    [16, 16 ** (2 / 3), 16 ** (1 / 3), 0].forEach((v, i) => expect(a.sigmas[i]).toBeCloseTo(v, 12));
    expect(a.noiseDraws).toBe(2);
  });
  it('always_discard_next_to_last_sigma applies to any sampler and is written to infotext', () => {
    const p = planSampling(tiny, 'Euler', 'Uniform', 3, { alwaysDiscardNextToLastSigma: true });
    // uniform with 4 steps on the tiny table: t = 4, 8/3, 4/3, 0 → 16, 2^(8/3), 2^(4/3), 1, 0 → drop 1.
    [16, 2 ** (8 / 3), 2 ** (4 / 3), 0].forEach((v, i) => expect(p.sigmas[i]).toBeCloseTo(v, 12));
    expect(p.infotext).toEqual({ 'Discard penultimate sigma': true, 'Schedule type': 'Uniform' });
  });
  it('passes A1111’s overrides: rho, sigma range, old Karras range, Beta’s parameters', () => {
    const r = planSampling(tiny, 'Euler', 'Karras', 3, { rho: 2 }); // roots 4, 2.5, 1
    expect(Array.from(r.sigmas)).toEqual([16, 6.25, 1, 0]);
    expect(r.infotext['Schedule rho']).toBe(2);
    const old = planSampling(tiny, 'Euler', 'Exponential', 3, { oldKarrasSigmas: true }); // 10, sqrt(10 · 0.1) = 1, 0.1
    [10, 1, 0.1, 0].forEach((v, i) => expect(old.sigmas[i]).toBeCloseTo(v, 12));
    const b = planSampling(tiny, 'Euler', 'Beta', 3);
    expect(Array.from(b.sigmas)).toEqual([16, 8.5, 1, 0]);
    expect(b.infotext).toMatchObject({ 'Schedule type': 'Beta', 'Beta schedule alpha': 0.6, 'Beta schedule beta': 0.6 });
  });
  it('Heun counts 2 calls per step but the last; Euler a draws noise on every step but the last', () => {
    expect(planSampling(sdxl, 'Heun', undefined, 10).modelCalls).toBe(19);
    expect(planSampling(sdxl, 'Euler a', undefined, 10).noiseDraws).toBe(9);
    // KL Optimal has no 0 at the end: all 10 Heun steps take 2 calls.
    expect(planSampling(sdxl, 'Heun', 'KL Optimal', 10).modelCalls).toBe(20);
  });
  it('refuses unknown and not-rendered samplers and unknown schedule types, naming what is available', () => {
    const fail = (f: () => unknown) => {
      try { f(); } catch (e) { return e as UnknownSamplerError; }
      throw new Error('did not throw');
    };
    const sde = fail(() => planSampling(sdxl, 'DPM++ 2M SDE', undefined, 20));
    expect(sde).toBeInstanceOf(UnknownSamplerError);
    expect(sde.field).toBe('sampler_name');
    expect(sde.message).toMatch(/DPM\+\+ 2M SDE.*Brownian tree.*one of: DPM\+\+ 2M, DPM\+\+ 2S a, Euler a/);
    expect(fail(() => planSampling(sdxl, 'DPM++ 2M SDE Karras', undefined, 20)).message).toMatch(/Brownian/);
    expect(fail(() => planSampling(sdxl, 'Foo', undefined, 20)).message).toMatch(/unknown sampler "Foo"/);
    const sch = fail(() => planSampling(sdxl, 'Euler', 'Turbo', 20));
    expect([sch.field, /unknown scheduler "Turbo".*Align Your Steps/.test(sch.message)]).toEqual(['scheduler', true]);
  });
});

describe('planSampling, timestep samplers (DDIM, PLMS)', () => {
  it('uses timesteps range(0, 1000, 1000 // steps) + 1, clipped to 999', () => {
    const t28 = timestepSamplerTimesteps(28);
    expect([t28.length, t28[0], t28[1], t28[28]]).toEqual([29, 1, 36, 981]);
    const t20 = timestepSamplerTimesteps(20);
    expect([t20.length, t20[19]]).toEqual([20, 951]);
    expect(timestepSamplerTimesteps(3)).toEqual([1, 334, 667, 999]); // 999 + 1 clipped
  });
  it('DDIM, 20 steps: 19 model calls from timestep 951 to 1, noise × sqrt(1 + sigma²), result × sqrt(abar_1)', () => {
    const p = planSampling(sdxl, 'DDIM', 'Karras', 20);
    expect(p.timesteps!.slice(0, 2)).toEqual([951, 901]);
    expect(p.timesteps![19]).toBe(1);
    expect(p.sigmas[0]).toBe(sdxl.sigmas[951]);
    expect(p.sigmas[19]).toBe(sdxl.sigmas[1]);
    expect([p.steps, p.modelCalls, p.a1111TotalSteps]).toEqual([19, 19, 20]);
    expect(p.noiseScale).toBeCloseTo(Math.sqrt(1 + sdxl.sigmas[951]! ** 2), 12);
    expect(p.outputScale).toBeCloseTo(1 / Math.sqrt(1 + sdxl.sigmas[1]! ** 2), 12);
    expect(p.infotext).toEqual({ 'Schedule type': 'Karras' }); // asked for, written, not used
    expect(planTimestep(p, sdxl, p.sigmas[3]!)).toBe(801);
  });
  it('PLMS takes one extra model call', () => {
    expect(planSampling(sdxl, 'PLMS', undefined, 20).modelCalls).toBe(20);
  });
});

describe('every rendered sampler runs its plan', () => {
  it('makes exactly modelCalls denoiser calls and noiseDraws noise draws, at the plan’s sigmas, with finite results', async () => {
    for (const entry of SAMPLER_VOCABULARY.filter((s) => s.rendered)) {
      for (const scheduler of [undefined, 'Karras', 'Beta', 'Align Your Steps', 'KL Optimal']) {
        const p = planSampling(sdxl, entry.name, scheduler, 10);
        let calls = 0, draws = 0;
        const x0 = Float32Array.of(0.3, -1.1).map((v) => v * p.noiseScale);
        const out = await p.sample(async (x, sigma) => {
          calls++;
          expect(sigma).toBeGreaterThan(0);
          expect(Number.isFinite(planTimestep(p, sdxl, sigma))).toBe(true);
          return x.map((v) => 0.8 * v / Math.sqrt(1 + sigma * sigma));
        }, x0, p.sigmas, { noise: () => (draws++, Float32Array.of(0.5, -0.5)) });
        expect([entry.name, scheduler, calls, draws]).toEqual([entry.name, scheduler, p.modelCalls, p.noiseDraws]);
        for (const v of out) expect(Number.isFinite(v * p.outputScale)).toBe(true);
      }
    }
  });
});
