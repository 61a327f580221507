// Seeded noise: the NV (Philox) source checked bit for bit against values derived from the Philox 4x32-10
// definition and its published constants; the CPU (mt19937) source against published reference outputs.
import { describe, expect, it } from 'vitest';
import { philox4x32, philoxImplementation, PhiloxGenerator } from '../../backend/rng/philox';
import { Mt19937, torchCpuRandn } from '../../backend/rng/mt19937';
import { ImageNoise } from '../../backend/rng/noise';

// Philox 4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC 2011), written here with
// BigInt straight from the definition: multipliers M0 = 0xD2511F53, M1 = 0xCD9E8D57; Weyl key increments
// W0 = 0x9E3779B9 (golden ratio), W1 = 0xBB67AE85 (sqrt 3 - 1). One round:
//   (hi0, lo0) = M0 * c0, (hi1, lo1) = M1 * c2
//   c' = (hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0); the key is bumped by (W0, W1) between rounds.
function philoxReference(counter: bigint[], key: bigint[]): bigint[] {
  const mask = 0xffffffffn;
  let [c0, c1, c2, c3] = counter as [bigint, bigint, bigint, bigint];
  let [k0, k1] = key as [bigint, bigint];
  for (let r = 0; r < 10; r++) {
    if (r > 0) [k0, k1] = [(k0 + 0x9e3779b9n) & mask, (k1 + 0xbb67ae85n) & mask];
    const p0 = 0xd2511f53n * c0, p1 = 0xcd9e8d57n * c2;
    [c0, c1, c2, c3] = [((p1 >> 32n) ^ c1 ^ k0) & mask, p1 & mask, ((p0 >> 32n) ^ c3 ^ k1) & mask, p0 & mask];
  }
  return [c0, c1, c2, c3];
}

// A1111's randn for value i of call `offset` with seed s: counter (offset, 0, i, 0), key (s low, s high);
// the first two output words u32a, u32b go through Box–Muller, computed in float64 (numpy promotes the uint32
// words times the float32 constants to float64) and rounded to float32 at the end:
//   u = a * 2.3283064e-10f + 2.3283064e-10f / 2, v = b * (2.3283064e-10 * 6.2831855)f + that / 2
//   n = sqrt(-2 ln u) sin v
function a1111Normal(seed: bigint, offset: number, i: number): number {
  const [a, b] = philoxReference([BigInt(offset), 0n, BigInt(i), 0n], [seed & 0xffffffffn, seed >> 32n]);
  const k = Math.fround(2.3283064e-10), k2 = Math.fround(2.3283064e-10 * 6.2831855);
  const u = Number(a) * k + k / 2, v = Number(b) * k2 + k2 / 2;
  return Math.fround(Math.sqrt(-2 * Math.log(u)) * Math.sin(v));
}

describe('Philox 4x32-10', () => {
  it('matches the Random123 known-answer vectors', () => {
    const hex = (w: Uint32Array) => Array.from(w, (x) => x.toString(16).padStart(8, '0'));
    expect(hex(philox4x32(0, 0, 0, 0, 0, 0))).toEqual(['6627e8d5', 'e169c58d', 'bc57ac4c', '9b00dbd8']);
    const f = 0xffffffff;
    expect(hex(philox4x32(f, f, f, f, f, f))).toEqual(['408f276d', '41c83b0e', 'a20bc7c6', '6d5451fd']);
    expect(hex(philox4x32(0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0))).toEqual(['d16cfe09', '94fdcceb', '5001e420', '24126ea1']);
  });
  it('agrees with the BigInt reference on arbitrary words', () => {
    for (const [c, k] of [[[1, 2, 3, 4], [5, 6]], [[0xdeadbeef, 0, 0x7fffffff, 9], [0x12345678, 0x9abcdef0]]] as const) {
      const ours = Array.from(philox4x32(c[0], c[1], c[2], c[3], k[0], k[1])).map(BigInt);
      expect(ours).toEqual(philoxReference(c.map(BigInt), k.map(BigInt)));
    }
  });
});

describe('NV noise (A1111 rng_philox.py)', () => {
  it('is bit-exact for all 65,536 values of a 1024x1024 latent, first and second draw', () => {
    const g = new PhiloxGenerator(42);
    for (const offset of [0, 1]) {
      const ours = g.randn(65536);
      let exact = 0;
      for (let i = 0; i < 65536; i++) if (Object.is(ours[i], a1111Normal(42n, offset, i))) exact++;
      expect(exact).toBe(65536);
    }
  });
  it('gives the same values from the WebAssembly counters and the JavaScript ones', () => {
    expect(philoxImplementation()).toBe('wasm');
    const g = new PhiloxGenerator(2 ** 40 + 12345);
    const wasm = g.randn(4096);
    expect(Array.from(g.randnJs(0, 4096))).toEqual(Array.from(wasm));
  });
  it('uses the high word of a 64-bit seed as the second key word', () => {
    const seed = 2 ** 32 + 7;
    expect(new PhiloxGenerator(seed).randn(4)[3]).toBe(a1111Normal(BigInt(seed), 0, 3));
  });
  it('is close to the torch CUDA output rng_philox.py documents for seed 0', () => {
    const expected = [-0.92466259, -0.42534415, -2.6438457, 0.14518388, -0.12086647, -0.57972564, -0.62285122, -0.32838709, -1.07454231, -0.36314407, -1.67105067, 2.26550497];
    const ours = new PhiloxGenerator(0).randn(12);
    expected.forEach((e, i) => expect(Math.abs(ours[i]! - e)).toBeLessThan(5e-7));
  });
});

describe('CPU noise (torch mt19937)', () => {
  it('is the standard mt19937: the 10000th output for seed 5489 is 4123659995', () => {
    const mt = new Mt19937(5489);
    let last = 0;
    for (let i = 0; i < 10000; i++) last = mt.nextUint32();
    expect(last).toBe(4123659995);
  });
  it('reproduces torch.manual_seed(0); torch.randn(2, 8) as printed by torch (4 decimals)', () => {
    const expected = [-1.1258, -1.1524, -0.2506, -0.4339, 0.8487, 0.692, -0.316, -2.1152, 0.3223, -1.2633, 0.35, 0.3081, 0.1198, 1.2377, 1.1168, -0.2473];
    const ours = torchCpuRandn(new Mt19937(0), 16);
    expected.forEach((e, i) => expect(ours[i]).toBeCloseTo(e, 4));
  });
  it('recomputes the last 16 values when the count is not a multiple of 16 (torch normal_fill)', () => {
    const a = torchCpuRandn(new Mt19937(3), 20);
    const b = torchCpuRandn(new Mt19937(3), 32);
    expect(Array.from(a.subarray(0, 4))).toEqual(Array.from(b.subarray(0, 4)));
    expect(a[4]).not.toBe(b[4]);
  });
});

describe('image noise', () => {
  it('uses seed + i for the i-th image and a new offset for every draw', () => {
    const noise = new ImageNoise('nv', [100, 101], 256);
    const first = noise.next(), second = noise.next();
    expect(first[0]).toBe(a1111Normal(100n, 0, 0));
    expect(first[256 + 5]).toBe(a1111Normal(101n, 0, 5));
    expect(second[7]).toBe(a1111Normal(100n, 1, 7));
  });
});
