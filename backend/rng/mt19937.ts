// A1111's "CPU" noise source: torch.randn on the CPU, i.e. torch's mt19937 generator with its 16-wide
// Box–Muller fill (ATen normal_fill). Float32 rounding is mimicked step by step; torch's AVX2 path uses
// vectorised log/sin/cos, so a rare last-bit difference from a given machine's torch is possible.

export class Mt19937 {
  private readonly state = new Uint32Array(624);
  private index = 624;

  constructor(seed: number) {
    // torch seeds the engine with the low 32 bits of the uint64 seed.
    this.state[0] = Number(BigInt.asUintN(32, BigInt(seed)));
    for (let i = 1; i < 624; i++) {
      const prev = this.state[i - 1]!;
      this.state[i] = (Math.imul(1812433253, (prev ^ (prev >>> 30)) >>> 0) + i) >>> 0;
    }
  }

  private twist(): void {
    const s = this.state;
    for (let i = 0; i < 624; i++) {
      const y = (s[i]! & 0x80000000) | (s[(i + 1) % 624]! & 0x7fffffff);
      s[i] = s[(i + 397) % 624]! ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
    }
    this.index = 0;
  }

  nextUint32(): number {
    if (this.index >= 624) this.twist();
    let y = this.state[this.index++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** at::uniform_real_distribution<float>(0, 1): the low 24 bits of one draw, scaled. */
  nextFloat(): number {
    return (this.nextUint32() & 0xffffff) * 2 ** -24;
  }
}

const f = Math.fround;

function normalFill16(data: Float32Array, start: number): void {
  for (let j = 0; j < 8; j++) {
    const u1 = f(1 - data[start + j]!);
    const u2 = data[start + j + 8]!;
    const radius = f(Math.sqrt(f(-2 * f(Math.log(u1)))));
    const theta = f(2 * Math.PI * u2);
    data[start + j] = f(radius * f(Math.cos(theta)));
    data[start + j + 8] = f(radius * f(Math.sin(theta)));
  }
}

/** torch.randn(count) on the CPU for a generator in this state. */
export function torchCpuRandn(gen: Mt19937, count: number): Float32Array {
  const data = new Float32Array(count);
  // torch takes a different (scalar, double) path below 16 values; latents are never that small.
  if (count < 16) throw new RangeError(`torchCpuRandn: ${count} values; at least 16 are needed`);
  for (let i = 0; i < count; i++) data[i] = gen.nextFloat();
  for (let i = 0; i + 16 <= count; i += 16) normalFill16(data, i);
  if (count % 16 !== 0) {
    const start = count - 16;
    for (let i = 0; i < 16; i++) data[start + i] = gen.nextFloat();
    normalFill16(data, start);
  }
  return data;
}
