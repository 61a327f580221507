// Dynamic Prompts templates in renders: the expansion by the server's expandTemplate (seeded as
// sd-dynamic-prompts seeds it), the templates written into the infotext as its "Save template to metadata"
// writes them and read back, the PNG's parameters chunk replaced, history entries keeping the template.
// Expected picks are CPython's: with `random.seed(S)`, dynamicprompts' random sampler draws `randint(1, 1)`
// (the count) and then `choices([0, 1], [1, 1])` for a two-option variant, then `choice(values)` for a
// wildcard; computed with Python's own random module (3.11):
//   seed 1 → blue, armor; seed 2 → red, kimono; seed 123456789 → blue, suit (outfits sorted: armor, kimono, suit).
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { encodePng } from '../../backend/png';
import { parseHistory, serializeHistory, entryFromInfotext, type HistoryEntry } from '../../client/preview/history';
import { withPngParameters } from '../../client/preview/pngText';
import { infotextTemplates, resolveSeed, restoreTemplates, settingsEntries, withTemplates } from '../../core/template/infotext';
import { promptFromPng } from '../../client/pngImport';
import { a1111Parameters, readPngText } from '../../core/png/readText';
import { WildcardLibrary } from '../../core/template/wildcards';
import { expandTemplate } from '../../server/features/expandTemplate';

const outfits = () => new WildcardLibrary([{ path: 'outfits.txt', content: 'suit\narmor\nkimono\n' }]);

describe('expandTemplate (the server request)', () => {
  it('expands prompt and negative prompt each with the seed, and names the templates', () => {
    expect(expandTemplate({ prompt: '{red|blue} hair', negativePrompt: '{ugly|bad} hands', seed: 1 }, undefined)).toEqual({
      prompt: 'blue hair', negativePrompt: 'bad hands', template: '{red|blue} hair', negativeTemplate: '{ugly|bad} hands',
    });
    expect(expandTemplate({ prompt: '{red|blue} hair', negativePrompt: '{ugly|bad} hands', seed: 2 }, undefined)).toEqual({
      prompt: 'red hair', negativePrompt: 'ugly hands', template: '{red|blue} hair', negativeTemplate: '{ugly|bad} hands',
    });
  });

  it('draws wildcards from the library after the variant', () => {
    const lib = outfits();
    expect(expandTemplate({ prompt: '{red|blue} hair, __outfits__', negativePrompt: '', seed: 1 }, lib)).toEqual({ prompt: 'blue hair, armor', negativePrompt: '', template: '{red|blue} hair, __outfits__' });
    expect(expandTemplate({ prompt: '{red|blue} hair, __outfits__', negativePrompt: '', seed: 2 }, lib).prompt).toBe('red hair, kimono');
    expect(expandTemplate({ prompt: '{red|blue} hair, __outfits__', negativePrompt: '', seed: 123456789 }, lib).prompt).toBe('blue hair, suit');
    // A one-option variant and a one-value wildcard need no draw to know.
    expect(expandTemplate({ prompt: '{red} hair, __one__', negativePrompt: 'lowres', seed: 5 }, new WildcardLibrary([{ path: 'one.txt', content: 'armor\n' }]))).toEqual({ prompt: 'red hair, armor', negativePrompt: 'lowres', template: '{red} hair, __one__' });
  });

  it('leaves a prompt without template syntax unchanged, with no template fields', () => {
    expect(expandTemplate({ prompt: '1boy, (solo:1.2), <lora:x:0.5>', negativePrompt: 'lowres', seed: 3 }, undefined)).toEqual({ prompt: '1boy, (solo:1.2), <lora:x:0.5>', negativePrompt: 'lowres' });
    expect(expandTemplate({ prompt: '', negativePrompt: '', seed: 3 }, undefined)).toEqual({ prompt: '', negativePrompt: '' });
  });

  it("says what failed with the library's error", () => {
    const r = expandTemplate({ prompt: '1boy', negativePrompt: '{2$$a|b', seed: 3 }, undefined);
    expect(r.error).toMatch(/^Dynamic Prompts could not expand the negative prompt: ParseException/);
    expect(expandTemplate({ prompt: '1boy', negativePrompt: '', seed: -1 }, undefined).error).toMatch(/seed/);
  });
});

describe('the seed', () => {
  it('is resolved before expansion as fix_seed does: -1 becomes a random seed below 4294967294', () => {
    expect(resolveSeed(-1, (max) => (expect(max).toBe(4294967294), 17))).toBe(17);
    expect(resolveSeed(42, () => 17)).toBe(42);
    const r = resolveSeed(-1);
    expect(Number.isInteger(r) && r >= 0 && r < 4294967294).toBe(true);
  });
});

const infotext = '{red|blue} hair? no: blue hair\nNegative prompt: bad hands\nSteps: 4, Sampler: Euler a, CFG scale: 5, Seed: 1, Size: 64x64, Model: tiny, Version: tagsmith-0.1.0';

