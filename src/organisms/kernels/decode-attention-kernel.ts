/**
 * Decoding attention in one wasm call: one query per head over a sequence's cached keys and
 * (transposed) values, all heads of a row at once. It replaces, per (row, head), two strided
 * products and a softmax called from JavaScript, whose argument checks cost more than the
 * arithmetic of a single query (decoding ran at ~1/3 of its products' speed).
 */
import { F32, I32, op, V128, type WasmFunction } from './wasm-encoder.js';
import { exp, EXP_LOCALS, f32x4Const, forChunks, FunctionBuilder, horizontal, splitVectors } from './vector-math.js';

/**
 * `decodeAttention(qPtr, kPtr, vPtr, outPtr, sPtr, keys, heads, headDim, kHeadBytes, vHeadBytes, scale, splitChunks, kShift, vShift)`:
 * for each head h, with q_h the h-th headDim floats at qPtr, K_h and V_h the keys × headDim rows at
 * kPtr + h·kHeadBytes and vPtr + h·vHeadBytes: out_h = softmax(scale·q_h·K_hᵀ)·V_h. headDim a
 * multiple of 4, keys ≥ 1; sPtr: keys rounded up to 4 floats of scratch. Keys from 4·splitChunks
 * on (≤ keys − 1) are read kShift bytes further (values vShift): a prompt's positions shared with
 * other rows in one place, each row's own after them in its own (0, 0, 0: one place). The same
 * arithmetic in the same order either way.
 */
