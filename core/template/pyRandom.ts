// CPython's `random.Random`, bit for bit, for the parts sd-dynamic-prompts uses: MT19937 seeded with
// init_by_array over the 32-bit words of abs(seed), random(), getrandbits(), _randbelow (rejection
// sampling over getrandbits(n.bit_length())), randint/randrange, choice, choices (with weights,
// cum_weights and bisect_right, or floor(random() * n) without) and shuffle. Pure; no Node APIs.

const N = 624;
const M = 397;

/** Python's `int.bit_length()` for a non-negative safe integer. */
function bitLength(n: number): number {
  let bits = 0;
  while (n >= 4294967296) {
    n = Math.floor(n / 4294967296);
    bits += 32;
  }
  return bits + (n === 0 ? 0 : 32 - Math.clz32(n));
}

export class PyRandom {
  private readonly mt = new Uint32Array(N);
  private mti = N + 1;

  constructor(seed: number | bigint = 0) {
    this.seed(seed);
  }

  /** `random.seed(n)` for an int n: init_by_array on the 32-bit words of abs(n), least significant first. */
  seed(seed: number | bigint): void {
    let n = typeof seed === 'bigint' ? seed : BigInt(Math.trunc(seed));
    if (n < 0n) n = -n;
    const key: number[] = [];
    while (n > 0n) {
      key.push(Number(n & 0xffffffffn));
      n >>= 32n;
    }
    if (key.length === 0) key.push(0);
    this.initByArray(key);
  }

  private initGenrand(s: number): void {
    const mt = this.mt;
    mt[0] = s >>> 0;
    for (let i = 1; i < N; i++) {
      const prev = mt[i - 1]! ^ (mt[i - 1]! >>> 30);
      mt[i] = (Math.imul(1812433253, prev) + i) >>> 0;
    }
    this.mti = N;
  }

  private initByArray(key: number[]): void {
    const mt = this.mt;
    this.initGenrand(19650218);
    let i = 1;
    let j = 0;
    const keyLength = key.length;
    for (let k = Math.max(N, keyLength); k > 0; k--) {
      const prev = mt[i - 1]! ^ (mt[i - 1]! >>> 30);
      mt[i] = ((mt[i]! ^ Math.imul(prev, 1664525)) + key[j]! + j) >>> 0;
      i++;
      j++;
      if (i >= N) {
        mt[0] = mt[N - 1]!;
        i = 1;
      }
      if (j >= keyLength) j = 0;
    }
    for (let k = N - 1; k > 0; k--) {
      const prev = mt[i - 1]! ^ (mt[i - 1]! >>> 30);
      mt[i] = ((mt[i]! ^ Math.imul(prev, 1566083941)) - i) >>> 0;
      i++;
      if (i >= N) {
        mt[0] = mt[N - 1]!;
        i = 1;
      }
    }
    mt[0] = 0x80000000;
  }

  /** genrand_uint32. */
  nextUint32(): number {
    const mt = this.mt;
    if (this.mti >= N) {
      let kk = 0;
      for (; kk < N - M; kk++) {
        const y = (mt[kk]! & 0x80000000) | (mt[kk + 1]! & 0x7fffffff);
        mt[kk] = mt[kk + M]! ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
      }
      for (; kk < N - 1; kk++) {
        const y = (mt[kk]! & 0x80000000) | (mt[kk + 1]! & 0x7fffffff);
        mt[kk] = mt[kk + (M - N)]! ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
      }
      const y = (mt[N - 1]! & 0x80000000) | (mt[0]! & 0x7fffffff);
      mt[N - 1] = mt[M - 1]! ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
      this.mti = 0;
    }
    let y = mt[this.mti++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** `random.random()`: 53 bits from two words. */
  random(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) * (1 / 9007199254740992);
  }

  /** `random.getrandbits(k)` for 0 <= k <= 53 (words are consumed least significant first). */
  getrandbits(k: number): number {
    if (k <= 0) return 0;
    if (k <= 32) return this.nextUint32() >>> (32 - k);
    const low = this.nextUint32();
    const high = this.nextUint32() >>> (64 - k);
    return high * 4294967296 + low;
  }

  /** `random._randbelow(n)` (the getrandbits variant) for 0 < n <= 2**53. */
  randbelow(n: number): number {
    const k = bitLength(n);
    let r = this.getrandbits(k);
    while (r >= n) r = this.getrandbits(k);
    return r;
  }

  /** `random.randrange(start, stop)` with step 1; throws Python's ValueError message on an empty range. */
  randrange(start: number, stop: number): number {
    const width = stop - start;
    if (width > 0) return start + this.randbelow(width);
    throw new RangeError(`empty range in randrange(${start}, ${stop})`);
  }

  /** `random.randint(a, b)`. */
  randint(a: number, b: number): number {
    return this.randrange(a, b + 1);
  }

  /** `random.choice(seq)`. */
  choice<T>(seq: readonly T[]): T {
    if (seq.length === 0) throw new RangeError('Cannot choose from an empty sequence');
    return seq[this.randbelow(seq.length)]!;
  }

  /**
   * `random.choices(population, weights, cum_weights=..., k=k)`. Give `weights` or `cumWeights` (not
   * both) or neither.
   */
  choices<T>(population: readonly T[], k: number, weights?: readonly number[], cumWeights?: readonly number[]): T[] {
    const n = population.length;
    const out: T[] = [];
    if (cumWeights === undefined) {
      if (weights === undefined) {
        for (let i = 0; i < k; i++) out.push(population[Math.floor(this.random() * n)]!);
        return out;
      }
      const acc: number[] = [];
      let sum = 0;
      for (let i = 0; i < weights.length; i++) {
        sum = i === 0 ? weights[0]! : sum + weights[i]!;
        acc.push(sum);
      }
      cumWeights = acc;
    }
    if (cumWeights.length !== n) throw new RangeError('The number of weights does not match the population');
    if (n === 0) throw new RangeError('list index out of range');
    const total = cumWeights[n - 1]!;
    if (!(total > 0)) throw new RangeError('Total of weights must be greater than zero');
    if (!Number.isFinite(total)) throw new RangeError('Total of weights must be finite');
    const hi = n - 1;
    for (let i = 0; i < k; i++) out.push(population[bisectRight(cumWeights, this.random() * total, 0, hi)]!);
    return out;
  }

  /** `random.shuffle(x)` in place. */
  shuffle<T>(x: T[]): void {
    for (let i = x.length - 1; i > 0; i--) {
      const j = this.randbelow(i + 1);
      const t = x[i]!;
      x[i] = x[j]!;
      x[j] = t;
    }
  }
}

/** Python's `bisect.bisect_right(a, x, lo, hi)`. */
export function bisectRight(a: readonly number[], x: number, lo: number, hi: number): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (x < a[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
