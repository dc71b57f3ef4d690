/**
 * C (=|+=) A·Bᵀ with A m×k and B n×k, both row-major: every entry of C is a dot product of two
 * contiguous rows, the layout of x·Wᵀ with W stored [out, in] and of attention scores Q·Kᵀ.
 *
 * A tile of R rows of A × S rows of B keeps R·S vector accumulators, each summing four lanes of
 * the shared dimension; the lanes are added at the end (for S = 4 by two shuffle-and-add rounds
 * that leave the four results of a row of C in one vector, stored at once). A shared dimension that
 * is not a multiple of 4 ends with one masked step: the load runs up to 3 floats past a row, which
 * the arena keeps inside its memory (it reserves that slack) and the mask zeroes.
 */
import { maddInto } from './gemm-kernel.js';
import { I32, op, V128, type WasmFunction } from './wasm-encoder.js';

/** R rows of A (and of C) by S rows of B (columns of C); S is 4 or 1. */
export interface NtTile {
  rows: number;
  cols: 1 | 4;
}

export const NT_WIDE: NtTile = { rows: 2, cols: 4 };
export const NT_ROW: NtTile = { rows: 1, cols: 4 };
export const NT_ONE: NtTile = { rows: 1, cols: 1 };

// Parameters (i32; byte addresses and strides): the k-loop runs `chunks` = ⌊k/4⌋ steps, then one
// masked step over the `rem` = k mod 4 last lanes.
const A_PTR = 0, A_ROW = 1, B_PTR = 2, B_ROW = 3, C_PTR = 4, C_ROW = 5, M = 6, N = 7, CHUNKS = 8, REM = 9;
const PARAMS = 10;

/** `(aPtr, aRow, bPtr, bRow, cPtr, cRow, m, n, chunks, rem)`; m a multiple of the tile's rows, n of its columns. */
export type NtExport = (
  aPtr: number, aRow: number, bPtr: number, bRow: number, cPtr: number, cRow: number,
  m: number, n: number, chunks: number, rem: number,
) => void;

