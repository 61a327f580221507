// The infotext writer, with expectations from A1111's create_infotext and quote (modules/infotext_utils.py).
import { describe, expect, it } from 'vitest';
import { formatInfotext, infotextOverrideSettings, quoteInfotextValue } from '../../core/infotext';
import { parseDocument } from '../../core/parse';

const base = { steps: 28, sampler: 'Euler a', cfgScale: 5, seed: 42, width: 832, height: 1216, model: 'AnimeBoysXL' };

describe('formatInfotext', () => {
  it('writes prompt, negative prompt and the settings line as A1111 does', () => {
    expect(formatInfotext('1boy, solo', 'lowres', base)).toBe(
      '1boy, solo\nNegative prompt: lowres\nSteps: 28, Sampler: Euler a, CFG scale: 5, Seed: 42, Size: 832x1216, Model: AnimeBoysXL',
    );
  });
  it('leaves out an empty negative prompt and strips surrounding whitespace', () => {
    expect(formatInfotext('  1boy ', '', { ...base, model: undefined })).toBe('1boy \nSteps: 28, Sampler: Euler a, CFG scale: 5, Seed: 42, Size: 832x1216');
    expect(formatInfotext('', '', base).startsWith('Steps: 28')).toBe(true);
  });
  it('quotes values holding a comma, colon or newline with JSON string syntax, others verbatim', () => {
    expect(quoteInfotextValue('a, b')).toBe('"a, b"');
    expect(quoteInfotextValue('v1: "x"')).toBe('"v1: \\"x\\""');
    expect(quoteInfotextValue('two\nlines')).toBe('"two\\nlines"');
    expect(quoteInfotextValue('say "hi"')).toBe('say "hi"');
    expect(quoteInfotextValue('café')).toBe('café');
    expect(formatInfotext('x', '', { ...base, model: 'sdxl, v2' })).toContain('Model: "sdxl, v2"');
  });
  it('writes fractional CFG scales as Python prints them', () => {
    expect(formatInfotext('x', '', { ...base, cfgScale: 5.5 })).toContain('CFG scale: 5.5,');
  });
});

describe('round trip through the .sdprompt parser', () => {
  it('reads back prompt, negative prompt and every setting, quoted ones included', () => {
    const text = formatInfotext('1boy, (looking at viewer:1.1)', 'lowres, 1girl', { ...base, model: 'Anime, XL: v1', sampler: 'DPM++ 2M Karras' });
    const block = parseDocument(text).blocks[0]!;
    expect(block.prompt?.text).toBe('1boy, (looking at viewer:1.1)');
    expect(block.negative?.text).toBe('lowres, 1girl');
    const settings = Object.fromEntries(block.settings!.entries.map((e) => [e.key, e.value]));
    expect(settings).toEqual({ Steps: '28', Sampler: 'DPM++ 2M Karras', 'CFG scale': '5', Seed: '42', Size: '832x1216', Model: 'Anime, XL: v1' });
  });
});

describe('Schedule type and the settings A1111 imports from infotext', () => {
  it('writes Schedule type right after Sampler, as A1111 1.9+', () => {
    expect(formatInfotext('1boy', '', { ...base, sampler: 'DPM++ 2M', scheduleType: 'Karras' })).toBe(
      '1boy\nSteps: 28, Sampler: DPM++ 2M, Schedule type: Karras, CFG scale: 5, Seed: 42, Size: 832x1216, Model: AnimeBoysXL',
    );
  });
  it('reads RNG, Pad conds, Emphasis and the schedule parameters as override_settings (True/False booleans, numbers)', () => {
    expect(infotextOverrideSettings({ Steps: '28', RNG: 'CPU', 'Pad conds': 'True', 'Schedule rho': '5', 'Schedule max sigma': '14.6', 'SGM noise multiplier': 'True', Emphasis: 'No norm', 'Beta schedule alpha': ' 0.6 ' })).toEqual({
      randn_source: 'CPU', pad_cond_uncond: true, rho: 5, sigma_max: 14.6, sgm_noise_multiplier: true, emphasis: 'No norm', beta_dist_alpha: 0.6,
    });
    expect(infotextOverrideSettings({ Sampler: 'Euler a' })).toEqual({});
  });
});
