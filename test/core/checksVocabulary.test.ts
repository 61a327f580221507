// The settings checks read the vocabulary (core/a1111/settings.ts): one range and type check per key, and the
// builtin-mode checks. Each input inline, the expected diagnostics beside it as `line:col severity code`, the
// ranges A1111 1.10's UI sliders' (see test/core/a1111Vocabulary.test.ts).
import { describe, expect, it } from 'vitest';
import { checkDocument, type CheckOptions } from '../../core/checks/index';
import { parseDocument } from '../../core/parse/index';
import { defaultProfile } from '../../core/profiles/index';

function check(text: string, options: CheckOptions = {}): string[] {
  const doc = parseDocument(text);
  return checkDocument(doc, defaultProfile, options).map((d) => {
    const p = doc.lines.displayPositionAt(d.start);
    return `${p.line + 1}:${p.character + 1} ${d.severity} ${d.code}`;
  });
}
const messages = (text: string, options: CheckOptions = {}): string[] => checkDocument(parseDocument(text), defaultProfile, options).map((d) => d.message);

describe('settings checks from the vocabulary', () => {
  it('keeps steps-out-of-range and cfg-out-of-range, with the range in the message', () => {
    expect(check('1boy\nSteps: 151, CFG scale: 0.5')).toEqual(['2:8 warning steps-out-of-range', '2:24 warning cfg-out-of-range']);
    expect(messages('1boy\nSteps: 151, CFG scale: 0.5')).toEqual(["Steps '151' must be a whole number from 1 to 150", "CFG scale '0.5' must be a number from 1 to 30"]);
    expect(check('1boy\nSteps: 20.5, CFG scale: high')).toEqual(['2:8 warning steps-out-of-range', '2:25 warning cfg-out-of-range']);
  });

  it('checks every other key against its range: setting-out-of-range names the key and the range', () => {
    const line = 'Clip skip: 13, Denoising strength: 1.5, Hires upscale: 0.5, Hires steps: 151, Size: 4096x4096, Eta: 2';
    expect(check(`1boy\n${line}`)).toEqual([
      '2:12 warning setting-out-of-range',
      '2:36 warning setting-out-of-range',
      '2:56 warning setting-out-of-range',
      '2:74 warning setting-out-of-range',
      '2:85 warning setting-out-of-range',
      '2:101 warning setting-out-of-range',
    ]);
    expect(messages(`1boy\n${line}`)).toEqual([
      "Clip skip 13 is outside A1111's range 1–12",
      "Denoising strength 1.5 is outside A1111's range 0–1",
      "Hires upscale 0.5 is outside A1111's range 1–4",
      "Hires steps 151 is outside A1111's range 0–150",
      "Size 4096x4096 is outside A1111's range 64–2048 a side",
      "Eta 2 is outside A1111's range 0–1",
    ]);
  });

  it('reports a value A1111 cannot read as its type as setting-malformed', () => {
    const line = 'RNG: TPU, Pad conds: yes, Emphasis: Strong, Schedule type: Sideways, ENSD: many';
    expect(check(`1boy\n${line}`)).toEqual([
      '2:6 warning setting-malformed',
      '2:22 warning setting-malformed',
      '2:37 warning setting-malformed',
      '2:60 warning setting-malformed',
      '2:76 warning setting-malformed',
    ]);
    expect(messages(`1boy\n${line}`).slice(0, 3)).toEqual([
      "RNG 'TPU' must be one of GPU, CPU, NV",
      "Pad conds 'yes' must be True or False",
      "Emphasis 'Strong' must be one of None, Ignore, Original, No norm",
    ]);
  });

  it('passes what A1111 writes', () => {
    const line = 'Steps: 28, Sampler: DPM++ 2M, Schedule type: Karras, CFG scale: 5, Seed: 3920117839, Size: 832x1216, Model hash: c6bbc15e32, Model: animeboysxl, Clip skip: 2, RNG: CPU, ENSD: 31337, Denoising strength: 0.35, Hires upscale: 1.5, Hires steps: 10, Hires upscaler: R-ESRGAN 4x+ Anime6B, Pad conds: True, Emphasis: No norm, Version: v1.10.1, Template: a {b|c}, Negative Template: lowres';
    expect(check(`1boy\n${line}`)).toEqual([]);
    expect(check('1boy\nSampler: DPM++ 2M SDE Karras, Hires sampler: Use same sampler, Hires schedule type: Use same scheduler')).toEqual([]);
  });
});