export function decodeAttentionFunction(fma: boolean): WasmFunction {
  const f = new FunctionBuilder(
    'decodeAttention',
    [['qPtr', I32], ['kPtr', I32], ['vPtr', I32], ['outPtr', I32], ['sPtr', I32], ['keys', I32], ['heads', I32], ['hd', I32], ['kHead', I32], ['vHead', I32], ['scale', F32], ['split', I32], ['kShift', I32], ['vShift', I32]],
    [
      ['h', I32], ['j', I32], ['c', I32], ['i', I32], ['qh', I32], ['kRow', I32], ['vh', I32], ['vecs', I32], ['chunks', I32], ['rem', I32], ['out', I32], ['rowBytes', I32],
      ['max', F32], ['inv', F32],
      ['acc', V128], ['a1', V128], ['a2', V128], ['a3', V128], ['s01', V128], ['s23', V128], ['x', V128],
      ['e', V128], ['mask', V128], ['maxV', V128], ['scaleV', V128], ...EXP_LOCALS,
    ],
  );
  const ACC = ['acc', 'a1', 'a2', 'a3'] as const;
  /** into += (a)·(b), a and b code leaving one v128 each. */
  const madd = (into: string, a: number[][], b: number[][]): number[][] => (fma
    ? [...a, ...b, f.get(into), op.f32x4RelaxedMadd(), f.set(into)]
    : [f.get(into), ...a, ...b, op.f32x4Mul(), op.f32x4Add(), f.set(into)]);
  const at = (ptr: string, chunk: string, plus: number[][] = []): number[][] => [f.get(ptr), ...plus, f.get(chunk), op.i32Const(4), op.i32Shl(), op.i32Add()];
  /** Leaves [Σ acc, Σ a1, Σ a2, Σ a3] (each accumulator's four lanes added) on the stack. */
  const reduce4 = (): void => {
    for (const [x, y, into] of [['acc', 'a1', 's01'], ['a2', 'a3', 's23']] as const) {
      f.emit(f.get(x), f.get(y), op.f32x4Shuffle([0, 1, 4, 5]), f.get(x), f.get(y), op.f32x4Shuffle([2, 3, 6, 7]), op.f32x4Add(), f.set(into));
    }
    f.emit(f.get('s01'), f.get('s23'), op.f32x4Shuffle([0, 2, 4, 6]), f.get('s01'), f.get('s23'), op.f32x4Shuffle([1, 3, 5, 7]), op.f32x4Add());
  };
  const zeroAccumulators = (): void => {
    for (const a of ACC) f.emit(op.v128Zero(), f.set(a));
  };
  /** (offset r of four rows `rowBytes` apart): code adding r·rowBytes to a pointer. */
  const row = (r: number): number[][] => (r === 0 ? [] : [f.get('rowBytes'), ...(r === 1 ? [] : [op.i32Const(r), op.i32Mul()]), op.i32Add()]);
  f.emit(f.get('hd'), op.i32Const(2), op.i32ShrU(), f.set('vecs'));
  f.emit(f.get('scale'), op.f32x4Splat(), f.set('scaleV'));
  splitVectors(f, 'keys');
  f.emit(op.i32Const(0), f.set('h'), op.loop());
  {
    f.emit(f.get('qPtr'), f.get('h'), f.get('hd'), op.i32Mul(), op.i32Const(2), op.i32Shl(), op.i32Add(), f.set('qh'));
    f.emit(f.get('kPtr'), f.get('h'), f.get('kHead'), op.i32Mul(), op.i32Add(), f.set('kRow'));
    f.emit(f.get('vPtr'), f.get('h'), f.get('vHead'), op.i32Mul(), op.i32Add(), f.set('vh'));
    // Pass 1: scores s_j = scale·q·k_j into the scratch, four keys at a time, and their maximum.
    f.emit(f.get('hd'), op.i32Const(2), op.i32Shl(), f.set('rowBytes'));
    f.emit(f32x4Const(-Infinity), f.set('maxV'));
    /** Moves kRow to the row's own keys when chunk (or key) `index` is the first after the shared ones. */
    const switchAt = (index: string, first: number[][], shift: string): void => {
      f.emit(f.get(index), ...first, op.i32Eq(), op.if(), f.get('kRow'), f.get(shift), op.i32Add(), f.set('kRow'), op.end());
    };
    forChunks(f, 'j', 'chunks', () => {
      switchAt('j', [f.get('split')], 'kShift');
      zeroAccumulators();
      forChunks(f, 'c', 'vecs', () => {
        f.emit(...at('qh', 'c'), op.v128Load(), f.set('x'));
        ACC.forEach((a, r) => f.emit(...madd(a, [f.get('x')], [...at('kRow', 'c', row(r)), op.v128Load()])));
      });
      f.emit(...at('sPtr', 'j'));
      reduce4();
      f.emit(f.get('scaleV'), op.f32x4Mul(), f.tee('x'), op.v128Store());
      f.emit(f.get('maxV'), f.get('x'), op.f32x4Pmax(), f.set('maxV'));
      f.emit(f.get('kRow'), f.get('rowBytes'), op.i32Const(2), op.i32Shl(), op.i32Add(), f.set('kRow'));
    });
    horizontal(f, 'maxV', op.f32x4Pmax);
    f.emit(f.set('max'));
    // Every chunk shared (only the last keys mod 4 are the row's own): move now.
    switchAt('chunks', [f.get('split')], 'kShift');
    // The last keys mod 4, one at a time.
    f.emit(f.get('chunks'), op.i32Const(2), op.i32Shl(), f.set('j'));
    f.emit(f.get('j'), f.get('keys'), op.i32LtU(), op.if(), op.loop());
    {
      f.emit(op.v128Zero(), f.set('acc'));
      forChunks(f, 'c', 'vecs', () => f.emit(...madd('acc', [...at('qh', 'c'), op.v128Load()], [...at('kRow', 'c'), op.v128Load()])));
      f.emit(f.get('sPtr'), f.get('j'), op.i32Const(2), op.i32Shl(), op.i32Add());
      horizontal(f, 'acc', op.f32x4Add);
      f.emit(f.get('scale'), op.f32Mul(), f.tee('inv'), op.f32Store());
      f.emit(f.get('max'), f.get('inv'), op.f32Max(), f.set('max'));
      f.emit(f.get('kRow'), f.get('rowBytes'), op.i32Add(), f.set('kRow'));
      f.emit(f.get('j'), op.i32Const(1), op.i32Add(), f.tee('j'), f.get('keys'), op.i32LtU(), op.brIf(0));
    }
    f.emit(op.end(), op.end());
    // Pass 2: e_j = exp(s_j − max) in place (0 in the lanes past keys), and their sum.
    f.emit(f.get('max'), op.f32x4Splat(), f.set('maxV'), op.v128Zero(), f.set('e'));
    forChunks(f, 'c', 'chunks', () => {
      f.emit(...at('sPtr', 'c'), ...at('sPtr', 'c'), op.v128Load(), f.get('maxV'), op.f32x4Sub());
      exp(f, fma);
      f.emit(f.tee('acc'), op.v128Store(), f.get('e'), f.get('acc'), op.f32x4Add(), f.set('e'));
    });
    f.emit(f.get('rem'), op.if());
    f.emit(...at('sPtr', 'chunks'), ...at('sPtr', 'chunks'), op.v128Load(), f.get('maxV'), op.f32x4Sub());
    exp(f, fma);
    f.emit(f.get('mask'), op.v128And(), f.tee('acc'), op.v128Store(), f.get('e'), f.get('acc'), op.f32x4Add(), f.set('e'));
    f.emit(op.end());
    f.emit(op.f32Const(1));
    horizontal(f, 'e', op.f32x4Add);
    f.emit(op.f32Div(), op.f32x4Splat(), f.set('e'));
    // Pass 3: out = (Σ_j e_j·v_j) / Σ e, the keys' value rows walked in order (each head's values
    // are contiguous rows of headDim): sixteen output columns at a time, then four.
    f.emit(f.get('outPtr'), f.get('h'), f.get('hd'), op.i32Mul(), op.i32Const(2), op.i32Shl(), op.i32Add(), f.set('out'));
    f.emit(op.i32Const(0), f.set('i'));
    const columns = (width: number): void => {
      const accs = ACC.slice(0, width);
      for (const a of accs) f.emit(op.v128Zero(), f.set(a));
      f.emit(f.get('vh'), f.get('i'), op.i32Const(4), op.i32Shl(), op.i32Add(), f.set('kRow'));
      forChunks(f, 'j', 'keys', () => {
        switchAt('j', [f.get('split'), op.i32Const(2), op.i32Shl()], 'vShift');
        f.emit(f.get('sPtr'), f.get('j'), op.i32Const(2), op.i32Shl(), op.i32Add(), op.f32Load(), op.f32x4Splat(), f.set('x'));
        accs.forEach((a, v) => f.emit(...madd(a, [f.get('x')], [f.get('kRow'), op.v128Load(16 * v)])));
        f.emit(f.get('kRow'), f.get('rowBytes'), op.i32Add(), f.set('kRow'));
      });
      accs.forEach((a, v) => f.emit(f.get('out'), f.get(a), f.get('e'), op.f32x4Mul(), op.v128Store(16 * v)));
      f.emit(f.get('out'), op.i32Const(16 * width), op.i32Add(), f.set('out'));
      f.emit(f.get('i'), op.i32Const(width), op.i32Add(), f.set('i'));
    };
    f.emit(op.block(), op.loop());
    f.emit(f.get('i'), op.i32Const(4), op.i32Add(), f.get('vecs'), op.i32GtU(), op.brIf(1));
    columns(4);
    f.emit(op.br(0), op.end(), op.end());
    f.emit(op.block(), op.loop());
    f.emit(f.get('i'), f.get('vecs'), op.i32GeS(), op.brIf(1));
    columns(1);
    f.emit(op.br(0), op.end(), op.end());
    f.emit(f.get('h'), op.i32Const(1), op.i32Add(), f.tee('h'), f.get('heads'), op.i32LtU(), op.brIf(0));
  }
  f.emit(op.end());
  return f.build();
}

export type DecodeAttentionExport = (
  qPtr: number, kPtr: number, vPtr: number, outPtr: number, sPtr: number, keys: number, heads: number, headDim: number,
  kHeadBytes: number, vHeadBytes: number, scale: number, splitChunks: number, kShift: number, vShift: number,
) => void;
