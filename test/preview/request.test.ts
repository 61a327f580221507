// Request building: each expected body written by hand from the block text and the AnimeBoysXL card
// (Euler a, 28 steps, CFG 5, 1024x1024 as the square size).
import { describe, expect, it } from 'vitest';
import { parseDocument } from '../../core/parse';
import { defaultProfile } from '../../core/profiles';
import { blockFingerprint, buildTxt2img, DRAFT, draftSize, requestFingerprint } from '../../client/preview/request';

const block = (text: string, i = 0) => parseDocument(text).blocks[i]!;

describe('buildTxt2img', () => {
  it('sends the prompt, the negative prompt and every setting of the settings line', () => {
    const b = block('1boy, solo, (smile:1.2)\nNegative prompt: lowres, bad quality\nSteps: 20, Sampler: DPM++ 2M, CFG scale: 6.5, Seed: 1234, Size: 832x1216\n');
    expect(buildTxt2img(b, defaultProfile, undefined)).toEqual({
      body: {
        prompt: '1boy, solo, (smile:1.2)', negative_prompt: 'lowres, bad quality', steps: 20, cfg_scale: 6.5, width: 832, height: 1216,
        seed: 1234, sampler_name: 'DPM++ 2M', batch_size: 1, save_images: false, send_images: true,
      },
    });
  });

  it("fills what the block leaves out with the profile's recommendation and a random seed", () => {
    expect(buildTxt2img(block('1boy\n'), defaultProfile, undefined).body).toMatchObject({
      prompt: '1boy', negative_prompt: '', steps: 28, cfg_scale: 5, width: 1024, height: 1024, seed: -1, sampler_name: 'Euler a',
    });
    expect(buildTxt2img(block('1boy\nSeed: 7\n'), defaultProfile, undefined).body).toMatchObject({ steps: 28, seed: 7, width: 1024 });
  });

  it('passes the schedule type apart from the sampler, and not "Automatic"', () => {
    expect(buildTxt2img(block('a\nSampler: DPM++ 2M, Schedule type: Karras\n'), defaultProfile, undefined).body?.scheduler).toBe('Karras');
    expect(buildTxt2img(block('a\nSampler: Euler, Schedule type: Automatic\n'), defaultProfile, undefined).body).not.toHaveProperty('scheduler');
  });

  it('picks the block under the given index of a multi-block document', () => {
    const doc = '1boy\nSteps: 10\n---\n2boys\nNegative prompt: 1girl\n';
    expect(buildTxt2img(block(doc, 1), defaultProfile, undefined).body).toMatchObject({ prompt: '2boys', negative_prompt: '1girl', steps: 28 });
  });

  it('names each value it cannot send', () => {
    const r = buildTxt2img(block('a\nSteps: many, CFG scale: 99, Size: 1004x1000, Seed: x\n'), defaultProfile, undefined);
    expect(r.body).toBeUndefined();
    expect(r.problems).toEqual([
      'Steps: "many" is not a whole number',
      'Seed: "x" is not a whole number',
      'CFG scale: 99 is outside 1–30',
      'Size: 1004x1000 must be multiples of 8 between 64 and 2048',
    ]);
    expect(buildTxt2img(block('a\nSteps: 200\n'), defaultProfile, undefined).problems).toEqual(['Steps: 200 is outside 1–150']);
  });

  it("takes each range from A1111's UI ranges: CFG 1–30, each side 64–2048 a multiple of 8, RNG one of GPU, CPU, NV", () => {
    expect(buildTxt2img(block('a\nCFG scale: 0.5\n'), defaultProfile, undefined).problems).toEqual(['CFG scale: 0.5 is outside 1–30']);
    expect(buildTxt2img(block('a\nCFG scale: 1, Steps: 150, Size: 64x2048\n'), defaultProfile, undefined).body).toMatchObject({ cfg_scale: 1, steps: 150, width: 64, height: 2048 });
    expect(buildTxt2img(block('a\nSize: 2056x1024\n'), defaultProfile, undefined).problems).toEqual(['Size: 2056x1024 must be multiples of 8 between 64 and 2048']);
    expect(buildTxt2img(block('a\nSteps: 20, RNG: TPU, Pad conds: yes\n'), defaultProfile, undefined).problems).toEqual(['RNG: "TPU" is not one of GPU, CPU, NV', 'Pad conds: "yes" is not True or False']);
  });

  it('sends the A1111 settings of the block as override_settings, as pasting its infotext sets them', () => {
    // infotext_to_setting_name_mapping: RNG -> randn_source, Pad conds -> pad_cond_uncond, Schedule rho -> rho.
    const r = buildTxt2img(block('a\nSteps: 20, RNG: CPU, Pad conds: True, Schedule rho: 5, Emphasis: No norm\n'), defaultProfile, undefined);
    expect(r.body?.override_settings).toEqual({ randn_source: 'CPU', pad_cond_uncond: true, rho: 5, emphasis: 'No norm' });
    expect(buildTxt2img(block('a\nSteps: 20, Clip skip: 2, Seed: 1\n'), defaultProfile, undefined).body).not.toHaveProperty('override_settings');
  });

  it('draft mode: longer side 512, aspect kept on multiples of 8, at most 12 steps', () => {
    const r = buildTxt2img(block('a\nSteps: 28, Size: 832x1216, Seed: 5\n'), defaultProfile, DRAFT);
    // 832 * 512/1216 = 350.3 -> 344 (multiple of 8 below); 1216 -> 512.
    expect(r.body).toMatchObject({ width: 344, height: 512, steps: 12, seed: 5 });
    expect(buildTxt2img(block('a\nSteps: 8\n'), defaultProfile, DRAFT).body).toMatchObject({ width: 512, height: 512, steps: 8 });
    expect(draftSize(256, 128, 512)).toEqual({ width: 256, height: 128 });
    expect(draftSize(2048, 64, 512)).toEqual({ width: 512, height: 64 });
  });
});

