// validateTxt2img reads its ranges from the settings vocabulary (A1111 1.10's UI ranges: steps 1–150, CFG 1–30,
// each side 64–2048 a multiple of 8, batch size 1–8, the Beta schedule's alpha and beta 0.01–1) and its defaults
// from the default profile's recommendations (AnimeBoysXL's card: Euler a, 28 steps, CFG 5, 1024x1024).
import { describe, expect, it } from 'vitest';
import { DEFAULTS, validateTxt2img } from '../../backend/request';

const problems = (body: Record<string, unknown>) => validateTxt2img({ prompt: '1boy', ...body }, 'nv').problems.map((p) => `${p.loc[1]}: ${p.msg}`);

describe('validateTxt2img', () => {
  it("fills what the body leaves out with the profile's recommendation", () => {
    expect(DEFAULTS).toEqual({ steps: 28, cfgScale: 5, width: 1024, height: 1024, sampler: 'Euler a', batchSize: 1 });
    expect(validateTxt2img({ prompt: '1boy', seed: 3 }, 'nv').request).toMatchObject({ steps: 28, cfgScale: 5, width: 1024, height: 1024, sampler: 'Euler a', batchSize: 1, seed: 3 });
  });

  it("refuses values outside A1111's ranges, naming the range", () => {
    expect(problems({ steps: 151, cfg_scale: 0.5, batch_size: 9, width: 2056, height: 32 })).toEqual([
      'steps: must be between 1 and 150, got 151',
      'width: must be between 64 and 2048, got 2056',
      'height: must be between 64 and 2048, got 32',
      'batch_size: must be between 1 and 8, got 9',
      'cfg_scale: must be between 1 and 30, got 0.5',
    ]);
    expect(problems({ override_settings: { beta_dist_alpha: 1.5, sigma_min: -1 } })).toEqual([
      'override_settings: sigma_min must be between 0 and 1000, got -1',
      'override_settings: beta_dist_alpha must be between 0.01 and 1, got 1.5',
    ]);
  });

  it('refuses the emphasis modes it does not render, naming the one it does (the vocabulary says which)', () => {
    expect(problems({ override_settings: { emphasis: 'No norm' } })).toEqual(['override_settings: emphasis "No norm" is not available in this backend; Original is']);
    expect(problems({ override_settings: { emphasis: 'Original' } })).toEqual([]);
  });

  it('takes the ends of each range', () => {
    expect(problems({ steps: 1, cfg_scale: 1, batch_size: 8, width: 64, height: 2048, seed: -1 })).toEqual([]);
    expect(problems({ steps: 150, cfg_scale: 30, override_settings: { beta_dist_alpha: 0.01, beta_dist_beta: 1, rho: 0 } })).toEqual([]);
  });
});
