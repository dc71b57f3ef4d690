/**
 * GEMM dispatch: checks the views, splits C into the regions each wasm tile function covers and
 * walks the shared dimension in cache-sized blocks. Only Aᵀ·Bᵀ runs in JavaScript.
 */
import { NARROW_TILE, ROW_TILE, WIDE_TILE, type GemmExport } from './gemm-kernel.js';
import { NT_ROW, NT_WIDE, type NtExport } from './gemm-nt-kernel.js';

/** How op(A) and op(B) are stored, and whether C is overwritten or added to. */
export interface GemmOptions {
  /** A is stored k×m (row-major), so op(A) = Aᵀ. */
  aT?: boolean;
  /** B is stored n×k (row-major), so op(B) = Bᵀ. */
  bT?: boolean;
  /** C += op(A)·op(B) instead of C = op(A)·op(B). */
  accumulate?: boolean;
  /**
   * Row strides in floats of A, B and C as stored (default: dense, the stored row width), so a
   * product can read or write one head of a [tokens, heads, headDim] array.
   */
  lda?: number;
  ldb?: number;
  ldc?: number;
}

/** One set of tile functions (overwrite or accumulate). */
export interface GemmTiles {
  wide: GemmExport;
  row: GemmExport;
  narrow: GemmExport;
  narrowRow: GemmExport;
  tail: GemmExport;
  tailRow: GemmExport;
  ntWide: NtExport;
  ntRow: NtExport;
  ntOne: NtExport;
}

export function gemmTiles(exports: WebAssembly.Exports, suffix: '' | 'Acc'): GemmTiles {
  const get = <T>(name: string): T => exports[`${name}${suffix}`] as T;
  return {
    wide: get('gemmWide'), row: get('gemmRow'), narrow: get('gemmNarrow'), narrowRow: get('gemmNarrowRow'),
    tail: get('gemmTail'), tailRow: get('gemmTailRow'),
    ntWide: get('ntWide'), ntRow: get('ntRow'), ntOne: get('ntOne'),
  };
}

/** NN and TN products walk the shared dimension in blocks of this many (measured: 256 beat 128 and 512). */
const K_BLOCK = 256;
/** The NT kernel walks B in blocks of about this many floats (16 KiB), which stay in the L1 cache. */
const NT_BLOCK_FLOATS = 4096;

/** Validated shapes and strides of one call, in floats. */
interface Layout {
  aRow: number;
  aCol: number;
  bRow: number;
  bCol: number;
  ldc: number;
}

/**
 * C[m×n] (=|+=) op(A)·op(B); see GemmOptions. `owns` says whether a view is in the kernels' memory.
 */
export function runGemm(
  overwrite: GemmTiles, accumulateTiles: GemmTiles, owns: (view: Float32Array) => boolean,
  c: Float32Array, a: Float32Array, b: Float32Array, m: number, n: number, k: number, options: GemmOptions,
): void {
  const { aT = false, bT = false, accumulate = false } = options;
  for (const [name, value] of [['m', m], ['n', n], ['k', k]] as const) {
    if (!Number.isSafeInteger(value) || value < 0) throw new Error(`gemm: ${name} must be a non-negative integer, got ${value}`);
  }
  // Stored shapes: rows × width, with a row stride ≥ width.
  const stored: Record<'a' | 'b' | 'c', readonly [number, number]> = {
    a: aT ? [k, m] : [m, k],
    b: bT ? [n, k] : [k, n],
    c: [m, n],
  };
  const ld = { a: options.lda ?? stored.a[1], b: options.ldb ?? stored.b[1], c: options.ldc ?? stored.c[1] };
  const extent = { a: 0, b: 0, c: 0 };
  for (const [name, view] of [['a', a], ['b', b], ['c', c]] as const) {
    const [rows, width] = stored[name];
    const stride = ld[name];
    if (!Number.isSafeInteger(stride) || stride < width) throw new Error(`gemm: ld${name} ${stride} is less than the row width ${width}`);
    if (!owns(view)) throw new Error(`gemm: ${name} is not a view of this arena; allocate it with arena.alloc`);
    extent[name] = rows === 0 || width === 0 ? 0 : (rows - 1) * stride + width;
    if (view.length < extent[name]) throw new Error(`gemm: ${name} has ${view.length} floats, the shapes need ${extent[name]}`);
  }
  if (overlaps(c, extent.c, a, extent.a) || overlaps(c, extent.c, b, extent.b)) {
    throw new Error('gemm: c overlaps a or b; write the product into a separate view');
  }
  if (m === 0 || n === 0) return;
  if (k === 0) {
    if (!accumulate) for (let i = 0; i < m; i++) c.fill(0, i * ld.c, i * ld.c + n);
    return;
  }
  const layout: Layout = {
    aRow: aT ? 1 : ld.a, aCol: aT ? ld.a : 1,
    bRow: bT ? 1 : ld.b, bCol: bT ? ld.b : 1,
    ldc: ld.c,
  };
  const tiles = accumulate ? accumulateTiles : overwrite;
  if (bT && !aT) nt(tiles, c.byteOffset, a.byteOffset, ld.a, b.byteOffset, ld.b, ld.c, m, n, k);
  else if (bT) scalarBlock(c, a, b, layout, k, accumulate, 0, m, 0, n);
  else nn(tiles, accumulateTiles, c, a, b, layout, m, n, k, accumulate);
}

