/**
 * The few pieces of the WebAssembly binary format that the matrix kernel needs: LEB128 numbers,
 * sections, and the opcodes it uses. Node has no SIMD for JavaScript arrays, but it compiles wasm
 * SIMD (128-bit) to native vector code; no wasm toolchain is installed, so the kernel is emitted
 * as bytes here (spec: https://webassembly.github.io/spec/core/binary/).
 */

export const I32 = 0x7f;
export const F32 = 0x7d;
export const F64 = 0x7c;
export const V128 = 0x7b;

export function unsignedLeb(value: number): number[] {
  if (!Number.isInteger(value) || value < 0) throw new Error(`unsignedLeb: ${value} is not a non-negative integer`);
  const out: number[] = [];
  let v = value;
  do {
    let byte = v % 128;
    v = Math.floor(v / 128);
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}

export function signedLeb(value: number): number[] {
  if (!Number.isInteger(value)) throw new Error(`signedLeb: ${value} is not an integer`);
  const out: number[] = [];
  let v = value;
  for (;;) {
    const byte = v & 0x7f;
    v = Math.floor(v / 128);
    const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

function utf8Name(name: string): number[] {
  const bytes = [...new TextEncoder().encode(name)];
  return [...unsignedLeb(bytes.length), ...bytes];
}

function section(id: number, payload: number[]): number[] {
  return [id, ...unsignedLeb(payload.length), ...payload];
}

function vector(items: number[][]): number[] {
  return [...unsignedLeb(items.length), ...items.flat()];
}

/** Instruction emitters; each returns the bytes of one instruction. */
export const op = {
  block: (): number[] => [0x02, 0x40],
  loop: (): number[] => [0x03, 0x40],
  if: (): number[] => [0x04, 0x40],
  else: (): number[] => [0x05],
  br: (depth: number): number[] => [0x0c, ...unsignedLeb(depth)],
  return: (): number[] => [0x0f],
  drop: (): number[] => [0x1a],
  end: (): number[] => [0x0b],
  brIf: (depth: number): number[] => [0x0d, ...unsignedLeb(depth)],
  localGet: (i: number): number[] => [0x20, ...unsignedLeb(i)],
  localSet: (i: number): number[] => [0x21, ...unsignedLeb(i)],
  localTee: (i: number): number[] => [0x22, ...unsignedLeb(i)],
  i32Const: (v: number): number[] => [0x41, ...signedLeb(v)],
  i32Eqz: (): number[] => [0x45],
  i32Eq: (): number[] => [0x46],
  i32Ne: (): number[] => [0x47],
  i32LtU: (): number[] => [0x49],
  i32GtU: (): number[] => [0x4b],
  i32Add: (): number[] => [0x6a],
  i32Sub: (): number[] => [0x6b],
  i32Mul: (): number[] => [0x6c],
  i32And: (): number[] => [0x71],
  i32Shl: (): number[] => [0x74],
  i32ShrU: (): number[] => [0x76],
  f32Const: (v: number): number[] => [0x43, ...new Uint8Array(new Float32Array([v]).buffer)],
  f32Add: (): number[] => [0x92],
  f32Sub: (): number[] => [0x93],
  f32Mul: (): number[] => [0x94],
  f32Div: (): number[] => [0x95],
  f32Max: (): number[] => [0x97],
  f32Sqrt: (): number[] => [0x91],
  f32ConvertI32U: (): number[] => [0xb3],
  f32Eq: (): number[] => [0x5b],
  i32GeS: (): number[] => [0x4e],
  i32LtS: (): number[] => [0x48],
  i32GtS: (): number[] => [0x4a],
  select: (): number[] => [0x1b],
  /** f32.load with alignment 2^2 and a constant byte offset. */
  f32Load: (offset = 0): number[] => [0x2a, 2, ...unsignedLeb(offset)],
  f32Store: (offset = 0): number[] => [0x38, 2, ...unsignedLeb(offset)],
  v128Load: (offset = 0): number[] => [0xfd, ...unsignedLeb(0x00), 2, ...unsignedLeb(offset)],
  v128Store: (offset = 0): number[] => [0xfd, ...unsignedLeb(0x0b), 2, ...unsignedLeb(offset)],
  v128Zero: (): number[] => [0xfd, ...unsignedLeb(0x0c), ...new Array<number>(16).fill(0)],
  /** v128.const from four i32 lanes. */
  v128ConstI32: (lanes: [number, number, number, number]): number[] => [0xfd, ...unsignedLeb(0x0c), ...new Uint8Array(new Int32Array(lanes).buffer)],
  /** i8x16.shuffle of two v128s, given as four f32 lane indices (0-3 first operand, 4-7 second). */
  f32x4Shuffle: (lanes: [number, number, number, number]): number[] => [
    0xfd, ...unsignedLeb(0x0d), ...lanes.flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3]),
  ],
  i32x4Splat: (): number[] => [0xfd, ...unsignedLeb(0x11)],
  f32x4Splat: (): number[] => [0xfd, ...unsignedLeb(0x13)],
  f32x4ExtractLane: (lane: number): number[] => [0xfd, ...unsignedLeb(0x1f), lane],
  i32x4GtS: (): number[] => [0xfd, ...unsignedLeb(0x3b)],
  f32x4Ge: (): number[] => [0xfd, ...unsignedLeb(0x46)],
  v128Bitselect: (): number[] => [0xfd, ...unsignedLeb(0x52)],
  f32x4Nearest: (): number[] => [0xfd, ...unsignedLeb(0x6a)],
  i32x4Shl: (): number[] => [0xfd, ...unsignedLeb(0xab)],
  i32x4Add: (): number[] => [0xfd, ...unsignedLeb(0xae)],
  i32x4TruncSatF32x4S: (): number[] => [0xfd, ...unsignedLeb(0xf8)],
  v128And: (): number[] => [0xfd, ...unsignedLeb(0x4e)],
  f32x4Gt: (): number[] => [0xfd, ...unsignedLeb(0x44)],
  f32x4Sub: (): number[] => [0xfd, ...unsignedLeb(0xe5)],
  f32x4Div: (): number[] => [0xfd, ...unsignedLeb(0xe7)],
  f32x4Min: (): number[] => [0xfd, ...unsignedLeb(0xe8)],
  f32x4Max: (): number[] => [0xfd, ...unsignedLeb(0xe9)],
  /** Pseudo-minimum b < a ? b : a (stack: a b): one x64 instruction, where f32x4.min's NaN and ±0 rules take several. */
  f32x4Pmin: (): number[] => [0xfd, ...unsignedLeb(0xea)],
  /** Pseudo-maximum a < b ? b : a (stack: a b). */
  f32x4Pmax: (): number[] => [0xfd, ...unsignedLeb(0xeb)],
  /** relaxed-simd: a·b + c, fused where the CPU has FMA (stack: a b c). */
  f32x4RelaxedMadd: (): number[] => [0xfd, ...unsignedLeb(0x105)],
  f32x4Add: (): number[] => [0xfd, ...unsignedLeb(0xe4)],
  f64x2Splat: (): number[] => [0xfd, ...unsignedLeb(0x14)],
  /** The two low f32 lanes widened to f64 (exact). */
  f64x2PromoteLowF32x4: (): number[] => [0xfd, ...unsignedLeb(0x5f)],
  /** Both f64 lanes rounded to f32 (to nearest, as a Float32Array store) into the low lanes; the high lanes 0. */
  f32x4DemoteF64x2Zero: (): number[] => [0xfd, ...unsignedLeb(0x5e)],
  f64x2Sqrt: (): number[] => [0xfd, ...unsignedLeb(0xef)],
  f64x2Add: (): number[] => [0xfd, ...unsignedLeb(0xf0)],
  f64x2Sub: (): number[] => [0xfd, ...unsignedLeb(0xf1)],
  f64x2Mul: (): number[] => [0xfd, ...unsignedLeb(0xf2)],
  f64x2Div: (): number[] => [0xfd, ...unsignedLeb(0xf3)],
  f32x4Mul: (): number[] => [0xfd, ...unsignedLeb(0xe6)],
  f64Add: (): number[] => [0xa0],
  f64PromoteF32: (): number[] => [0xbb],
  /** f64.store with alignment 2^3. */
  f64Store: (offset = 0): number[] => [0x39, 3, ...unsignedLeb(offset)],
  /** v128.load64_zero: two floats into the low half, zeros above. */
  v128Load64Zero: (offset = 0): number[] => [0xfd, ...unsignedLeb(0x5d), 3, ...unsignedLeb(offset)],
  /** v128.const of two f64 lanes. */
  f64x2Const: (value: number): number[] => [0xfd, ...unsignedLeb(0x0c), ...new Uint8Array(new Float64Array([value, value]).buffer)],
  /** v128.const of two i64 lanes (BigInt). */
  v128ConstI64: (value: bigint): number[] => [0xfd, ...unsignedLeb(0x0c), ...new Uint8Array(new BigInt64Array([value, value]).buffer)],
  f64x2ExtractLane: (lane: number): number[] => [0xfd, ...unsignedLeb(0x21), lane],
  f64x2Ge: (): number[] => [0xfd, ...unsignedLeb(0x4c)],
  i64x2Shl: (): number[] => [0xfd, ...unsignedLeb(0xcb)],
  i64x2Add: (): number[] => [0xfd, ...unsignedLeb(0xce)],
  /** Pseudo-minimum of f64 lanes (stack: a b): b < a ? b : a. */
  f64x2Pmin: (): number[] => [0xfd, ...unsignedLeb(0xf6)],
  f64x2Pmax: (): number[] => [0xfd, ...unsignedLeb(0xf7)],
};

export interface WasmFunction {
  name: string;
  params: number[];
  results: number[];
  /** Extra locals after the parameters, as [count, type] runs. */
  locals: [number, number][];
  body: number[];
}

/** A module that exports one memory (`memory`) and the given functions. */
export function encodeModule(functions: WasmFunction[], memoryPages: number): Uint8Array<ArrayBuffer> {
  const types = functions.map((f) => [0x60, ...vector(f.params.map((t) => [t])), ...vector(f.results.map((t) => [t]))]);
  const funcIndices = functions.map((_, i) => unsignedLeb(i));
  const memory = [[0x00, ...unsignedLeb(memoryPages)]];
  const exports = [
    [...utf8Name('memory'), 0x02, ...unsignedLeb(0)],
    ...functions.map((f, i) => [...utf8Name(f.name), 0x00, ...unsignedLeb(i)]),
  ];
  const bodies = functions.map((f) => {
    const content = [...vector(f.locals.map(([count, type]) => [...unsignedLeb(count), type])), ...f.body, ...op.end()];
    return [...unsignedLeb(content.length), ...content];
  });
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vector(types)),
    ...section(3, vector(funcIndices)),
    ...section(5, vector(memory)),
    ...section(7, vector(exports)),
    ...section(10, vector(bodies)),
  ]);
}
