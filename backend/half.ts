// IEEE 754 half-precision conversion: ONNX Runtime on Node 20 takes and gives float16 tensors as Uint16Array bits.

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The float16 bit pattern nearest to `value` (round half to even), as ONNX Runtime and numpy round. */
export function toHalfBits(value: number): number {
  f32[0] = value;
  return halfOfBits(u32[0]!);
}

/** toHalfBits of the float32 whose bits are `x`. */
function halfOfBits(x: number): number {
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0); // inf / NaN
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00; // overflow to infinity
  if (e <= 0) {
    if (e < -10) return sign; // underflows to zero
    mant |= 0x800000; // make the implicit bit explicit, then shift into the subnormal range
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    const rest = mant & ((1 << shift) - 1);
    let out = mant >>> shift;
    if (rest > half || (rest === half && (out & 1))) out++;
    return sign | out;
  }
  let out = (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (out & 1))) out++; // may carry into the exponent: still correct
  return sign | out;
}

export function fromHalfBits(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >>> 10) & 0x1f;
  const mant = bits & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/**
 * Bulk float32 -> float16 on the bit patterns (F. Giesen's round-to-nearest-even method): normal results get
 * the exponent rebiased and a rounding bias added before the shift; the rare subnormal, infinite and NaN
 * results take toHalfBits.
 */
export function floatsToHalf(values: ArrayLike<number>): Uint16Array {
  const floats = values instanceof Float32Array ? values : Float32Array.from(values);
  return floatsToHalfInto(floats, new Uint16Array(floats.length));
}

/** floatsToHalf into `out` (at least as long as `floats`), for buffers reused from step to step; returns `out`. */
export function floatsToHalfInto(floats: Float32Array, out: Uint16Array): Uint16Array {
  const bits = new Uint32Array(floats.buffer, floats.byteOffset, floats.length);
  for (let i = 0; i < bits.length; i++) out[i] = halfOfFloatBits(bits[i]!);
  return out;
}

/**
 * The float16 bits of the float32 whose bits are `x` (small enough for V8 to inline in loops; it reads no float, which
 * cost a third of the loop when every element's value was loaded for the rare slow path).
 */
export function halfOfFloatBits(x: number): number {
  const abs = x & 0x7fffffff;
  // 2^-14 <= |x| < 2^16: a normal half, or a carry into infinity for the largest values (still correct).
  if (abs >= 0x38800000 && abs < 0x47800000) return ((x >>> 16) & 0x8000) | ((abs + 0xc8000fff + ((abs >>> 13) & 1)) >>> 13) & 0x7fff;
  return halfOfBits(x);
}

let HALF_TABLE: Float32Array | undefined;

/** The value of every float16 bit pattern (65,536 entries, built on first use): `halfTable()[bits]` is its float. */
export function halfTable(): Float32Array {
  if (!HALF_TABLE) {
    HALF_TABLE = new Float32Array(0x10000);
    for (let b = 0; b < 0x10000; b++) HALF_TABLE[b] = fromHalfBits(b);
  }
  return HALF_TABLE;
}

/** Bulk float16 -> float32 through the table. */
export function halfToFloats(bits: Uint16Array): Float32Array {
  const table = halfTable();
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = table[bits[i]!]!;
  return out;
}
