/**
 * The hot loop of emlab's own models: C (=|+=) A·B for float32 matrices, as a WebAssembly SIMD
 * kernel. A is read through two strides, so the same code multiplies by A or by Aᵀ (the weight
 * gradient Xᵀ·dY of a layer needs the transpose); B and C are row-major with contiguous columns.
 *
 * Each function computes tiles of C in registers, walking the shared dimension once per tile; the
 * loop over tiles runs column strip first, so the strip of B stays in the L1 cache while the rows
 * of A stream past it. One-row and last-columns variants cover the edges, so no edge falls to
 * JavaScript (gemm.ts picks the variant per region).
 */
import { encodeModule, I32, op, V128, type WasmFunction } from './wasm-encoder.js';

/** A register tile: `rows` rows of C by `vecs` 4-lane vectors of columns. */
export interface TileShape {
  rows: number;
  vecs: number;
}

/**
 * The wide tile does the bulk: 2 rows × 16 columns keeps 8 accumulators + 4 pieces of B + 1
 * broadcast = 13 of x64's 16 vector registers, and measured faster here than 4×8, 4×16, 6×8 and
 * 8×8 (plain SIMD), and with relaxed FMA faster than 3×16 and 4×12 (which spill: ~30 against ~50
 * GFLOP/s) and level with 4×8. The narrow tile (4 × 4) covers column counts that are not a
 * multiple of 16, such as a 13-logit output layer.
 */
export const WIDE_TILE: TileShape = { rows: 2, vecs: 4 };
export const NARROW_TILE: TileShape = { rows: 4, vecs: 1 };
/** One-row tiles for the rows below the wide and narrow ones (and for m = 1, as in decoding). */
export const ROW_TILE: TileShape = { rows: 1, vecs: 4 };
export const NARROW_ROW_TILE: TileShape = { rows: 1, vecs: 1 };

// Parameters (all i32, byte addresses and byte strides).
const A_PTR = 0, A_ROW = 1, A_COL = 2, B_PTR = 3, B_ROW = 4, C_PTR = 5, C_ROW = 6, M = 7, N = 8, K = 9;
const PARAMS = 10;

/** Variants of one tile function. */
export interface GemmVariant {
  /** Start from C's tile instead of zero (C += A·B). */
  accumulate: boolean;
  /** Multiply-add with relaxed-SIMD f32x4.relaxed_madd (one fused instruction where the CPU has FMA). */
  fma: boolean;
  /**
   * The last n mod 4 columns (vecs = 1, n = that count, 1-3): B is read a whole vector at a time
   * (up to 3 floats past a row, inside the arena's slack) and C is written lane by lane.
   */
  tail?: boolean;
}

/** acc += x·y on v128 locals, as one relaxed multiply-add or a multiply then an add. */
export function maddInto(acc: number, x: number, y: number, fma: boolean): number[][] {
  return fma
    ? [op.localGet(x), op.localGet(y), op.localGet(acc), op.f32x4RelaxedMadd(), op.localSet(acc)]
    : [op.localGet(acc), op.localGet(x), op.localGet(y), op.f32x4Mul(), op.f32x4Add(), op.localSet(acc)];
}