function ntFunction(name: string, tile: NtTile, accumulate: boolean, fma: boolean): WasmFunction {
  const { rows: R, cols: S } = tile;
  const I0 = PARAMS, J0 = I0 + 1, CNT = J0 + 1, C_P = CNT + 1, A_P = C_P + 1, B_P = A_P + R;
  const i32Locals = B_P + S - PARAMS;
  const ACC = B_P + S;
  const A_VEC = ACC + R * S, B_VEC = A_VEC + R, MASK = B_VEC + S;
  const v128Locals = R * S + R + S + 1;
  const acc = (r: number, s: number): number => ACC + r * S + s;

  const b: number[] = [];
  const emit = (...parts: number[][]): void => {
    for (const part of parts) b.push(...part);
  };
  const step = (masked: boolean): void => {
    for (let r = 0; r < R; r++) {
      emit(op.localGet(A_P + r), op.v128Load());
      if (masked) emit(op.localGet(MASK), op.v128And());
      emit(op.localSet(A_VEC + r));
    }
    for (let s = 0; s < S; s++) {
      emit(op.localGet(B_P + s), op.v128Load());
      if (masked) emit(op.localGet(MASK), op.v128And());
      emit(op.localSet(B_VEC + s));
    }
    for (let r = 0; r < R; r++) for (let s = 0; s < S; s++) emit(...maddInto(acc(r, s), A_VEC + r, B_VEC + s, fma));
  };

  // The tail mask: lanes below rem all ones.
  emit(op.localGet(REM), op.i32x4Splat(), op.v128ConstI32([0, 1, 2, 3]), op.i32x4GtS(), op.localSet(MASK));
  emit(op.i32Const(0), op.localSet(I0));
  emit(op.loop()); // over row tiles
  {
    emit(op.i32Const(0), op.localSet(J0));
    emit(op.loop()); // over column tiles
    {
      emit(op.localGet(A_PTR), op.localGet(I0), op.localGet(A_ROW), op.i32Mul(), op.i32Add(), op.localSet(A_P));
      for (let r = 1; r < R; r++) emit(op.localGet(A_P + r - 1), op.localGet(A_ROW), op.i32Add(), op.localSet(A_P + r));
      emit(op.localGet(B_PTR), op.localGet(J0), op.localGet(B_ROW), op.i32Mul(), op.i32Add(), op.localSet(B_P));
      for (let s = 1; s < S; s++) emit(op.localGet(B_P + s - 1), op.localGet(B_ROW), op.i32Add(), op.localSet(B_P + s));
      for (let r = 0; r < R; r++) for (let s = 0; s < S; s++) emit(op.v128Zero(), op.localSet(acc(r, s)));
      emit(op.localGet(CHUNKS), op.localTee(CNT), op.if());
      {
        emit(op.loop());
        step(false);
        for (let r = 0; r < R; r++) emit(op.localGet(A_P + r), op.i32Const(16), op.i32Add(), op.localSet(A_P + r));
        for (let s = 0; s < S; s++) emit(op.localGet(B_P + s), op.i32Const(16), op.i32Add(), op.localSet(B_P + s));
        emit(op.localGet(CNT), op.i32Const(1), op.i32Sub(), op.localTee(CNT), op.brIf(0));
        emit(op.end());
      }
      emit(op.end());
      emit(op.localGet(REM), op.if());
      step(true);
      emit(op.end());
      // C's tile start, then each row's sums.
      emit(op.localGet(C_PTR), op.localGet(I0), op.localGet(C_ROW), op.i32Mul(), op.i32Add());
      emit(op.localGet(J0), op.i32Const(4), op.i32Mul(), op.i32Add(), op.localSet(C_P));
      for (let r = 0; r < R; r++) {
        if (S === 4) {
          // [x0+x2, x1+x3, y0+y2, y1+y3] for the pairs (0,1) and (2,3), then [Σ0, Σ1, Σ2, Σ3].
          const pair = (x: number, y: number, into: number): void => {
            emit(op.localGet(x), op.localGet(y), op.f32x4Shuffle([0, 1, 4, 5]));
            emit(op.localGet(x), op.localGet(y), op.f32x4Shuffle([2, 3, 6, 7]), op.f32x4Add(), op.localSet(into));
          };
          pair(acc(r, 0), acc(r, 1), B_VEC);
          pair(acc(r, 2), acc(r, 3), B_VEC + 1);
          emit(op.localGet(C_P));
          emit(op.localGet(B_VEC), op.localGet(B_VEC + 1), op.f32x4Shuffle([0, 2, 4, 6]));
          emit(op.localGet(B_VEC), op.localGet(B_VEC + 1), op.f32x4Shuffle([1, 3, 5, 7]), op.f32x4Add());
          if (accumulate) emit(op.localGet(C_P), op.v128Load(), op.f32x4Add());
          emit(op.v128Store());
        } else {
          const x = acc(r, 0);
          emit(op.localGet(x), op.localGet(x), op.localGet(x), op.f32x4Shuffle([2, 3, 0, 1]), op.f32x4Add(), op.localSet(x));
          emit(op.localGet(C_P));
          emit(op.localGet(x), op.localGet(x), op.localGet(x), op.f32x4Shuffle([1, 0, 3, 2]), op.f32x4Add(), op.f32x4ExtractLane(0));
          if (accumulate) emit(op.localGet(C_P), op.f32Load(), op.f32Add());
          emit(op.f32Store());
        }
        if (r + 1 < R) emit(op.localGet(C_P), op.localGet(C_ROW), op.i32Add(), op.localSet(C_P));
      }
      emit(op.localGet(J0), op.i32Const(S), op.i32Add(), op.localTee(J0), op.localGet(N), op.i32LtU(), op.brIf(0));
    }
    emit(op.end());
    emit(op.localGet(I0), op.i32Const(R), op.i32Add(), op.localTee(I0), op.localGet(M), op.i32LtU(), op.brIf(0));
  }
  emit(op.end());
  return { name, params: new Array<number>(PARAMS).fill(I32), results: [], locals: [[i32Locals, I32], [v128Locals, V128]], body: b };
}

/** `ntWide`, `ntRow`, `ntOne` and their `…Acc` variants (C += A·Bᵀ). */
export function ntFunctions(fma: boolean): WasmFunction[] {
  const out: WasmFunction[] = [];
  for (const accumulate of [false, true]) {
    const suffix = accumulate ? 'Acc' : '';
    out.push(ntFunction(`ntWide${suffix}`, NT_WIDE, accumulate, fma));
    out.push(ntFunction(`ntRow${suffix}`, NT_ROW, accumulate, fma));
    out.push(ntFunction(`ntOne${suffix}`, NT_ONE, accumulate, fma));
  }
  return out;
}
