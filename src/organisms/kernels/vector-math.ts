/**
 * Building blocks for wasm kernels that are not products: named locals, and e^x on four lanes.
 * JavaScript's Math.exp costs ~8 ns here, which made GELU and the attention softmax cost more than
 * the matrix products around them; this exp costs about a nanosecond per lane.
 */
import { I32, op, V128, type WasmFunction } from './wasm-encoder.js';

/** A function under construction: parameters and locals by name, the body as a byte list. */
export class FunctionBuilder {
  private readonly index = new Map<string, number>();
  private readonly localGroups: [number, number][] = [];
  readonly body: number[] = [];

  constructor(readonly name: string, private readonly params: [string, number][], locals: [string, number][]) {
    params.forEach(([n], i) => this.index.set(n, i));
    let next = params.length;
    for (const [n, type] of locals) {
      this.index.set(n, next++);
      const last = this.localGroups[this.localGroups.length - 1];
      if (last !== undefined && last[1] === type) last[0] += 1;
      else this.localGroups.push([1, type]);
    }
  }

  /** The index of a parameter or local. */
  at(name: string): number {
    const i = this.index.get(name);
    if (i === undefined) throw new Error(`${this.name}: no local named ${name}`);
    return i;
  }

  get(name: string): number[] {
    return op.localGet(this.at(name));
  }

  set(name: string): number[] {
    return op.localSet(this.at(name));
  }

  tee(name: string): number[] {
    return op.localTee(this.at(name));
  }

  emit(...parts: number[][]): this {
    for (const part of parts) this.body.push(...part);
    return this;
  }

  build(): WasmFunction {
    return { name: this.name, params: this.params.map(([, t]) => t), results: [], locals: this.localGroups, body: this.body };
  }
}

/** v128.const of four equal f32 lanes. */
export function f32x4Const(value: number): number[] {
  const lanes = new Float32Array([value, value, value, value]);
  return [0xfd, 0x0c, ...new Uint8Array(lanes.buffer)];
}

const LOG2E = Math.LOG2E;
// ln 2 split in two so n·LN2_HI is exact in float32 for |n| < 2^8 (Cody-Waite).
const LN2_HI = 0.693145751953125;
const LN2_LO = 1.428606765330187e-6;
/** Below this, e^x is 0 in float32 (after the denormals); above EXP_MAX it is +∞. */
const EXP_MIN = -87.33654;
const EXP_MAX = 88.72283;
/** 1.5·2^23: adding it rounds a float32 below 2^22 in magnitude to an integer (round to nearest even). */
const SHIFTER = 12582912;

/** Locals `exp` needs in a function that uses it: three v128. */
export const EXP_LOCALS: [string, number][] = [['expIn', V128], ['expX', V128], ['expN', V128]];

/**
 * Emits code that replaces the v128 on top of the stack by e^x lane-wise: x = n·ln2 + r with
 * |r| ≤ ln2/2, e^r by its Taylor polynomial to degree 6 (relative error < 2e-7; with `fma`, Horner's
 * steps as relaxed multiply-adds), 2^n built in the exponent bits. Lanes below EXP_MIN (−∞ included) give exactly 0; lanes above ~88.4 give +∞.
 */
export function exp(f: FunctionBuilder, fma = false): void {
  // Pseudo-min/max and the shifter below compile to one x64 instruction each, where f32x4.min/max
  // (NaN and ±0 rules), nearest and trunc_sat take several: measured 1.6-1.8x on GELU and softmax.
  f.emit(f.tee('expIn'), f32x4Const(EXP_MAX), op.f32x4Pmin(), f.set('expX'));
  // n = nearest(x·log2 e) by adding and removing 1.5·2^23 (round to nearest even, exact for |n| < 2^22),
  // no lower than the smallest exponent float32 can build.
  f.emit(f.get('expX'), f32x4Const(LOG2E), op.f32x4Mul(), f32x4Const(SHIFTER), op.f32x4Add(), f32x4Const(SHIFTER), op.f32x4Sub());
  f.emit(f32x4Const(-126), op.f32x4Pmax(), f.set('expN'));
  // r = x − n·ln2, in two steps.
  f.emit(f.get('expX'), f.get('expN'), f32x4Const(LN2_HI), op.f32x4Mul(), op.f32x4Sub());
  f.emit(f.get('expN'), f32x4Const(LN2_LO), op.f32x4Mul(), op.f32x4Sub(), f.set('expX'));
  // Horner: e^r ≈ 1 + r + r²/2 + … + r⁶/720.
  const coefficients = [1 / 720, 1 / 120, 1 / 24, 1 / 6, 1 / 2, 1, 1];
  f.emit(f32x4Const(coefficients[0] as number));
  for (const c of coefficients.slice(1)) f.emit(f.get('expX'), ...(fma ? [f32x4Const(c), op.f32x4RelaxedMadd()] : [op.f32x4Mul(), f32x4Const(c), op.f32x4Add()]));
  // × 2^n: n + 1.5·2^23 is exact and its low 9 bits are n's, so its bits << 23 are n << 23; + 127 << 23
  // gives the float's exponent bits.
  f.emit(f.get('expN'), f32x4Const(SHIFTER), op.f32x4Add(), op.i32Const(23), op.i32x4Shl(), op.v128ConstI32([127 << 23, 127 << 23, 127 << 23, 127 << 23]), op.i32x4Add());
  f.emit(op.f32x4Mul());
  // Lanes below EXP_MIN (and −∞, whose arithmetic above gave NaN) become 0.
  f.emit(f.get('expIn'), f32x4Const(EXP_MIN), op.f32x4Ge(), op.v128And());
}

