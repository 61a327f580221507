import { describe, expect, it } from 'vitest';
import { internSlice } from '../../../core/text/intern';

describe('internSlice', () => {
  it('gives one string object for the same characters, wherever they stand', () => {
    const src = 'black hair, smile, black hair, (black hair:1.2)';
    const first = internSlice(src, 0, 10);
    expect(first).toBe('black hair');
    const other = 'x, black hair';
    // The same object: a Map keyed by it never hashes a new copy.
    expect(Object.is(internSlice(other, 3, 13), first)).toBe(true);
    expect(internSlice(src, 12, 17)).toBe('smile');
  });

  it('tells apart texts that differ in one character or in length, and keeps working past its bound', () => {
    const src = Array.from({ length: 100_000 }, (_, i) => `tag${i}`).join(',');
    let at = 0;
    for (let i = 0; i < 100_000; i++) {
      const end = src.indexOf(',', at) < 0 ? src.length : src.indexOf(',', at);
      expect(internSlice(src, at, end)).toBe(`tag${i}`);
      at = end + 1;
    }
    expect(internSlice('tag1', 0, 3)).toBe('tag');
    expect(internSlice('', 0, 0)).toBe('');
  });

  it('returns long ranges as plain slices', () => {
    const long = 'a'.repeat(1000);
    expect(internSlice(long, 0, 1000)).toBe(long);
  });
});