describe('builtin-mode checks', () => {
  it('reports a sampler the builtin backend does not render, naming what it renders', () => {
    expect(check('1boy\nSampler: DPM++ SDE', { backend: 'builtin' })).toEqual(['2:10 warning builtin-sampler-unavailable']);
    expect(messages('1boy\nSampler: DPM++ SDE', { backend: 'builtin' })).toEqual([
      "Sampler 'DPM++ SDE' is not available in builtin mode: its noise comes from a torchsde Brownian tree seeded per image, which the backend does not reproduce. The builtin backend renders DPM++ 2M, DPM++ 2S a, Euler a, Euler, LMS, Heun, DPM2, DPM2 a, DDIM, PLMS, UniPC",
    ]);
    // The old combined name is the same sampler; the rendered ones pass.
    expect(check('1boy\nSampler: DPM++ 2M SDE Karras', { backend: 'builtin' })).toEqual(['2:10 warning builtin-sampler-unavailable']);
    expect(check('1boy\nSampler: DPM++ 2M Karras', { backend: 'builtin' })).toEqual([]);
    expect(check('1boy\nSampler: Restart', { backend: 'builtin' })).toEqual(['2:10 warning builtin-sampler-unavailable']);
  });

  it('reports a setting value the builtin backend refuses, naming what it renders', () => {
    expect(check('1boy\nSteps: 28, Emphasis: No norm, Pad conds v0: True', { backend: 'builtin' })).toEqual(['2:22 warning builtin-setting-unavailable', '2:45 warning builtin-setting-unavailable']);
    expect(messages('1boy\nSteps: 28, Emphasis: No norm, Pad conds v0: True', { backend: 'builtin' })[0]).toBe("Emphasis 'No norm' is not available in builtin mode: the builtin backend renders Original");
    expect(check('1boy\nSteps: 28, Emphasis: Original, Pad conds v0: False', { backend: 'builtin' })).toEqual([]);
    expect(check('1boy\nSteps: 28, Emphasis: No norm, Pad conds v0: True', { backend: 'url' })).toEqual([]);
  });

  it('reports an extra network in the prompt as not applied by the builtin backend', () => {
    expect(check('1boy, <lora:animeboy_style:0.8>, <lyco:x:1>\nSteps: 28', { backend: 'builtin' })).toEqual(['1:7 info builtin-network-not-applied', '1:34 info builtin-network-not-applied']);
    expect(messages('1boy, <lora:animeboy_style:0.8>', { backend: 'builtin' })).toEqual([
      "'<lora:animeboy_style:0.8>' is not applied by the builtin backend: it removes the network from the prompt and renders without it",
    ]);
    // In the negative prompt A1111 does not load it either: network-in-negative says so, once.
    expect(check('1boy\nNegative prompt: <lora:x:1>', { backend: 'builtin' })).toEqual(['2:18 warning network-in-negative']);
  });

  it('says nothing of the backend without it or for a url backend', () => {
    for (const options of [{}, { backend: 'url' as const }]) {
      expect(check('1boy, <lora:x:0.8>\nSampler: DPM++ SDE', options)).toEqual([]);
    }
  });

  it('takes severity overrides by code', () => {
    const text = '1boy, <lora:x:0.8>\nSampler: DPM++ SDE';
    expect(check(text, { backend: 'builtin', severity: { 'builtin-network-not-applied': 'warning', 'builtin-sampler-unavailable': 'off' } })).toEqual(['1:7 warning builtin-network-not-applied']);
  });
});
