// float16 conversion, checked against bit patterns from the IEEE 754 binary16 definition.
import { describe, expect, it } from 'vitest';
import { fromHalfBits, toHalfBits } from '../../backend/half';

describe('float16', () => {
  it('encodes known values', () => {
    // 1 = 0 01111 0000000000; -2 = 1 10000 0...; 65504 = max normal; 2^-24 = smallest subnormal
    expect(toHalfBits(1)).toBe(0x3c00);
    expect(toHalfBits(-2)).toBe(0xc000);
    expect(toHalfBits(65504)).toBe(0x7bff);
    expect(toHalfBits(2 ** -24)).toBe(0x0001);
    expect(toHalfBits(1e6)).toBe(0x7c00);
    expect(toHalfBits(0.1)).toBe(0x2e66); // 0.1 rounds to 0.0999755859375
  });
  it('rounds half to even', () => {
    // between 1 (0x3c00) and 1 + 2^-10 (0x3c01): the halfway point goes to the even 0x3c00,
    // between 0x3c01 and 0x3c02 it goes to 0x3c02.
    expect(toHalfBits(1 + 2 ** -11)).toBe(0x3c00);
    expect(toHalfBits(1 + 3 * 2 ** -11)).toBe(0x3c02);
  });
  it('decodes every finite pattern back to itself', () => {
    for (let bits = 0; bits < 0x10000; bits++) {
      if ((bits & 0x7c00) === 0x7c00) continue;
      expect(toHalfBits(fromHalfBits(bits))).toBe(bits);
    }
  });
});
