// Code actions through the language service, in offsets: each case applies the action titled so at the `|`
// and asserts the text that results, the `|` where the cursor ends (after the last edit), as
// css-languageservice's tests do (`resultText`).
import { describe, expect, it } from 'vitest';
import { tagWithSeparator, type PromptCodeAction, type PromptService } from '../../../core/service';
import { atCursor, resultText, service } from '../../server/helpers';

function actionsAt(marked: string, svc: PromptService = service(), marker = '|'): { text: string; actions: PromptCodeAction[] } {
  const { text, offset } = atCursor(marked, undefined, marker);
  return { text, actions: svc.codeActions(text, offset, offset) };
}

const titles = (marked: string, svc?: PromptService): string[] => actionsAt(marked, svc).actions.map((a) => a.title);

/** The text after applying the action titled `title` at the cursor. */
function applyAction(marked: string, title: string, svc?: PromptService, marker?: string): string {
  const { text, actions } = actionsAt(marked, svc, marker);
  const found = actions.find((a) => a.title === title);
  if (!found) throw new Error(`no action '${title}'; have ${actions.map((a) => a.title).join(' | ')}`);
  return resultText(text, found.edits);
}

describe('quick fixes of diagnostics', () => {
  it('replaces a misspelt card tag', () => {
    expect(applyAction('1boy, best qualty|', "Replace 'best qualty' with 'best quality'")).toBe('1boy, best quality|');
    expect(applyAction('1boy, best qual|ty', "Replace 'best qualty' with 'best quality'")).toBe('1boy, best quality|');
  });

  it('is a preferred quick fix that names the diagnostic it fixes', () => {
    const fix = actionsAt('1boy, best qualty|').actions.find((a) => a.title.startsWith('Replace'));
    expect(fix).toMatchObject({ kind: 'quickfix', isPreferred: true, diagnostic: { code: 'near-miss', start: 6, end: 17 } });
  });

  it('removes a duplicate with one separator, and the losing tag of a conflicting pair', () => {
    expect(applyAction('1boy, solo, 1bo|y', "Remove '1boy'")).toBe('1boy, solo|');
    expect(applyAction('best quality, wor|st quality, 1boy', "Remove 'worst quality'")).toBe('best quality, |1boy');
  });

  it('fixes a size to the nearest trained size', () => {
    expect(applyAction('1boy\nSteps: 28, Size: 83|3x1216', 'Use the trained size 832x1216')).toBe('1boy\nSteps: 28, Size: 832x1216|');
    expect(applyAction('1boy\nSteps: 28, Size: 10|24x1032', 'Use the trained size 1024x1024')).toBe('1boy\nSteps: 28, Size: 1024x1024|');
  });

  it('inserts BREAK before a straddling tag', () => {
    const words = Array.from({ length: 78 }, () => 'x').join(' ');
    expect(applyAction(`1boy, |${words}`, `Insert BREAK before '${words}'`)).toBe(`1boy, BREAK |${words}`);
  });

  it('offers only the fixes of diagnostics that touch the range', () => {
    expect(titles('1boy|, solo, 1boy, best qualty').filter((t) => t.startsWith('Replace') || t.startsWith('Remove'))).toEqual([]);
    const { text, offset } = atCursor('1boy|, solo, 1boy, best qualty');
    const all = service().codeActions(text, offset, text.length).map((a) => a.title);
    expect(all).toContain("Remove '1boy'");
    expect(all).toContain("Replace 'best qualty' with 'best quality'");
  });
});

