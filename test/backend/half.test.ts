// float16 conversion, checked against bit patterns from the IEEE 754 binary16 definition.
import { describe, expect, it } from 'vitest';
import { fromHalfBits, halfToFloats, toHalfBits } from '../../backend/half';
import { timestepTensor } from '../../backend/pipeline';

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

describe('the UNet timestep in the export\'s type (pipeline.timestepTensor)', () => {
  it('float32 and float16 carry the fractional t, int64 the nearest integer; a scalar or one per batch entry', () => {
    const f32 = timestepTensor('float32', 0, 3, 499.25);
    expect([f32.type, f32.dims, Array.from(f32.data as Float32Array)]).toEqual(['float32', [], [499.25]]);
    // 499.25 is a float16 value (11 significant bits: 499.25 = 1997 / 4)
    const f16 = timestepTensor('float16', 1, 2, 499.25);
    expect([f16.type, f16.dims, Array.from(halfToFloats(f16.data as Uint16Array))]).toEqual(['float16', [2], [499.25, 499.25]]);
    const i64 = timestepTensor('int64', 1, 2, 499.6);
    expect([i64.type, i64.dims, Array.from(i64.data as BigInt64Array)]).toEqual(['int64', [2], [500n, 500n]]);
    expect(Array.from(timestepTensor('int64', 1, 1, 333.4999).data as BigInt64Array)).toEqual([333n]);
  });
});
