// A1111's styles.csv and merge_prompts, with expectations worked out from modules/styles.py.
import { describe, expect, it } from 'vitest';
import { applyStyles, mergeStyle, parseStylesCsv } from '../../core/a1111/styles';

const CSV = '\ufeffname,prompt,negative_prompt\n' +
  'anime,"{prompt}, anime screencap",lowres\n' +
  'quality,"best quality, amazing quality","worst quality, bad quality"\n' +
  '"multi\nline", x,\n' +
  'anime,"{prompt}, anime coloring",\n';

describe('styles.csv', () => {
  it('reads rows by header name; a repeated name replaces the earlier row; lines are counted across quoted newlines', () => {
    const file = parseStylesCsv(CSV);
    expect(file.problems).toEqual([]);
    expect([...file.styles.keys()]).toEqual(['anime', 'quality', 'multi\nline']);
    expect(file.styles.get('anime')).toEqual({ name: 'anime', prompt: '{prompt}, anime coloring', negativePrompt: '', line: 6 });
    expect(file.styles.get('quality')!.negativePrompt).toBe('worst quality, bad quality');
    // skipinitialspace: " x" is "x"
    expect(file.styles.get('multi\nline')!.prompt).toBe('x');
  });

  it('reads the old name,text format and says when the header has neither', () => {
    expect(parseStylesCsv('name,text\nold,1boy\n').styles.get('old')!.prompt).toBe('1boy');
    expect(parseStylesCsv('a,b\n1,2\n').problems).toEqual([{ line: 1, message: 'the header has no "name" and "prompt" columns' }]);
  });
});

describe('merge_prompts', () => {
  it('puts the prompt at {prompt}, every occurrence', () => {
    expect(mergeStyle('{prompt}, anime screencap', '1boy')).toBe('1boy, anime screencap');
    expect(mergeStyle('({prompt}) {prompt}', 'a')).toBe('(a) a');
  });

  it('joins after the prompt with ", ", stripped, dropping empty sides', () => {
    expect(mergeStyle(' best quality ', ' 1boy ')).toBe('1boy, best quality');
    expect(mergeStyle('best quality', '   ')).toBe('best quality');
    expect(mergeStyle('', '1boy ')).toBe('1boy');
  });

  it('applies styles in order; negative prompts use the negative column; unknown styles strip the prompt', () => {
    const { styles } = parseStylesCsv(CSV);
    expect(applyStyles('1boy', ['quality', 'anime'], styles)).toBe('1boy, best quality, amazing quality, anime coloring');
    expect(applyStyles('text', ['quality'], styles, true)).toBe('text, worst quality, bad quality');
    expect(applyStyles(' 1boy ', ['nope'], styles)).toBe('1boy');
  });
});
