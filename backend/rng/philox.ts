import { createPhiloxWasm, type PhiloxWords } from './philoxWasm';

// A1111's "NV" noise source (modules/rng_philox.py): Philox 4x32-10 plus a Box–Muller transform, which
// reproduces torch.randn on NVIDIA GPUs bit for bit, on any machine.

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;

/** High 32 bits of the 64-bit product of two unsigned 32-bit integers, from 16-bit partial products. */
function mulHi(a: number, b: number): number {
  const aLo = a & 0xffff, aHi = a >>> 16, bLo = b & 0xffff, bHi = b >>> 16;
  const lh = aLo * bHi, hl = aHi * bLo;
  const mid = ((aLo * bLo) >>> 16) + (lh & 0xffff) + (hl & 0xffff);
  return (aHi * bHi + (lh >>> 16) + (hl >>> 16) + (mid >>> 16)) >>> 0;
}

/** Philox 4x32 with 10 rounds; returns the four output words (counter words c0..c3, key words k0, k1). */
export function philox4x32(c0: number, c1: number, c2: number, c3: number, k0: number, k1: number, out = new Uint32Array(4)): Uint32Array {
  for (let round = 0; round < 10; round++) {
    if (round > 0) {
      k0 = (k0 + W0) >>> 0;
      k1 = (k1 + W1) >>> 0;
    }
    const hi0 = mulHi(M0, c0), lo0 = Math.imul(M0, c0) >>> 0;
    const hi1 = mulHi(M1, c2), lo1 = Math.imul(M1, c2) >>> 0;
    c0 = (hi1 ^ c1 ^ k0) >>> 0;
    c1 = lo1;
    c2 = (hi0 ^ c3 ^ k1) >>> 0;
    c3 = lo0;
  }
  out[0] = c0; out[1] = c1; out[2] = c2; out[3] = c3;
  return out;
}

// rng_philox.py keeps these as float32 numpy scalars; the products are then computed in float64 (uint32 × float32).
const TWO_POW32_INV = Math.fround(2.3283064e-10);
const TWO_POW32_INV_2PI = Math.fround(2.3283064e-10 * 6.2831855);

/** The first output of Box–Muller on two 32-bit words, rounded to float32 at the end as rng_philox.py does. */
export function boxMuller(x: number, y: number): number {
  const u = x * TWO_POW32_INV + TWO_POW32_INV / 2;
  const v = y * TWO_POW32_INV_2PI + TWO_POW32_INV_2PI / 2;
  return Math.fround(Math.sqrt(-2 * Math.log(u)) * Math.sin(v));
}

let wasm: PhiloxWords | null | undefined;
let PAIRS: Uint32Array | undefined;

/** The WebAssembly counters, once they have matched the JavaScript ones on a sample; null if unusable. */
function philoxWords(): PhiloxWords | null {
  if (wasm !== undefined) return wasm;
  try {
    const candidate = createPhiloxWasm();
    const pairs = new Uint32Array(2 * 64);
    candidate?.(3, 0x89abcdef, 0x01234567, pairs);
    const agrees = candidate !== undefined && Array.from({ length: 64 }, (_, i) => philox4x32(3, 0, i, 0, 0x89abcdef, 0x01234567)).every((w, i) => w[0] === pairs[2 * i] && w[1] === pairs[2 * i + 1]);
    wasm = agrees ? candidate : null;
  } catch {
    wasm = null;
  }
  return wasm;
}

/** Which implementation draws the counters: 'wasm' normally, 'js' where WebAssembly is unusable. */
export function philoxImplementation(): 'wasm' | 'js' {
  return philoxWords() ? 'wasm' : 'js';
}

/** A Philox generator for one seed: each `randn` call uses the next offset, as A1111's Generator does. */
export class PhiloxGenerator {
  private offset = 0;
  private readonly keyLo: number;
  private readonly keyHi: number;

  constructor(seed: number) {
    // The seed is a uint64 viewed as two little-endian uint32 words.
    const s = BigInt.asUintN(64, BigInt(seed));
    this.keyLo = Number(s & 0xffffffffn);
    this.keyHi = Number(s >> 32n);
  }

  randn(count: number): Float32Array {
    const offset = this.offset++ >>> 0;
    const words = philoxWords();
    if (!words) return this.randnJs(offset, count);
    // The counter words go through one buffer per thread, reused (randn is synchronous): a fresh 512 KB array per
    // draw cost ~0.4 ms of page faults at 1024x1024.
    if (!PAIRS || PAIRS.length < 2 * count) PAIRS = new Uint32Array(2 * count);
    const pairs = PAIRS.length === 2 * count ? PAIRS : PAIRS.subarray(0, 2 * count);
    words(offset, this.keyLo, this.keyHi, pairs);
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) out[i] = boxMuller(pairs[2 * i]!, pairs[2 * i + 1]!);
    return out;
  }

  /** The same values without WebAssembly. */
  randnJs(offset: number, count: number): Float32Array {
    const out = new Float32Array(count);
    // The ten round keys are the same for every value: computed once.
    const k0s = new Uint32Array(10), k1s = new Uint32Array(10);
    for (let r = 0; r < 10; r++) {
      k0s[r] = this.keyLo + r * W0;
      k1s[r] = this.keyHi + r * W1;
    }
    for (let i = 0; i < count; i++) {
      let c0 = offset, c1 = 0, c2 = i >>> 0, c3 = 0;
      for (let r = 0; r < 10; r++) {
        const hi0 = mulHi(M0, c0), lo0 = Math.imul(M0, c0) >>> 0;
        const hi1 = mulHi(M1, c2), lo1 = Math.imul(M1, c2) >>> 0;
        c0 = (hi1 ^ c1 ^ k0s[r]!) >>> 0;
        c1 = lo1;
        c2 = (hi0 ^ c3 ^ k1s[r]!) >>> 0;
        c3 = lo0;
      }
      out[i] = boxMuller(c0, c1);
    }
    return out;
  }
}