describe('refactorings at the cursor', () => {
  it('inserts a negative preset, creating the Negative prompt line when missing', () => {
    expect(applyAction('1boy, so|lo\nSteps: 28', 'Insert the light negative preset (adds a Negative prompt: line)')).toBe(
      '1boy, solo\nNegative prompt: lowres, jpeg artifacts, worst quality, watermark, blurry, bad aesthetic, 1girl, breasts|\nSteps: 28',
    );
    expect(applyAction('1boy|\nNegative prompt: nsfw', 'Insert the light negative preset')).toBe(
      '1boy\nNegative prompt: nsfw, lowres, jpeg artifacts, worst quality, watermark, blurry, bad aesthetic, 1girl, breasts|',
    );
    expect(applyAction('1boy|\r\nSteps: 28', 'Insert the light negative preset (adds a Negative prompt: line)')).toMatch(/^1boy\r\nNegative prompt: lowres, .*breasts\|\r\nSteps: 28$/);
  });

  it('appends the quality suffix, without the tags already there', () => {
    expect(applyAction('1boy, so|lo', 'Append the quality suffix')).toBe('1boy, solo, best quality, amazing quality, best aesthetic, absurdres|');
    expect(applyAction('1boy, best quality,| ', 'Append the quality suffix')).toBe('1boy, best quality, amazing quality, best aesthetic, absurdres| ');
    expect(titles('1boy, best quality, amazing quality, best aesthetic, absurd|res')).not.toContain('Append the quality suffix');
    expect(titles('1boy\nNegative prompt: low|res')).not.toContain('Append the quality suffix');
  });

  it('rewrites ((x)) as (x:1.21) and back', () => {
    expect(applyAction('1boy, ((sm|ile))', 'Write as (…:1.21)')).toBe('1boy, (smile:1.21)|');
    expect(applyAction('1boy, (sm|ile:1.21)', 'Write as ((…))')).toBe('1boy, ((smile))|');
    expect(applyAction('[[sm|ile]]', 'Write as (…:0.8264)')).toBe('(smile:0.8264)|');
    expect(applyAction('(sm|ile:0.9091)', 'Write as […]')).toBe('[smile]|');
    expect(titles('(sm|ile:1.3)').filter((t) => t.startsWith('Write as'))).toEqual([]);
    expect(actionsAt('1boy, ((sm|ile))').actions.find((a) => a.title.startsWith('Write as'))?.kind).toBe('refactor.rewrite');
  });

  it("reads the weight as A1111 does (Python's float()): spaces around it, digits of any script", () => {
    expect(applyAction('(sm|ile: 1.21 )', 'Write as ((…))')).toBe('((smile))|');
    // float('１.２１') is 1.21 in Python, and A1111's weight pattern takes any Unicode digit.
    expect(applyAction('(sm|ile:１.２１)', 'Write as ((…))')).toBe('((smile))|');
  });

  it('escapes the brackets of a tag name', () => {
    expect(applyAction('1boy, fate (ser|ies)', 'Escape the brackets: \\(series\\)')).toBe('1boy, fate \\(series\\)|');
    expect(titles('1boy, (ser|ies)').some((t) => t.startsWith('Escape'))).toBe(false);
    expect(titles('1boy, fate (ser|ies:1.2)').some((t) => t.startsWith('Escape'))).toBe(false);
  });

  it('applies the block’s styles as A1111 does, and removes the entry', () => {
    const styles = new Map([
      ['anime', { name: 'anime', prompt: '{prompt}, anime screencap', negativePrompt: '', line: 2 }],
      ['quality', { name: 'quality', prompt: 'best quality, amazing quality', negativePrompt: 'lowres, worst quality', line: 3 }],
    ]);
    const svc = service({ styles });
    const block = '1boy, solo\nNegative prompt: text\nSteps: 28, Sty|les: "anime, quality", Seed: 1';
    const action = actionsAt(block, svc).actions.find((a) => a.title.startsWith('Apply styles'));
    expect(action).toMatchObject({ title: "Apply styles 'anime', 'quality' to this block", kind: 'refactor.inline' });
    expect(applyAction(block, "Apply styles 'anime', 'quality' to this block", svc)).toBe(
      '1boy, solo, anime screencap, best quality, amazing quality\nNegative prompt: text, lowres, worst quality\nSteps: 28|, Seed: 1',
    );
    expect(applyAction('1boy|\nSteps: 28, Styles: quality', "Apply styles 'quality' to this block", svc)).toBe('1boy, best quality, amazing quality\nNegative prompt: lowres, worst quality\nSteps: 28|');
  });
});

describe('tagWithSeparator', () => {
  it('takes the comma after a tag, else the one before it', () => {
    const text = 'a, b, c';
    expect(tagWithSeparator(text, 3, 4)).toEqual([3, 6]);
    expect(tagWithSeparator(text, 6, 7)).toEqual([4, 7]);
    expect(tagWithSeparator('a', 0, 1)).toEqual([0, 1]);
  });
});
