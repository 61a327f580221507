import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parsePromptAttention } from '../../core/attention';
import { formatText } from '../../core/format';
import { parseDocument } from '../../core/parse';

// What CLIP makes of a run of text: its pre-tokens after whitespace clean-up and lower-casing.
const PRE_TOKEN = /'s|'t|'re|'ve|'m|'ll|'d|\p{L}+|\p{N}|[^\s\p{L}\p{N}]+/giu;
const clipPieces = (text: string): string[] => text.toLowerCase().match(PRE_TOKEN) ?? [];

/** What A1111 encodes for each prompt of a document: per run, its weight and CLIP's pre-tokens. Blocks of
 * nothing but whitespace are nothing to A1111, whether or not the parser keeps them. */
function encoded(text: string): unknown[] {
  return parseDocument(text)
    .blocks.map((b) => [b.prompt, b.negative].map((s) => (s ? parsePromptAttention(s.text).map(([t, w]) => [w, clipPieces(t)]) : null)))
    .filter((sections) => JSON.stringify(sections) !== JSON.stringify([[[1, []]], null]));
}

describe('formatting', () => {
  it('puts one space after each comma and trims trailing whitespace', () => {
    expect(formatText('1boy,solo ,  black hair,\tsmile   \nNegative prompt: lowres,text  \nSteps: 28,Sampler: Euler a')).toBe(
      '1boy, solo , black hair, smile\nNegative prompt: lowres, text\nSteps: 28, Sampler: Euler a',
    );
  });

  it('changes nothing else', () => {
    const text = '# comment\n(best quality:1.2), [x], \\(y\\), <lora:a,b:1>, a,.b\r\n---\nBREAK, year 2023';
    expect(formatText(text)).toBe('# comment\n(best quality:1.2), [x], \\(y\\), <lora:a,b:1>, a,.b\r\n---\nBREAK, year 2023');
    expect(formatText('a, b')).toBe('a, b');
  });

  it('leaves what A1111 encodes unchanged, for any prompt (property)', () => {
    const piece = fc.constantFrom('1boy', 'best quality', 'a', 'B', '7', ',', ',', ' ', '  ', '\t', '\n', '(', ')', '[', ']', ':1.2', ':', '\\(', '\\)', '\\', 'BREAK', '<lora:x:0.8>', '.', '|', '#', '---', 'Negative prompt:', 'Steps: 28', '\u00a0', "'s");
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }), (pieces) => {
        const text = pieces.join('');
        const formatted = formatText(text);
        expect(encoded(formatted)).toEqual(encoded(text));
        expect(formatText(formatted)).toBe(formatted);
      }),
      { numRuns: 3000 },
    );
  });
});
