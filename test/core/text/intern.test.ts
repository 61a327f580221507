import { describe, expect, it } from 'vitest';
import { internAtom } from '../../../core/text/intern';

describe('internAtom', () => {
  it('gives one atom, and one string object, for the same characters wherever they stand', () => {
    const src = 'black hair, smile, black hair, (black hair:1.2)';
    const first = internAtom(src, 0, 10)!;
    expect(first.text).toBe('black hair');
    // The same objects: a cache keeps what it knows on the atom, and a Map keyed by the text never hashes a copy.
    expect(internAtom('x, black hair', 3, 13)).toBe(first);
    expect(Object.is(internAtom(src, 32, 42)!.text, first.text)).toBe(true);
    expect(internAtom(src, 12, 17)!.text).toBe('smile');
  });

  it('tells apart texts that differ in one character or in length, and keeps working past its bound', () => {
    const src = Array.from({ length: 100_000 }, (_, i) => `tag${i}`).join(',');
    let at = 0;
    for (let i = 0; i < 100_000; i++) {
      const comma = src.indexOf(',', at);
      const end = comma < 0 ? src.length : comma;
      expect(internAtom(src, at, end)!.text).toBe(`tag${i}`);
      at = end + 1;
    }
    expect(internAtom('tag1', 0, 3)!.text).toBe('tag');
  });

  it('has no atom for an empty or a long range', () => {
    expect(internAtom('abc', 1, 1)).toBeUndefined();
    expect(internAtom('a'.repeat(1000), 0, 1000)).toBeUndefined();
    expect(internAtom('a'.repeat(1000), 0, 256)!.text).toBe('a'.repeat(256));
  });
});
