import { describe, expect, it } from 'vitest';
import type { CompletionItem, TextEdit } from 'vscode-languageserver';
import { complete as completeAt, resolveCompletion } from '../../server/features/completion';
import { atCursor, service } from './helpers';
import type { PromptService } from '../../core/service';

function complete(marked: string, svc: PromptService = service()) {
  const { analysis, position } = atCursor(marked);
  return completeAt(svc, analysis, position);
}
const labels = (marked: string, svc?: PromptService): string[] => complete(marked, svc).items.map((i) => i.label);
const item = (marked: string, label: string, svc?: PromptService): CompletionItem => {
  const found = complete(marked, svc).items.find((i) => i.label === label);
  if (!found) throw new Error(`no item ${label} for ${marked}`);
  return found;
};
const newText = (i: CompletionItem): string => (i.textEdit as TextEdit).newText;

describe('completion in a prompt', () => {
  it('offers card tags with their score range and meaning', () => {
    expect(labels('1boy, best qu|')).toContain('best quality');
    const best = item('1boy, best qu|', 'best quality');
    expect(best.detail).toBe('Quality tag · score >= 150');
    expect((best.documentation as { value: string }).value).toContain('score of >= 150');
    expect(best.textEdit).toEqual({ range: { start: { line: 0, character: 6 }, end: { line: 0, character: 13 } }, newText: 'best quality' });
  });

  it('explains rating tags by the rating they stand for', () => {
    const tag = item('1boy, very n|', 'very nsfw');
    expect(tag.detail).toBe('Rating tag · rating explicit');
    expect((tag.documentation as { value: string }).value).toContain('No rating tag means general');
  });

  it('does not offer a card tag already in the prompt', () => {
    expect(labels('best quality, 1boy, best |')).not.toContain('best quality');
    expect(labels('best quality, 1boy, best |')).toContain('best aesthetic');
  });

  it('offers year tags newest first', () => {
    const years = labels('1boy, year 20|').filter((l) => l.startsWith('year'));
    expect(years[0]).toBe('year 2023');
    expect(years[years.length - 1]).toBe('year 2005');
    expect(years).toHaveLength(19);
  });

  it('offers the quality suffix as one item', () => {
    const suffix = item('1boy, |', 'best quality, amazing quality, best aesthetic, absurdres');
    expect(suffix.detail).toBe('Quality suffix · AnimeBoysXL');
  });

  it('offers the negative presets and the flat add-on in the negative prompt only', () => {
    const negative = labels('1boy\nNegative prompt: |');
    expect(negative).toContain('lowres, (bad:1.05), text, error, missing, extra, fewer, cropped, jpeg artifacts, worst quality, bad quality, watermark, bad aesthetic, unfinished, chromatic aberration, scan, scan artifacts, 1girl, breasts');
    expect(negative).toContain('lowres, jpeg artifacts, worst quality, watermark, blurry, bad aesthetic, 1girl, breasts');
    expect(negative).toContain('realistic, lips, nose');
    expect(labels('1boy, |')).not.toContain('realistic, lips, nose');
  });

  it('offers dictionary tags by post count, with category, and escapes brackets on insert', () => {
    expect(labels('1boy, hai|').filter((l) => l.includes('hair'))).toEqual(['long hair', 'short hair', 'hair ornament', 'very long hair']);
    const fate = item('1boy, fate|', 'fate (series)');
    expect(fate.detail).toBe('copyright · 324k posts');
    expect(newText(fate)).toBe('fate \\(series\\)');
    // Typed with the escape, the editor's filter still keeps it.
    expect(item('1boy, fate \\(se|', 'fate (series)').filterText).toBe('fate \\(series\\)');
  });

  it('says which alias matched and keeps the item past the editor filter', () => {
    const longHair = item('1boy, longh|', 'long hair');
    expect(longHair.detail).toBe('general · 4.4M posts · alias longhair');
    expect(longHair.filterText).toBe('longh');
    expect(newText(longHair)).toBe('long hair');
  });

  it('documents a dictionary item when the editor resolves it', () => {
    const resolved = resolveCompletion(service(), item('1boy, longh|', 'long hair'));
    expect((resolved.documentation as { value: string }).value).toBe('**long_hair** — general, 4,350,743 posts\n\nYou typed the alias `longhair`.\n\nAliases: `/lh`, `longhair`');
  });

  it('keeps underscores when asked', () => {
    expect(newText(item('looking|', 'looking_at_viewer', service({ settings: { keepUnderscores: true } })))).toBe('looking_at_viewer');
  });

  it('replaces only the tag being typed, inside brackets and after BREAK', () => {
    const inside = item('1boy, (long h|:1.2)', 'long hair');
    expect(inside.textEdit).toEqual({ range: { start: { line: 0, character: 7 }, end: { line: 0, character: 13 } }, newText: 'long hair' });
    const afterBreak = item('1boy BREAK long h|', 'long hair');
    expect((afterBreak.textEdit as TextEdit).range.start.character).toBe(11);
  });

  it('offers tags used in the workspace, most used first', () => {
    const svc = service({ workspaceTags: new Map([['silver armor', 2], ['silver hair', 9]]) });
    expect(labels('1boy, silv|', svc)).toEqual(['silver hair', 'silver armor']);
    expect(item('1boy, silv|', 'silver hair', svc).detail).toBe('Used 9 times in this workspace');
  });

  it('offers nothing on a comment line', () => {
    expect(labels('# best qu|')).toEqual([]);
  });
});