// float64 e^x (exp64). ln 2 split as fdlibm splits it: n·LN2_HI_64 is exact for |n| < 2^11.
const LN2_HI_64 = 6.93147180369123816490e-1;
const LN2_LO_64 = 1.90821492927058770002e-10;
/** 1.5·2^52: adding it rounds a float64 below 2^51 in magnitude to an integer, whose bits are then the sum's low bits. */
const SHIFTER_64 = 6755399441055744;
/** Lanes below this give exactly 0 (float64's smallest normal is e^−708.4); lanes above 709 give e^709. */
export const EXP64_MIN = -708;
const EXP64_MAX = 709;
/** 1/k! for k = 0 .. 13: the Taylor coefficients of e^r. */
const INVERSE_FACTORIALS = Array.from({ length: 14 }, (_, k) => 1 / Array.from({ length: k }, (_, j) => j + 1).reduce((p, j) => p * j, 1));

/** The constants exp64 uses, by local name: set once per call (exp64Constants), not rebuilt in every loop turn. */
const EXP64_CONSTANTS: [string, number][] = [
  ['exp64Max', EXP64_MAX], ['exp64Min', EXP64_MIN], ['exp64Log2e', Math.LOG2E], ['exp64Shifter', SHIFTER_64], ['exp64Ln2Hi', LN2_HI_64], ['exp64Ln2Lo', LN2_LO_64],
  ...INVERSE_FACTORIALS.map((c, k): [string, number] => [`exp64C${k}`, c]),
];

/** Locals `exp64` needs in a function that uses it (v128 each; exp64Constants sets the constants among them). */
export const EXP64_LOCALS: [string, number][] = [['exp64In', V128], ['exp64X', V128], ['exp64T', V128], ['exp64N', V128], ['exp64Bias', V128], ...EXP64_CONSTANTS.map(([name]): [string, number] => [name, V128])];

/** Sets exp64's constants; emit once at the start of a function that uses exp64. */
export function exp64Constants(f: FunctionBuilder): void {
  for (const [name, value] of EXP64_CONSTANTS) f.emit(op.f64x2Const(value), f.set(name));
  f.emit(op.v128ConstI64(1023n << 52n), f.set('exp64Bias'));
}

/**
 * Emits code that replaces the v128 on top of the stack (two f64 lanes) by e^x lane-wise, to about
 * one unit in the last place (Math.exp's accuracy at 2-3 times its speed here): x = n·ln2 + r with
 * |r| ≤ ln2/2, e^r by its Taylor polynomial to degree 13 (truncation < 1e-17; 1/k! in local
 * exp64C<k>), 2^n built in the exponent bits. Plain multiplies and adds, no fused steps, so every
 * machine gives the same bits. Needs exp64Constants at the start of the function.
 */
export function exp64(f: FunctionBuilder): void {
  f.emit(f.tee('exp64In'), f.get('exp64Max'), op.f64x2Pmin(), f.get('exp64Min'), op.f64x2Pmax(), f.set('exp64X'));
  // t = x·log2 e + 1.5·2^52, n = t − 1.5·2^52: x·log2 e rounded to the nearest integer; t's low bits are n's.
  f.emit(f.get('exp64X'), f.get('exp64Log2e'), op.f64x2Mul(), f.get('exp64Shifter'), op.f64x2Add(), f.tee('exp64T'), f.get('exp64Shifter'), op.f64x2Sub(), f.set('exp64N'));
  // r = x − n·ln2, in two steps (Cody-Waite).
  f.emit(f.get('exp64X'), f.get('exp64N'), f.get('exp64Ln2Hi'), op.f64x2Mul(), op.f64x2Sub(), f.get('exp64N'), f.get('exp64Ln2Lo'), op.f64x2Mul(), op.f64x2Sub(), f.set('exp64X'));
  // e^r = Σ r^k/k! (k ≤ 13), Horner's steps. (Estrin's scheme, with shorter chains of dependent
  // steps, measured 15-20% faster and twice as many results off by 1-2 units in the last place.)
  f.emit(f.get(`exp64C${INVERSE_FACTORIALS.length - 1}`));
  for (let k = INVERSE_FACTORIALS.length - 2; k >= 0; k--) f.emit(f.get('exp64X'), op.f64x2Mul(), f.get(`exp64C${k}`), op.f64x2Add());
  // × 2^n: t's bits << 52 are n << 52 (the rest shifts out); + 1023 << 52 makes them 2^n's exponent.
  f.emit(f.get('exp64T'), op.i32Const(52), op.i64x2Shl(), f.get('exp64Bias'), op.i64x2Add(), op.f64x2Mul());
  f.emit(f.get('exp64In'), f.get('exp64Min'), op.f64x2Ge(), op.v128And());
}