function gemmFunction(name: string, tile: TileShape, variant: GemmVariant): WasmFunction {
  const { rows, vecs } = tile;
  // i32 locals, then v128 locals.
  const I0 = PARAMS, J0 = PARAMS + 1, P = PARAMS + 2, A_ROWPTR = PARAMS + 3; // A_ROWPTR .. + rows - 1
  const B_P = A_ROWPTR + rows, C_P = B_P + 1;
  const i32Locals = C_P + 1 - PARAMS;
  const ACC = C_P + 1; // rows * vecs accumulators, row-major
  const B_VEC = ACC + rows * vecs; // vecs loaded pieces of B's row
  const A_SPLAT = B_VEC + vecs;
  const v128Locals = rows * vecs + vecs + 1;
  const acc = (r: number, v: number): number => ACC + r * vecs + v;
  const tileCols = 4 * vecs;

  const b: number[] = [];
  const emit = (...parts: number[][]): void => {
    for (const part of parts) b.push(...part);
  };
  emit(op.i32Const(0), op.localSet(J0));
  emit(op.loop()); // over column strips
  {
    emit(op.i32Const(0), op.localSet(I0));
    emit(op.loop()); // over row tiles
    {
      // Row pointers into A for the tile's rows, and the strip's start in B.
      emit(op.localGet(A_PTR), op.localGet(I0), op.localGet(A_ROW), op.i32Mul(), op.i32Add(), op.localSet(A_ROWPTR));
      for (let r = 1; r < rows; r++) {
        emit(op.localGet(A_ROWPTR + r - 1), op.localGet(A_ROW), op.i32Add(), op.localSet(A_ROWPTR + r));
      }
      emit(op.localGet(B_PTR), op.localGet(J0), op.i32Const(4), op.i32Mul(), op.i32Add(), op.localSet(B_P));
      // The tile's start in C.
      emit(op.localGet(C_PTR), op.localGet(I0), op.localGet(C_ROW), op.i32Mul(), op.i32Add());
      emit(op.localGet(J0), op.i32Const(4), op.i32Mul(), op.i32Add(), op.localSet(C_P));
      if (variant.accumulate && variant.tail !== true) {
        for (let r = 0; r < rows; r++) {
          for (let v = 0; v < vecs; v++) emit(op.localGet(C_P), op.v128Load(16 * v), op.localSet(acc(r, v)));
          if (r + 1 < rows) emit(op.localGet(C_P), op.localGet(C_ROW), op.i32Add(), op.localSet(C_P));
        }
        if (rows > 1) emit(op.localGet(C_P), op.localGet(C_ROW), op.i32Const(rows - 1), op.i32Mul(), op.i32Sub(), op.localSet(C_P));
      } else {
        for (let r = 0; r < rows; r++) for (let v = 0; v < vecs; v++) emit(op.v128Zero(), op.localSet(acc(r, v)));
      }
      emit(op.localGet(K), op.localSet(P));
      emit(op.loop()); // over the shared dimension
      {
        for (let v = 0; v < vecs; v++) emit(op.localGet(B_P), op.v128Load(16 * v), op.localSet(B_VEC + v));
        for (let r = 0; r < rows; r++) {
          emit(op.localGet(A_ROWPTR + r), op.f32Load(), op.f32x4Splat(), op.localSet(A_SPLAT));
          for (let v = 0; v < vecs; v++) {
            emit(...maddInto(acc(r, v), A_SPLAT, B_VEC + v, variant.fma));
          }
          emit(op.localGet(A_ROWPTR + r), op.localGet(A_COL), op.i32Add(), op.localSet(A_ROWPTR + r));
        }
        emit(op.localGet(B_P), op.localGet(B_ROW), op.i32Add(), op.localSet(B_P));
        emit(op.localGet(P), op.i32Const(1), op.i32Sub(), op.localTee(P), op.brIf(0));
      }
      emit(op.end());
      // Store the tile.
      for (let r = 0; r < rows; r++) {
        if (variant.tail === true) {
          for (let lane = 0; lane < 3; lane++) {
            emit(op.localGet(N), op.i32Const(lane), op.i32GtU(), op.if(), op.localGet(C_P));
            emit(op.localGet(acc(r, 0)), op.f32x4ExtractLane(lane));
            if (variant.accumulate) emit(op.localGet(C_P), op.f32Load(4 * lane), op.f32Add());
            emit(op.f32Store(4 * lane), op.end());
          }
        } else {
          for (let v = 0; v < vecs; v++) emit(op.localGet(C_P), op.localGet(acc(r, v)), op.v128Store(16 * v));
        }
        if (r + 1 < rows) emit(op.localGet(C_P), op.localGet(C_ROW), op.i32Add(), op.localSet(C_P));
      }
      emit(op.localGet(I0), op.i32Const(rows), op.i32Add(), op.localTee(I0), op.localGet(M), op.i32LtU(), op.brIf(0));
    }
    emit(op.end());
    emit(op.localGet(J0), op.i32Const(tileCols), op.i32Add(), op.localTee(J0), op.localGet(N), op.i32LtU(), op.brIf(0));
  }
  emit(op.end());
  return { name, params: new Array<number>(PARAMS).fill(I32), results: [], locals: [[i32Locals, I32], [v128Locals, V128]], body: b };
}

/**
 * Each export is `(aPtr, aRowStride, aColStride, bPtr, bRowStride, cPtr, cRowStride, m, n, k)`:
 * byte addresses and byte strides; m a positive multiple of the tile's rows, n of its columns,
 * k ≥ 1. It overwrites the m×n block of C (the `…Acc` variants add to it).
 */
export type GemmExport = (
  aPtr: number, aRowStride: number, aColStride: number,
  bPtr: number, bRowStride: number,
  cPtr: number, cRowStride: number,
  m: number, n: number, k: number,
) => void;

/** The NN/TN tile functions by export name (`gemmWide`, `gemmRow`, `gemmNarrow`, `gemmNarrowRow`, `gemmTail`, `gemmTailRow`), each with an `…Acc` variant (C += A·B). */
export function gemmFunctions(fma: boolean): WasmFunction[] {
  const out: WasmFunction[] = [];
  for (const accumulate of [false, true]) {
    const suffix = accumulate ? 'Acc' : '';
    out.push(gemmFunction(`gemmWide${suffix}`, WIDE_TILE, { accumulate, fma }));
    out.push(gemmFunction(`gemmRow${suffix}`, ROW_TILE, { accumulate, fma }));
    out.push(gemmFunction(`gemmNarrow${suffix}`, NARROW_TILE, { accumulate, fma }));
    out.push(gemmFunction(`gemmNarrowRow${suffix}`, NARROW_ROW_TILE, { accumulate, fma }));
    out.push(gemmFunction(`gemmTail${suffix}`, NARROW_TILE, { accumulate, fma, tail: true }));
    out.push(gemmFunction(`gemmTailRow${suffix}`, NARROW_ROW_TILE, { accumulate, fma, tail: true }));
  }
  return out;
}