describe('templates in the infotext', () => {
  it('are written as extra generation parameters, quoted as A1111 quotes, before Version', () => {
    const text = withTemplates('blue hair\nNegative prompt: bad hands\nSteps: 4, Sampler: Euler a, CFG scale: 5, Seed: 1, Size: 64x64, Version: tagsmith-0.1.0', '{red|blue} hair, __outfits__', '{ugly|bad} hands');
    expect(text).toBe('blue hair\nNegative prompt: bad hands\nSteps: 4, Sampler: Euler a, CFG scale: 5, Seed: 1, Size: 64x64, Template: "{red|blue} hair, __outfits__", Negative Template: {ugly|bad} hands, Version: tagsmith-0.1.0');
    // Only a prompt that had a template gets its field; none: unchanged.
    expect(withTemplates('blue hair\nSteps: 4, Sampler: Euler a, Seed: 1', '{red|blue} hair', undefined)).toBe('blue hair\nSteps: 4, Sampler: Euler a, Seed: 1, Template: {red|blue} hair');
    expect(withTemplates(infotext, undefined, undefined)).toBe(infotext);
  });

  it('are read back (JSON-quoted values unquoted) and restored as the prompts', () => {
    const text = 'blue hair, armor\nNegative prompt: bad hands\nSteps: 4, Sampler: Euler a, Seed: 1, Template: "{red|blue} hair, __outfits__", Negative Template: {ugly|bad} hands, Version: v1';
    expect(infotextTemplates(text)).toEqual({ template: '{red|blue} hair, __outfits__', negativeTemplate: '{ugly|bad} hands' });
    expect(restoreTemplates(text)).toBe('{red|blue} hair, __outfits__\nNegative prompt: {ugly|bad} hands\nSteps: 4, Sampler: Euler a, Seed: 1, Version: v1');
    // A template only for the prompt keeps the negative prompt.
    expect(restoreTemplates('blue hair\nNegative prompt: lowres\nSteps: 4, Sampler: Euler a, Seed: 1, Template: "{red|blue} hair"')).toBe('{red|blue} hair\nNegative prompt: lowres\nSteps: 4, Sampler: Euler a, Seed: 1');
    expect(restoreTemplates('blue hair\nSteps: 4, Sampler: Euler a, Seed: 1')).toBeUndefined();
    expect(settingsEntries('Steps: 4, Template: "a\\nb, c"').map((e) => e.value)).toEqual(['4', 'a\nb, c']);
  });
});

describe('the PNG', () => {
  it("gets its parameters chunk replaced, other chunks kept, and New Prompt from PNG gives the template back", () => {
    const before = encodePng(new Uint8Array(2 * 2 * 3).fill(9), 2, 2, { parameters: 'blue hair\nSteps: 4, Sampler: Euler a, Seed: 1' });
    const text = withTemplates('blue hair\nSteps: 4, Sampler: Euler a, Seed: 1', '{red|blue} hair', undefined);
    const after = withPngParameters(before, text);
    const chunks = readPngText(after, (d) => inflateSync(d));
    expect(chunks.filter((c) => c.keyword === 'parameters')).toHaveLength(1);
    expect(a1111Parameters(chunks)).toBe('blue hair\nSteps: 4, Sampler: Euler a, Seed: 1, Template: {red|blue} hair');
    // Same image data, so the same length apart from the text's.
    expect(after.length - before.length).toBe(', Template: {red|blue} hair'.length);
    const imported = promptFromPng(after, 'a.png', (d) => inflateSync(d));
    expect(imported).toEqual({ text: '# From a.png\n{red|blue} hair\nSteps: 4, Sampler: Euler a, Seed: 1\n' });
    // A non-Latin-1 text goes into an iTXt chunk.
    expect(a1111Parameters(readPngText(withPngParameters(before, 'ねこ\nSteps: 4, Sampler: Euler a, Seed: 1'), (d) => inflateSync(d)))).toBe('ねこ\nSteps: 4, Sampler: Euler a, Seed: 1');
  });
});

describe('history entries', () => {
  const base: HistoryEntry = {
    id: 'a', document: 'file:///w/a.sdprompt', blockIndex: 0, line: 0, fingerprint: '0123456789abcdef', title: 'blue hair', seed: 1, width: 64,
    height: 64, steps: 4, sampler: 'Euler a', cfgScale: 5, renderMs: 12, created: '2026-11-25T10:00:00.000Z', infotext: 'blue hair\nSteps: 4', draft: false,
  };
  it('keep the template beside the expansion, and refuse a template that is not text', () => {
    const e = { ...base, prompt: 'blue hair', negativePrompt: '', template: '{red|blue} hair' };
    expect(parseHistory(serializeHistory([e]), new Set(['a.png']))).toEqual([e]);
    expect(parseHistory(JSON.stringify({ entries: [{ ...base, template: 3 }] }), new Set(['a.png']))).toEqual([]);
  });
  it('rebuilt from a PNG infotext get the template back', () => {
    const e = entryFromInfotext('20261125-100000-1-0', 'blue hair\nSteps: 4, Sampler: Euler a, Seed: 1, Size: 64x64, Template: {red|blue} hair');
    expect(e).toMatchObject({ prompt: 'blue hair', template: '{red|blue} hair', seed: 1 });
    expect(e?.negativeTemplate).toBeUndefined();
  });
});
