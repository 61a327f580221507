// Block commands: the block under the cursor as A1111 infotext, and where negative presets go.
// Expected texts are written by hand from A1111's infotext layout (prompt, "Negative prompt: …", settings line).
import { describe, expect, it } from 'vitest';
import { blockAt, blockInfotext, negativePresetEdit, type PresetChoice } from '../../core/edit/blocks';
import { parseDocument } from '../../core/parse';

const HEAVY = 'lowres, (bad:1.05), text, error, missing, extra, fewer, cropped, jpeg artifacts, worst quality, bad quality, watermark, bad aesthetic, unfinished, chromatic aberration, scan, scan artifacts, 1girl, breasts';
const LIGHT = 'lowres, jpeg artifacts, worst quality, watermark, blurry, bad aesthetic, 1girl, breasts';
const heavy: PresetChoice = { text: HEAVY, kind: 'preset' };
const light: PresetChoice = { text: LIGHT, kind: 'preset' };
const flat: PresetChoice = { text: 'realistic, lips, nose', kind: 'add-on' };

/** Applies the preset at the `|` marker and returns the new text (or the message). */
function insert(marked: string, choice: PresetChoice): string {
  const offset = marked.indexOf('|');
  const text = marked.replace('|', '');
  const result = negativePresetEdit(text, offset, choice, [HEAVY, LIGHT]);
  if ('message' in result) return `message: ${result.message}`;
  const { start, end, text: insertText } = result.edit;
  return text.slice(0, start) + insertText + text.slice(end);
}

const TWO_BLOCKS = [
  '# portrait',
  '1boy, solo,',
  '  black hair',
  'Negative prompt: lowres, text',
  'Steps: 28, Sampler: Euler a, CFG scale: 5, Seed: 42, Size: 832x1216, Model: AnimeBoysXL',
  '---',
  '2boys, smile',
  '',
].join('\n');

describe('blockInfotext', () => {
  it('writes prompt, negative prompt and settings line, without comments', () => {
    const doc = parseDocument(TWO_BLOCKS);
    expect(blockInfotext(doc, blockAt(doc, 20)!)).toBe(
      '1boy, solo,\n  black hair\nNegative prompt: lowres, text\nSteps: 28, Sampler: Euler a, CFG scale: 5, Seed: 42, Size: 832x1216, Model: AnimeBoysXL',
    );
  });

  it('writes only the prompt for a block without negative prompt or settings', () => {
    const doc = parseDocument(TWO_BLOCKS);
    expect(blockInfotext(doc, blockAt(doc, TWO_BLOCKS.indexOf('2boys') + 2)!)).toBe('2boys, smile');
  });

  it('takes the block before a separator when the cursor is on it', () => {
    const doc = parseDocument(TWO_BLOCKS);
    expect(blockAt(doc, TWO_BLOCKS.indexOf('---') + 1)?.index).toBe(0);
  });
});

describe('negativePresetEdit', () => {
  it('creates the Negative prompt line after the prompt, before the settings line', () => {
    expect(insert('1boy, sm|ile\nSteps: 28, Sampler: Euler a, Size: 832x1216', heavy)).toBe(
      `1boy, smile\nNegative prompt: ${HEAVY}\nSteps: 28, Sampler: Euler a, Size: 832x1216`,
    );
  });

  it('fills an empty negative prompt', () => {
    expect(insert('1boy|\nNegative prompt:\nSteps: 28, Sampler: Euler a, Size: 832x1216', light)).toBe(
      `1boy\nNegative prompt: ${LIGHT}\nSteps: 28, Sampler: Euler a, Size: 832x1216`,
    );
  });

  it('switches one preset for the other', () => {
    expect(insert(`1boy|\nNegative prompt: ${LIGHT}\nSteps: 28`, heavy)).toBe(`1boy\nNegative prompt: ${HEAVY}\nSteps: 28`);
  });

  it('appends a preset to a negative prompt of the user own, and the flat add-on to any', () => {
    expect(insert('1boy|\nNegative prompt: my tags', light)).toBe(`1boy\nNegative prompt: my tags, ${LIGHT}`);
    expect(insert(`1boy|\nNegative prompt: ${HEAVY}\n# note\nSteps: 28`, flat)).toBe(
      `1boy\nNegative prompt: ${HEAVY}, realistic, lips, nose\n# note\nSteps: 28`,
    );
    expect(insert('1boy|\nNegative prompt: a,\n', flat)).toBe('1boy\nNegative prompt: a, realistic, lips, nose\n');
  });

  it('says so when the negative prompt already has it', () => {
    expect(insert(`1boy|\nNegative prompt: ${HEAVY}, realistic,  lips, nose`, flat)).toBe('message: The negative prompt already has it.');
  });

  it('acts on the block under the cursor and keeps CRLF line ends', () => {
    const text = '1boy\r\nNegative prompt: x\r\n---\r\n2boys|\r\nSteps: 28, Sampler: Euler a, Size: 1024x1024\r\n';
    expect(insert(text, light)).toBe(
      `1boy\r\nNegative prompt: x\r\n---\r\n2boys\r\nNegative prompt: ${LIGHT}\r\nSteps: 28, Sampler: Euler a, Size: 1024x1024\r\n`,
    );
  });

  it('writes a Negative prompt line into an empty document', () => {
    expect(insert('|', light)).toBe(`Negative prompt: ${LIGHT}`);
  });
});