describe('completion in the settings line', () => {
  it('offers a whole settings line with the card recommendations below a prompt', () => {
    const lines = labels('1boy, solo\nSte|').filter((l) => l.startsWith('Steps'));
    expect(lines).toEqual([
      'Steps: 28, Sampler: Euler a, CFG scale: 5, Seed: -1, Size: 832x1216',
      'Steps: 28, Sampler: Euler a, CFG scale: 5, Seed: -1, Size: 1024x1024',
      'Steps: 28, Sampler: Euler a, CFG scale: 5, Seed: -1, Size: 1216x832',
    ]);
    expect(labels('Ste|').filter((l) => l.startsWith('Steps'))).toEqual([]);
  });

  it('offers keys not yet on the line', () => {
    const keys = labels('1boy\nSteps: 28, S|');
    expect(keys).toContain('Sampler');
    expect(keys).not.toContain('Steps');
  });

  it('offers sampler names, the recommended one first', () => {
    const samplers = complete('1boy\nSteps: 28, Sampler: |').items;
    expect(samplers[0]).toMatchObject({ label: 'Euler a', detail: 'Recommended by the AnimeBoysXL card' });
    expect(samplers.map((s) => s.label)).toContain('DPM++ 2M Karras');
  });

  it('offers the trained sizes', () => {
    expect(labels('1boy\nSteps: 28, Size: |')).toEqual(['832x1216', '1024x1024', '1216x832']);
  });
});

describe('completion of extra networks', () => {
  it('offers LoRA names inside <lora:', () => {
    const svc = service({ loraNames: ['animeboy_style', 'lineart'] });
    expect(labels('1boy, <lora:|', svc)).toEqual(['animeboy_style', 'lineart']);
    expect(newText(item('1boy, <lora:an|', 'animeboy_style', svc))).toBe('animeboy_style:${1:1}>');
    expect(newText(item('1boy, <lora:an|:0.5>', 'animeboy_style', svc))).toBe('animeboy_style');
  });

  it('offers the network types, asking VS Code (only) to suggest again', () => {
    expect(item('1boy, <lo|', 'lora').command).toBeUndefined();
    expect(item('1boy, <lo|', 'lora', service({ vscodeCommands: true })).command).toEqual({ title: 'Suggest', command: 'editor.action.triggerSuggest' });
  });
});
