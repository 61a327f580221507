// The settings vocabulary as data (core/a1111/settings.ts, samplers.ts). Every expected value is read off A1111
// 1.10's sources by hand: modules/ui.py (txt2img sliders), scripts/processing_scripts/sampler.py (steps),
// scripts/refiner.py, modules/shared_options.py (option defaults and sliders), modules/sd_emphasis.py,
// modules/sd_samplers_kdiffusion.py, sd_samplers_timesteps.py, sd_schedulers.py.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findSettingKey, isA1111SamplerName, samplerNames, settingKey, settingKeyDoc, settingKeys, settingRange, settingValueProblem, type SettingType } from '../../core/a1111/settings';
import { SAMPLER_VOCABULARY, SCHEDULE_TYPES } from '../../core/a1111/samplers';

const TYPES: SettingType[] = ['integer', 'number', 'boolean', 'enum', 'seed', 'size', 'sampler', 'schedule', 'hash', 'string', 'prompt', 'list'];

const LABELS: Record<string, string> = { steps: 'Steps', seed: 'Seed', styles: 'Styles' };

describe('settings vocabulary', () => {
  it('finds a key as written the way key.trim().toLowerCase() names it, also when remembered (findSettingKey)', () => {
    for (const [key, name, want] of [['Steps', 'steps', true], [' STEPS\t', 'steps', true], ['Step', 'steps', false], ['Stepss', 'steps', false], ['\u00a0Steps', 'steps', true], ['Seed', 'steps', false], ['', 'seed', false]] as const) {
      expect(findSettingKey(key) === settingKey(LABELS[name]!)).toBe(want);
    }
    const piece = fc.constantFrom('s', 'S', 't', 'e', 'E', 'p', 'ed', ' ', '\t', '\u00a0', '\u3000', 'İ', 'ſ', 'K', 'é', '\n');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 8 }).map((p) => p.join('')), fc.constantFrom('steps', 'seed', 'styles'), (key, name) => {
        expect(findSettingKey(key) === settingKey(LABELS[name]!)).toBe(key.trim().toLowerCase() === name);
      }),
      { numRuns: 5000 },
    );
  });


  it('gives every key a type, a doc, and a range whose ends are in order, with the default inside it', () => {
    const labels = settingKeys.map((k) => k.key.toLowerCase());
    expect(new Set(labels).size).toBe(labels.length);
    for (const k of settingKeys) {
      expect(TYPES, k.key).toContain(k.type);
      expect(k.doc.length, k.key).toBeGreaterThan(10);
      if (k.min !== undefined && k.max !== undefined) expect(k.min, k.key).toBeLessThanOrEqual(k.max);
      if (k.min !== undefined || k.max !== undefined) expect(['integer', 'number', 'seed', 'size'], k.key).toContain(k.type);
      if (k.type === 'enum') expect(k.choices?.length, k.key).toBeGreaterThan(1);
      if (k.default !== undefined && k.type !== 'sampler') expect(settingValueProblem(k, String(k.default === true ? 'True' : k.default === false ? 'False' : k.default)), k.key).toBeUndefined();
    }
  });

  it('writes no range in a doc that the data does not have', () => {
    for (const k of settingKeys) {
      const written = /(-?[\d.]+)–(-?[\d.]+)/.exec(k.doc);
      if (written) expect(written[0], k.key).toBe(settingRange(k));
    }
  });

  it('shows each key with what it takes and its default', () => {
    expect(settingKeyDoc(findSettingKey('Clip skip')!)).toBe(`${findSettingKey('Clip skip')!.doc}\n\n*Takes a whole number, 1–12. A1111's default: \`1\`.*`);
    expect(settingKeyDoc(findSettingKey('RNG')!)).toMatch(/\*Takes one of `GPU`, `CPU`, `NV`\. A1111's default: `GPU`\.\*$/);
    expect(settingKeyDoc(findSettingKey('Size')!)).toMatch(/\*Takes WIDTHxHEIGHT, 64–2048 a side, multiples of 8\. A1111's default: `512x512`\.\*$/);
    expect(settingKeyDoc(findSettingKey('Pad conds')!)).toMatch(/A1111's default: `False`\.\*$/);
  });

  it("has A1111 1.10's ranges and defaults", () => {
    const row = (key: string) => {
      const k = findSettingKey(key)!;
      return [k.type, k.min, k.max, k.default];
    };
    // sampler.py: Slider(minimum=1, maximum=150, step=1, label="Sampling steps", value=20)
    expect(row('Steps')).toEqual(['integer', 1, 150, 20]);
    // ui.py: Slider(minimum=1.0, maximum=30.0, step=0.5, label='CFG Scale', value=7.0)
    expect(row('CFG scale')).toEqual(['number', 1, 30, 7]);
    // ui.py: width / height Slider(minimum=64, maximum=2048, step=8, value=512)
    expect(row('Size')).toEqual(['size', 64, 2048, '512x512']);
    expect(findSettingKey('Size')!.multipleOf).toBe(8);
    // ui.py: Slider(minimum=0.0, maximum=1.0, step=0.01, label='Denoising strength', value=0.7)
    expect(row('Denoising strength')).toEqual(['number', 0, 1, 0.7]);
    // shared_options.py: CLIP_stop_at_last_layers OptionInfo(1, "Clip skip", gr.Slider, {"minimum": 1, "maximum": 12})
    expect(row('Clip skip')).toEqual(['integer', 1, 12, 1]);
    // ui.py: hr_scale Slider(minimum=1.0, maximum=4.0, step=0.05, value=2.0); hr_second_pass_steps (0, 150, value 0)
    expect(row('Hires upscale')).toEqual(['number', 1, 4, 2]);
    expect(row('Hires steps')).toEqual(['integer', 0, 150, 0]);
    expect(row('Hires resize-1')).toEqual(['integer', 0, 2048, 0]);
    // ui.py: batch_size Slider(minimum=1, maximum=8, value=1)
    expect(row('Batch size')).toEqual(['integer', 1, 8, 1]);
    // refiner.py: Slider(value=0.8, label="Switch at", minimum=0.01, maximum=1.0)
    expect(row('Refiner switch at')).toEqual(['number', 0.01, 1, 0.8]);
    // shared_options.py: eta_ancestral (1.0, 0–1), eta_noise_seed_delta (0, a whole number), s_min_uncond (0.0, 0–15),
    // token_merging_ratio (0.0, 0–0.9), initial_noise_multiplier (1.0, 0–1.5), pad_cond_uncond (False)
    expect(row('Eta')).toEqual(['number', 0, 1, 1]);
    expect(row('ENSD')).toEqual(['integer', undefined, undefined, 0]);
    expect(row('NGMS')).toEqual(['number', 0, 15, 0]);
    expect(row('Token merging ratio')).toEqual(['number', 0, 0.9, 0]);
    expect(row('Noise multiplier')).toEqual(['number', 0, 1.5, 1]);
    expect(row('Pad conds')).toEqual(['boolean', undefined, undefined, false]);
    // ui.py create_seed_inputs: Number(label='Seed', value=-1)
    expect(row('Seed')[0]).toBe('seed');
    expect(row('Seed')[1]).toBe(-1);
    expect(row('Seed')[3]).toBe(-1);
    // The sampler dropdown's first entry (DPM++ 2M) and schedule type Automatic
    expect(row('Sampler')).toEqual(['sampler', undefined, undefined, 'DPM++ 2M']);
    expect(row('Schedule type')).toEqual(['schedule', undefined, undefined, 'Automatic']);
  });

  it('lists the enum choices A1111 accepts', () => {
    // shared_options.py randn_source: gr.Radio {"choices": ["GPU", "CPU", "NV"]}, default "GPU"
    expect(findSettingKey('RNG')).toMatchObject({ type: 'enum', choices: ['GPU', 'CPU', 'NV'], default: 'GPU', setting: 'randn_source' });
    // sd_emphasis.py options = [EmphasisNone, EmphasisIgnore, EmphasisOriginal, EmphasisOriginalNoNorm]
    expect(findSettingKey('Emphasis')).toMatchObject({ type: 'enum', choices: ['None', 'Ignore', 'Original', 'No norm'], default: 'Original', setting: 'emphasis' });
  });

  it("has the keys issue 11 names, sd-dynamic-prompts' Template fields among them, found in any case", () => {
    for (const key of ['Steps', 'Sampler', 'Schedule type', 'CFG scale', 'Seed', 'Size', 'Model hash', 'Model', 'Clip skip', 'RNG', 'ENSD', 'Denoising strength', 'Hires upscale', 'Hires steps', 'Hires upscaler', 'Pad conds', 'Emphasis', 'Version', 'Template', 'Negative Template']) {
      expect(findSettingKey(key)?.key, key).toBe(key);
    }
    expect(findSettingKey('Template')!.type).toBe('prompt');
    expect(findSettingKey(' cfg SCALE ')?.key).toBe('CFG scale');
    expect(findSettingKey('Sampling steps')).toBeUndefined();
  });

  it('reads values by type and range', () => {
    const key = (k: string) => findSettingKey(k)!;
    expect(settingValueProblem(key('Steps'), '150')).toBeUndefined();
    expect(settingValueProblem(key('Steps'), '151')).toEqual({ kind: 'out-of-range', range: '1–150' });
    expect(settingValueProblem(key('Steps'), '20.5')).toEqual({ kind: 'malformed', expected: 'a whole number' });
    expect(settingValueProblem(key('CFG scale'), '7.5')).toBeUndefined();
    expect(settingValueProblem(key('CFG scale'), 'high')).toEqual({ kind: 'malformed', expected: 'a number' });
    expect(settingValueProblem(key('Pad conds'), 'True')).toBeUndefined();
    expect(settingValueProblem(key('Pad conds'), 'true')).toEqual({ kind: 'malformed', expected: 'True or False' });
    expect(settingValueProblem(key('Size'), '2048x64')).toBeUndefined();
    expect(settingValueProblem(key('Size'), '2048x32')).toEqual({ kind: 'out-of-range', range: '64–2048' });
    expect(settingValueProblem(key('Schedule type'), 'SGM Uniform')).toBeUndefined();
    expect(settingValueProblem(key('Schedule type'), 'sgm_uniform')).toBeUndefined();
    expect(settingValueProblem(key('Schedule type'), 'Sideways')?.kind).toBe('malformed');
    expect(settingValueProblem(key('Model hash'), 'c6bbc15e32')).toBeUndefined();
    expect(settingValueProblem(key('Schedule max sigma'), '-1')).toEqual({ kind: 'out-of-range', range: 'at least 0' });
  });
});

describe('samplers and schedule types', () => {
  it("are A1111 1.10's, in its order, with what the builtin backend renders", () => {
    // sd_samplers_kdiffusion.samplers_k_diffusion, then sd_samplers_timesteps.samplers_timesteps
    expect(SAMPLER_VOCABULARY.map((s) => s.name)).toEqual([
      'DPM++ 2M', 'DPM++ SDE', 'DPM++ 2M SDE', 'DPM++ 2M SDE Heun', 'DPM++ 2S a', 'DPM++ 3M SDE', 'Euler a', 'Euler', 'LMS', 'Heun',
      'DPM2', 'DPM2 a', 'DPM fast', 'DPM adaptive', 'Restart', 'DDIM', 'DDIM CFG++', 'PLMS', 'UniPC',
    ]);
    expect(SAMPLER_VOCABULARY.filter((s) => !s.rendered).map((s) => s.name)).toEqual([
      'DPM++ SDE', 'DPM++ 2M SDE', 'DPM++ 2M SDE Heun', 'DPM++ 3M SDE', 'DPM fast', 'DPM adaptive', 'Restart', 'DDIM CFG++',
    ]);
    // sd_schedulers.schedulers
    expect(SCHEDULE_TYPES.map((s) => s.label)).toEqual(['Automatic', 'Uniform', 'Karras', 'Exponential', 'Polyexponential', 'SGM Uniform', 'KL Optimal', 'Align Your Steps', 'Simple', 'Normal', 'DDIM', 'Beta']);
  });

  it('accepts a sampler name as get_sampler_and_scheduler does: a label, or a label and a schedule type', () => {
    expect(isA1111SamplerName('Euler a')).toBe(true);
    expect(isA1111SamplerName('DPM++ 2M Karras')).toBe(true);
    expect(isA1111SamplerName('DPM++ 2M Align Your Steps')).toBe(true);
    // A1111 tries the schedule types in their order: " Uniform" comes off first, and "DPM++ 2M SGM" is no sampler
    // (A1111 falls back to its default sampler without a word).
    expect(isA1111SamplerName('DPM++ 2M SGM Uniform')).toBe(false);
    expect(isA1111SamplerName('DPM++ 2M SDE Heun Exponential')).toBe(true);
    // all_samplers_map is keyed by the exact label
    expect(isA1111SamplerName('euler a')).toBe(false);
    expect(isA1111SamplerName('k_euler')).toBe(false);
    expect(isA1111SamplerName('Euler b')).toBe(false);
    expect(isA1111SamplerName('Euler Sideways')).toBe(false);
    for (const name of samplerNames) expect(isA1111SamplerName(name), name).toBe(true);
  });
});
