// Philox 4x32-10 counters in WebAssembly, for speed: JavaScript has no 32x32->64-bit multiply, and the
// emulation made A1111-exact noise for a 1024x1024 latent (65,536 values, 20 multiplies each) cost several
// milliseconds per step. The module is assembled here from its instructions (no build tool): one function
//   philox(offset, keyLo, keyHi, count, outPtr)
// writes, for i = 0 … count-1, the first two output words of Philox(counter = (offset, 0, i, 0),
// key = (keyLo, keyHi)) as little-endian uint32 pairs at outPtr + 8 i. backend/rng/philox.ts checks it
// against the JavaScript version on first use and falls back to that version if anything differs.

/** Unsigned LEB128. */
function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n = Math.floor(n / 128);
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 of an integer (BigInt so 64-bit constants are exact). */
function sleb(value: bigint): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = Number(value & 0x7fn);
    value >>= 7n;
    const signBit = (byte & 0x40) !== 0;
    if ((value === 0n && !signBit) || (value === -1n && signBit)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

const I32 = 0x7f, I64 = 0x7e;
const op = {
  block: 0x02, loop: 0x03, br: 0x0c, brIf: 0x0d, end: 0x0b, void: 0x40,
  get: 0x20, set: 0x21,
  i32Const: 0x41, i64Const: 0x42,
  i32GeU: 0x4f, i32LtU: 0x49, i32Add: 0x6a, i32Xor: 0x73, i32Shl: 0x74, i32Store: 0x36,
  i64Mul: 0x7e, i64ShrU: 0x88, i32WrapI64: 0xa7, i64ExtendI32U: 0xad,
};
const i32 = (v: number) => [op.i32Const, ...sleb(BigInt(v | 0))];
const i64 = (v: number) => [op.i64Const, ...sleb(BigInt(v))];

// parameters 0-4: offset, keyLo, keyHi, count, outPtr; locals 5-12: i, r, c0, c1, c2, c3, k0, k1 (i32),
// 13-14: p0, p1 (i64)
const [OFFSET, KEY_LO, KEY_HI, COUNT, OUT] = [0, 1, 2, 3, 4];
const [I, R, C0, C1, C2, C3, K0, K1, P0, P1] = [5, 6, 7, 8, 9, 10, 11, 12, 13, 14];
const get = (l: number) => [op.get, l];
const set = (l: number) => [op.set, l];

const body = [
  // locals: 8 x i32, 2 x i64
  2, 8, I32, 2, I64,
  ...i32(0), ...set(I),
  op.block, op.void,
  op.loop, op.void,
  ...get(I), ...get(COUNT), op.i32GeU, op.brIf, 1,
  ...get(OFFSET), ...set(C0), ...i32(0), ...set(C1), ...get(I), ...set(C2), ...i32(0), ...set(C3),
  ...get(KEY_LO), ...set(K0), ...get(KEY_HI), ...set(K1), ...i32(0), ...set(R),
  op.loop, op.void,
  // p0 = c0 * M0, p1 = c2 * M1 (64-bit products)
  ...get(C0), op.i64ExtendI32U, ...i64(0xd2511f53), op.i64Mul, ...set(P0),
  ...get(C2), op.i64ExtendI32U, ...i64(0xcd9e8d57), op.i64Mul, ...set(P1),
  // c0 = hi(p1) ^ c1 ^ k0; c1 = lo(p1); c2 = hi(p0) ^ c3 ^ k1; c3 = lo(p0)
  ...get(P1), ...i64(32), op.i64ShrU, op.i32WrapI64, ...get(C1), op.i32Xor, ...get(K0), op.i32Xor, ...set(C0),
  ...get(P1), op.i32WrapI64, ...set(C1),
  ...get(P0), ...i64(32), op.i64ShrU, op.i32WrapI64, ...get(C3), op.i32Xor, ...get(K1), op.i32Xor, ...set(C2),
  ...get(P0), op.i32WrapI64, ...set(C3),
  // bump the key (Weyl constants), next round while r < 10
  ...get(K0), ...i32(0x9e3779b9), op.i32Add, ...set(K0),
  ...get(K1), ...i32(0xbb67ae85), op.i32Add, ...set(K1),
  ...get(R), ...i32(1), op.i32Add, ...set(R),
  ...get(R), ...i32(10), op.i32LtU, op.brIf, 0,
  op.end,
  // store c0, c1 at outPtr + 8 i
  ...get(OUT), ...get(I), ...i32(3), op.i32Shl, op.i32Add, ...get(C0), op.i32Store, 2, 0,
  ...get(OUT), ...get(I), ...i32(3), op.i32Shl, op.i32Add, ...get(C1), op.i32Store, 2, 4,
  ...get(I), ...i32(1), op.i32Add, ...set(I),
  op.br, 0,
  op.end,
  op.end,
  op.end,
];

const name = (s: string) => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
const MODULE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  ...section(1, [1, 0x60, 5, I32, I32, I32, I32, I32, 0]), // type 0: (i32 x5) -> ()
  ...section(3, [1, 0]), // function 0 has type 0
  ...section(5, [1, 0, 1]), // one memory, at least 1 page
  ...section(7, [2, ...name('philox'), 0, 0, ...name('memory'), 2, 0]),
  ...section(10, [1, ...uleb(body.length), ...body]),
]);

export interface PhiloxWords {
  /** Fills `pairs` ([c0, c1] per value) for counters (offset, 0, i, 0), i = 0 … pairs.length/2 - 1. */
  (offset: number, keyLo: number, keyHi: number, pairs: Uint32Array): void;
}

// The project's TypeScript libraries (ES2023, no DOM) do not declare the WebAssembly API; this is the part used.
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: Record<string, unknown> };
}

/** The WebAssembly Philox, or undefined where WebAssembly is unavailable. */
export function createPhiloxWasm(): PhiloxWords | undefined {
  const api = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  if (!api) return undefined;
  const instance = new api.Instance(new api.Module(MODULE));
  const memory = instance.exports.memory as WasmMemory;
  const philox = instance.exports.philox as (offset: number, keyLo: number, keyHi: number, count: number, outPtr: number) => void;
  return (offset, keyLo, keyHi, pairs) => {
    const bytes = pairs.length * 4;
    if (memory.buffer.byteLength < bytes) memory.grow(Math.ceil((bytes - memory.buffer.byteLength) / 65536));
    philox(offset | 0, keyLo | 0, keyHi | 0, pairs.length / 2, 0);
    pairs.set(new Uint32Array(memory.buffer, 0, pairs.length));
  };
}
