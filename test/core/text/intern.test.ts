import { describe, expect, it } from 'vitest';
import { addAtom, findAtom } from '../../../core/text/intern';

/** findAtom, else a new atom. */
const atom = (src: string, start: number, end: number, text?: string) => findAtom(src, start, end) ?? addAtom(src, start, end, text);

describe('findAtom / addAtom', () => {
  it('give one atom, and one string object, for the same characters wherever they stand', () => {
    const src = 'black hair, smile, black hair, (black hair:1.2)';
    const first = atom(src, 0, 10)!;
    expect([first.key, first.text]).toEqual(['black hair', 'black hair']);
    // The same objects: a cache keeps what it knows on the atom, and a Map keyed by the text never hashes a copy.
    expect(findAtom('x, black hair', 3, 13)).toBe(first);
    expect(Object.is(atom(src, 32, 42)!.text, first.text)).toBe(true);
    expect(atom(src, 12, 17)!.text).toBe('smile');
  });

  it('keep the text an atom was added with, found by its characters', () => {
    const src = 'reeh \\(yukuri\\)';
    const escaped = addAtom(src, 0, src.length, 'reeh (yukuri)')!;
    expect(findAtom(`a, ${src}`, 3, 3 + src.length)).toBe(escaped);
    expect([escaped.key, escaped.text]).toEqual([src, 'reeh (yukuri)']);
  });

  it('tell apart texts that differ in one character or in length, and keep working past their bound', () => {
    const src = Array.from({ length: 100_000 }, (_, i) => `tag${i}`).join(',');
    let at = 0;
    for (let i = 0; i < 100_000; i++) {
      const comma = src.indexOf(',', at);
      const end = comma < 0 ? src.length : comma;
      expect(atom(src, at, end)!.text).toBe(`tag${i}`);
      at = end + 1;
    }
    expect(atom('tag1', 0, 3)!.text).toBe('tag');
  });

  it('have no atom for an empty or a long range', () => {
    expect(atom('abc', 1, 1)).toBeUndefined();
    expect(atom('a'.repeat(1000), 0, 1000)).toBeUndefined();
    expect(atom('a'.repeat(1000), 0, 256)!.text).toBe('a'.repeat(256));
  });
});