describe('blockFingerprint', () => {
  it('changes with the prompt, the negative prompt or the settings, not with surrounding blanks of the settings line', () => {
    const a = blockFingerprint('1boy', 'lowres', 'Steps: 28');
    expect(a).toMatch(/^[0-9a-f]{16}$/);
    expect(blockFingerprint('1boy', 'lowres', 'Steps: 28 ')).toBe(a);
    expect(blockFingerprint('1boys', 'lowres', 'Steps: 28')).not.toBe(a);
    expect(blockFingerprint('1boy', 'lowre', 'Steps: 28')).not.toBe(a);
    expect(blockFingerprint('1boy', 'lowres', 'Steps: 29')).not.toBe(a);
    expect(blockFingerprint('1boy\u0000lowres', '', 'Steps: 28')).not.toBe(blockFingerprint('1boy', '\u0000lowres', 'Steps: 28'));
  });
});

describe('requestFingerprint', () => {
  const body = (text: string) => buildTxt2img(block(text), defaultProfile, undefined).body!;
  it('is the same for blocks that send the same request, whatever their spelling', () => {
    // Settings written out equal to the profile's defaults, spaced differently: the same request.
    expect(requestFingerprint(body('1boy\nSteps: 28,  CFG scale: 5, Size: 1024x1024\n'), -1)).toBe(requestFingerprint(body('1boy\n'), -1));
  });
  it('differs with any field or the seed', () => {
    const base = requestFingerprint(body('1boy\nSeed: 42\n'), 42);
    expect(requestFingerprint(body('1boy\nSeed: 43\n'), 43)).not.toBe(base);
    expect(requestFingerprint(body('1boy\nSeed: 42, Steps: 20\n'), 42)).not.toBe(base);
    expect(requestFingerprint(body('1boy\nSeed: 42, Sampler: Euler\n'), 42)).not.toBe(base);
    expect(requestFingerprint(body('1boy\nSeed: 42, Size: 832x1216\n'), 42)).not.toBe(base);
    expect(requestFingerprint(body('1boys\nSeed: 42\n'), 42)).not.toBe(base);
    // A re-render with seed 7 of that block matches the block once Seed: 7 is copied into it.
    expect(requestFingerprint(body('1boy\nSeed: 42\n'), 7)).toBe(requestFingerprint(body('1boy\nSeed: 7\n'), 7));
    expect(requestFingerprint(body('1boy\nSeed: 42, RNG: CPU\n'), 42)).not.toBe(base);
  });
});