/**
 * Emits a loop running `body` for chunk = 0 .. count − 1 (i32 locals named `chunk` and `count`;
 * nothing runs when count is 0).
 */
export function forChunks(f: FunctionBuilder, chunk: string, count: string, body: () => void): void {
  f.emit(op.i32Const(0), f.set(chunk), f.get(count), op.if(), op.loop());
  body();
  f.emit(f.get(chunk), op.i32Const(1), op.i32Add(), f.tee(chunk), f.get(count), op.i32LtU(), op.brIf(0), op.end(), op.end());
}

/** Leaves op(lanes of v) on the stack as one f32, for op f32x4.max or f32x4.add (v is overwritten). */
export function horizontal(f: FunctionBuilder, v: string, combine: () => number[]): void {
  f.emit(f.get(v), f.get(v), f.get(v), op.f32x4Shuffle([2, 3, 0, 1]), combine(), f.set(v));
  f.emit(f.get(v), f.get(v), f.get(v), op.f32x4Shuffle([1, 0, 3, 2]), combine(), op.f32x4ExtractLane(0));
}

/**
 * Stores the first `rem` (an i32 local, 0-3) lanes of the v128 local `v` at `address`, one float at
 * a time: a whole-vector store past a row's end could overwrite the next row or another view.
 */
export function storeFirstLanes(f: FunctionBuilder, address: number[][], v: string, rem: string): void {
  for (let lane = 0; lane < 3; lane++) {
    f.emit(f.get(rem), op.i32Const(lane), op.i32GtU(), op.if());
    f.emit(...address, f.get(v), op.f32x4ExtractLane(lane), op.f32Store(4 * lane), op.end());
  }
}

/** Sets the i32 locals `chunks` = n >> 2 and `rem` = n & 3 and the v128 local `mask` (lanes < rem) from the i32 local n. */
export function splitVectors(f: FunctionBuilder, n: string): void {
  f.emit(f.get(n), op.i32Const(2), op.i32ShrU(), f.set('chunks'), f.get(n), op.i32Const(3), op.i32And(), f.set('rem'));
  f.emit(f.get('rem'), op.i32x4Splat(), op.v128ConstI32([0, 1, 2, 3]), op.i32x4GtS(), f.set('mask'));
}

/** The i32 locals `rowLoop` and `rowVector` use. */
export const ROW_LOCALS: [string, number][] = [['i', I32], ['chunks', I32], ['rem', I32], ['c', I32], ['row', I32]];

/**
 * Emits `body` once per row i of a dense rows × cols array (i32 params `rows`, `cols`), with `row`
 * = i·cols·4 (bytes) and `chunks`, `rem`, `mask` set for cols (splitVectors). Returns at once when
 * rows is 0.
 */
export function rowLoop(f: FunctionBuilder, body: () => void): void {
  f.emit(f.get('rows'), op.i32Eqz(), op.if(), op.return(), op.end());
  splitVectors(f, 'cols');
  f.emit(op.i32Const(0), f.set('i'), op.loop());
  f.emit(f.get('i'), f.get('cols'), op.i32Mul(), op.i32Const(2), op.i32Shl(), f.set('row'));
  body();
  f.emit(f.get('i'), op.i32Const(1), op.i32Add(), f.tee('i'), f.get('rows'), op.i32LtU(), op.brIf(0), op.end());
}

/** Address of vector `chunk` of the current row in the array at `ptr`, or of a per-column array (length cols) when `perColumn`. */
export function rowVector(f: FunctionBuilder, ptr: string, chunk: string, perColumn = false): number[][] {
  return [f.get(ptr), ...(perColumn ? [] : [f.get('row'), op.i32Add()]), f.get(chunk), op.i32Const(4), op.i32Shl(), op.i32Add()];
}
