// Ctrl+Up / Ctrl+Down as A1111's javascript/edit-attention.js behaves. Each case is written by hand from that
// behaviour: `|` marks the cursor, `[` `]` a selection (the markers are not part of the text).
import { describe, expect, it } from 'vitest';
import { A1111_WORD_DELIMITERS, changeEmphasis, type EmphasisOptions } from '../../core/edit/emphasis';

/** Applies the command to marked text and returns the result with the selection marked the same way. */
function press(marked: string, options: Partial<EmphasisOptions> & { direction: 1 | -1 }): string {
  let text = marked;
  let start: number;
  let end: number;
  if (text.includes('|')) {
    start = end = text.indexOf('|');
    text = text.replace('|', '');
  } else {
    start = text.indexOf('[');
    text = text.replace('[', '');
    end = text.indexOf(']');
    text = text.replace(']', '');
  }
  const edit = changeEmphasis(text, { start, end }, options);
  if (!edit) return 'unchanged';
  const { start: s, end: e } = edit.selection;
  return `${edit.text.slice(0, s)}[${edit.text.slice(s, e)}]${edit.text.slice(e)}`;
}
const up = { direction: 1 } as const;
const down = { direction: -1 } as const;

describe('changeEmphasis', () => {
  it('wraps the tag under the cursor as (tag:1.1), then steps to 1.2', () => {
    expect(press('1boy, smi|le, solo', up)).toBe('1boy, ([smile]:1.1), solo');
    expect(press('1boy, (smi|le:1.1), solo', up)).toBe('1boy, ([smile]:1.2), solo');
  });

  it('lowers a plain tag to 0.9', () => {
    expect(press('1boy, smi|le, solo', down)).toBe('1boy, ([smile]:0.9), solo');
  });

  it('drops the brackets when the weight comes back to 1', () => {
    expect(press('1boy, (smi|le:1.1), solo', down)).toBe('1boy, [smile], solo');
    expect(press('(smile:0.9|)', up)).toBe('[smile]');
  });

  it('keeps a multi-word tag together; A1111 word delimiters pick one word', () => {
    expect(press('1boy, looking at vie|wer, solo', up)).toBe('1boy, ([looking at viewer]:1.1), solo');
    expect(press('1boy, looking at vie|wer, solo', { ...up, delimiters: A1111_WORD_DELIMITERS })).toBe(
      '1boy, looking at ([viewer]:1.1), solo',
    );
  });

  it('works on a selection, leaving out its trailing spaces', () => {
    expect(press('[looking at ]viewer', up)).toBe('([looking at]:1.1) viewer');
    expect(press('([looking at viewer]:1.3)', up)).toBe('([looking at viewer]:1.4)');
    // A selection that does not start right after `(` gets brackets of its own.
    expect(press('(looking at [viewer]:1.3)', up)).toBe('(looking at ([viewer]:1.1):1.3)');
  });

  it('writes weights with twelve significant digits, as A1111: 0.7 + 0.1 is 0.8, 1.9 + 0.1 is 2.0', () => {
    expect(press('(a|:0.7)', up)).toBe('([a]:0.8)');
    expect(press('(a|:1.9)', up)).toBe('([a]:2.0)');
    expect(press('(a|:0.1)', down)).toBe('([a]:0.0)');
  });

  it('uses the configured step', () => {
    expect(press('sm|ile', { ...up, step: 0.05 })).toBe('([smile]:1.05)');
    expect(press('(smile:1.05|)', { ...down, step: 0.05 })).toBe('[smile]');
  });

  it('steps extra networks by 0.05 and keeps their brackets at 1', () => {
    expect(press('a, <lora:fo|o:0.8>, b', up)).toBe('a, <[lora:foo]:0.85>, b');
    expect(press('<lora:foo:0.8|>', down)).toBe('<[lora:foo]:0.75>');
    expect(press('<lora:foo:0.9|5>', up)).toBe('<[lora:foo]:1.0>');
  });

  it('picks the whole bracket block around the cursor, skipping nested blocks', () => {
    expect(press('((a:1.2), |b:1.1)', up)).toBe('([(a:1.2), b]:1.2)');
  });

  it('changes nothing where A1111 changes nothing', () => {
    // `(x)` has no weight to step.
    expect(press('(smi|le)', up)).toBe('unchanged');
    // Only spaces under the cursor.
    expect(press('a, | , b', up)).toBe('unchanged');
    expect(press('|', up)).toBe('unchanged');
  });

  it('leaves text after the block alone', () => {
    expect(press('(a|:1.5), (b:1.5)', down)).toBe('([a]:1.4), (b:1.5)');
    expect(press('first line\n(sec|ond:1.1)\nthird', down)).toBe('first line\n[second]\nthird');
  });
});