/** NN and TN: A through two strides, B with contiguous columns. */
function nn(
  tiles: GemmTiles, accumulateTiles: GemmTiles, c: Float32Array, a: Float32Array, b: Float32Array,
  { aRow, aCol, bRow, ldc }: Layout, m: number, n: number, k: number, accumulate: boolean,
): void {
  const wideRows = m - (m % WIDE_TILE.rows);
  const wideCols = n - (n % (4 * WIDE_TILE.vecs));
  const narrowRows = m - (m % NARROW_TILE.rows);
  const narrowCols = n - (n % 4);
  const cPtr = c.byteOffset;
  // The shared dimension in blocks, so a tile's strip of B (and, for Aᵀ, the cache lines of A
  // its rows share with the next tiles) stays in the L1 cache; later blocks add to C.
  for (let p0 = 0; p0 < k; p0 += K_BLOCK) {
    const kb = Math.min(K_BLOCK, k - p0);
    const t = p0 === 0 ? tiles : accumulateTiles;
    const aPtr = a.byteOffset + 4 * p0 * aCol, bPtr = b.byteOffset + 4 * p0 * bRow;
    const call = (f: GemmExport, i0: number, i1: number, j0: number, j1: number): void => {
      if (i1 > i0 && j1 > j0) f(aPtr + 4 * i0 * aRow, aRow * 4, aCol * 4, bPtr + 4 * j0, bRow * 4, cPtr + 4 * (i0 * ldc + j0), ldc * 4, i1 - i0, j1 - j0, kb);
    };
    call(t.wide, 0, wideRows, 0, wideCols);
    for (let i = wideRows; i < m; i += ROW_TILE.rows) call(t.row, i, i + 1, 0, wideCols);
    call(t.narrow, 0, narrowRows, wideCols, narrowCols);
    for (let i = narrowRows; i < m; i++) call(t.narrowRow, i, i + 1, wideCols, narrowCols);
    call(t.tail, 0, narrowRows, narrowCols, n);
    for (let i = narrowRows; i < m; i++) call(t.tailRow, i, i + 1, narrowCols, n);
  }
}

/** NT: dot products of contiguous rows, B walked in blocks of rows that stay in the L1 cache. */
function nt(tiles: GemmTiles, cPtr: number, aPtr: number, lda: number, bPtr: number, ldb: number, ldc: number, m: number, n: number, k: number): void {
  const chunks = k >> 2, rem = k & 3;
  const wideRows = m - (m % NT_WIDE.rows);
  const quadCols = n - (n % NT_ROW.cols);
  const block = Math.max(NT_WIDE.cols, Math.floor(NT_BLOCK_FLOATS / k / NT_WIDE.cols) * NT_WIDE.cols);
  for (let j0 = 0; j0 < quadCols; j0 += block) {
    const cols = Math.min(block, quadCols - j0);
    const b0 = bPtr + 4 * j0 * ldb, c0 = cPtr + 4 * j0;
    if (wideRows > 0) tiles.ntWide(aPtr, 4 * lda, b0, 4 * ldb, c0, 4 * ldc, wideRows, cols, chunks, rem);
    if (wideRows < m) tiles.ntRow(aPtr + 4 * wideRows * lda, 4 * lda, b0, 4 * ldb, c0 + 4 * wideRows * ldc, 4 * ldc, m - wideRows, cols, chunks, rem);
  }
  if (quadCols < n) tiles.ntOne(aPtr, 4 * lda, bPtr + 4 * quadCols * ldb, 4 * ldb, cPtr + 4 * quadCols, 4 * ldc, m, n - quadCols, chunks, rem);
}

/** Whether the first xLength floats of x and the first yLength of y share memory. */
export function overlaps(x: Float32Array, xLength: number, y: Float32Array, yLength: number): boolean {
  if (xLength === 0 || yLength === 0) return false;
  const x0 = x.byteOffset, x1 = x0 + 4 * xLength;
  const y0 = y.byteOffset, y1 = y0 + 4 * yLength;
  return x0 < y1 && y0 < x1;
}

/** C[i0..i1, j0..j1] (=|+=) Σp A(i,p)·B(p,j), with A(i,p) = a[i·aRow + p·aCol] and B(p,j) = b[p·bRow + j·bCol]. */
function scalarBlock(
  c: Float32Array, a: Float32Array, b: Float32Array, { aRow, aCol, bRow, bCol, ldc }: Layout,
  k: number, accumulate: boolean, i0: number, i1: number, j0: number, j1: number,
): void {
  for (let i = i0; i < i1; i++) {
    for (let j = j0; j < j1; j++) {
      let sum = 0;
      for (let p = 0; p < k; p++) sum += (a[i * aRow + p * aCol] as number) * (b[p * bRow + j * bCol] as number);
      c[i * ldc + j] = accumulate ? (c[i * ldc + j] as number) + sum : sum;
    }
  }
}
