/**
 * A fixed-size WebAssembly memory and the kernels that run on it. Every matrix a kernel touches is
 * a Float32Array view into that memory, handed out by `alloc`; the memory never grows, so the views
 * never detach. One arena per thread: kernels run synchronously on the calling thread.
 */
import { gemmFunctions, NARROW_TILE, WIDE_TILE, type GemmExport } from './gemm-kernel.js';
import { NT_ONE, NT_ROW, NT_WIDE, ntFunctions, type NtExport } from './gemm-nt-kernel.js';
import { bestSimd, relaxedSimdAvailable, type SimdMode } from './simd.js';
import { encodeModule } from './wasm-encoder.js';

const PAGE_BYTES = 65536;
/** Floats of memory past the capacity, so a kernel's masked over-read (≤ 3 floats past a row) stays inside it. */
const SLACK_FLOATS = 16;
/** NN and TN products walk the shared dimension in blocks of this many (measured: 256 beats 128 and 512). */
const K_BLOCK = 256;
/** The NT kernel walks B in blocks of about this many floats (16 KiB), which stay in the L1 cache. */
const NT_BLOCK_FLOATS = 4096;
/** Every view starts on a 64-byte boundary (a cache line), so each takes a multiple of 16 floats. */
const ALIGN_FLOATS = 16;

function alignedFloats(length: number): number {
  return Math.ceil(length / ALIGN_FLOATS) * ALIGN_FLOATS;
}

/** The capacity an arena needs to hand out views of these lengths. */
export function arenaFloats(lengths: readonly number[]): number {
  return lengths.reduce((sum, length) => sum + alignedFloats(length), 0);
}

/** How op(A) and op(B) are stored, and whether C is overwritten or added to. */
export interface GemmOptions {
  /** A is stored k×m (row-major), so op(A) = Aᵀ. */
  aT?: boolean;
  /** B is stored n×k (row-major), so op(B) = Bᵀ. */
  bT?: boolean;
  /** C += op(A)·op(B) instead of C = op(A)·op(B). */
  accumulate?: boolean;
}

export interface ArenaOptions {
  /** `auto` (default): relaxed SIMD where the runtime has it (see simd.ts), else plain. */
  simd?: SimdMode | 'auto';
}

const compiled = new Map<SimdMode, WebAssembly.Module>();
function kernelModule(mode: SimdMode): WebAssembly.Module {
  // The memory size is set per instance (raised by grow below), so one compiled module serves
  // arenas of any size: the declared minimum is one page.
  let module = compiled.get(mode);
  if (module === undefined) {
    const fma = mode === 'relaxed';
    module = new WebAssembly.Module(encodeModule([...gemmFunctions(fma), ...ntFunctions(fma)], 1));
    compiled.set(mode, module);
  }
  return module;
}

interface TileExports {
  wide: GemmExport;
  narrow: GemmExport;
  ntWide: NtExport;
  ntRow: NtExport;
  ntOne: NtExport;
}

function tileExports(exports: WebAssembly.Exports, suffix: string): TileExports {
  return {
    wide: exports[`gemmWide${suffix}`] as GemmExport,
    narrow: exports[`gemmNarrow${suffix}`] as GemmExport,
    ntWide: exports[`ntWide${suffix}`] as NtExport,
    ntRow: exports[`ntRow${suffix}`] as NtExport,
    ntOne: exports[`ntOne${suffix}`] as NtExport,
  };
}

export class KernelArena {
  readonly capacityFloats: number;
  private readonly memory: WebAssembly.Memory;
  private readonly overwrite: TileExports;
  private readonly accumulate: TileExports;
  /** Next free float. */
  private top = 0;

  /** The SIMD this arena's kernels were compiled for. */
  readonly simd: SimdMode;

  constructor(capacityFloats: number, options: ArenaOptions = {}) {
    if (!Number.isSafeInteger(capacityFloats) || capacityFloats <= 0) {
      throw new Error(`KernelArena: capacity must be a positive integer number of floats, got ${capacityFloats}`);
    }
    const wanted = options.simd ?? 'auto';
    if (wanted === 'relaxed' && !relaxedSimdAvailable()) {
      throw new Error('KernelArena: this runtime has no relaxed SIMD; use simd: "auto" or "plain"');
    }
    this.simd = wanted === 'auto' ? bestSimd() : wanted;
    const instance = new WebAssembly.Instance(kernelModule(this.simd), {});
    const exports = instance.exports;
    this.memory = exports['memory'] as WebAssembly.Memory;
    const pages = Math.ceil(((capacityFloats + SLACK_FLOATS) * 4) / PAGE_BYTES);
    const current = this.memory.buffer.byteLength / PAGE_BYTES;
    if (pages > current) this.memory.grow(pages - current);
    this.capacityFloats = capacityFloats;
    this.overwrite = tileExports(exports, '');
    this.accumulate = tileExports(exports, 'Acc');
  }

  /** Floats handed out so far (including alignment padding). */
  get usedFloats(): number {
    return this.top;
  }

  /** A zeroed view of `length` floats, starting on a cache line. */
  alloc(length: number): Float32Array {
    if (!Number.isSafeInteger(length) || length < 0) throw new Error(`KernelArena.alloc: bad length ${length}`);
    const end = this.top + alignedFloats(length);
    if (end > this.capacityFloats) {
      throw new Error(`KernelArena.alloc: ${length} floats do not fit (capacity ${this.capacityFloats}, used ${this.top}); size the arena with arenaFloats()`);
    }
    const view = new Float32Array(this.memory.buffer, this.top * 4, length);
    this.top = end;
    view.fill(0);
    return view;
  }

  /** The current top of the arena, for `release`: views allocated after it are scratch. */
  mark(): number {
    return this.top;
  }

  /** Frees every view allocated since `mark()` returned `mark` (their memory is reused by later allocations). */
  release(mark: number): void {
    if (!Number.isSafeInteger(mark) || mark < 0 || mark > this.top || mark % ALIGN_FLOATS !== 0) {
      throw new Error(`KernelArena.release: ${mark} is not a mark of this arena (top ${this.top}); pass a value mark() returned`);
    }
    this.top = mark;
  }

  /** Frees every view handed out so far. */
  reset(): void {
    this.top = 0;
  }

  owns(view: Float32Array): boolean {
    return view.buffer === this.memory.buffer;
  }

  /**
   * C[m×n] = op(A)·op(B) (or += with `accumulate`), all row-major. op(A) is m×k: A is stored m×k,
   * or k×m with `aT`. op(B) is k×n: B is stored k×n, or n×k with `bT`. C must not overlap A or B.
   */
  gemm(c: Float32Array, a: Float32Array, b: Float32Array, m: number, n: number, k: number, options: GemmOptions = {}): void {
    const { aT = false, bT = false, accumulate = false } = options;
    for (const [name, value] of [['m', m], ['n', n], ['k', k]] as const) {
      if (!Number.isSafeInteger(value) || value < 0) throw new Error(`gemm: ${name} must be a non-negative integer, got ${value}`);
    }
    for (const [name, view, size] of [['a', a, m * k], ['b', b, k * n], ['c', c, m * n]] as const) {
      if (!this.owns(view)) throw new Error(`gemm: ${name} is not a view of this arena; allocate it with arena.alloc`);
      if (view.length < size) throw new Error(`gemm: ${name} has ${view.length} floats, the shapes need ${size}`);
    }
    if (overlaps(c, m * n, a, m * k) || overlaps(c, m * n, b, k * n)) {
      throw new Error('gemm: c overlaps a or b; write the product into a separate view');
    }
    if (m === 0 || n === 0) return;
    if (k === 0) {
      if (!accumulate) c.fill(0, 0, m * n);
      return;
    }
    const tiles = accumulate ? this.accumulate : this.overwrite;
    const aRow = aT ? 1 : k;
    const aCol = aT ? m : 1;
    if (bT && !aT) {
      nt(tiles, c.byteOffset, a.byteOffset, b.byteOffset, m, n, k);
      return;
    }
    if (bT) {
      scalarBlock(c, a, aRow, aCol, b, 1, k, n, k, accumulate, 0, m, 0, n);
      return;
    }
    const wideRows = m - (m % WIDE_TILE.rows);
    const wideCols = n - (n % (4 * WIDE_TILE.vecs));
    const narrowRows = m - (m % NARROW_TILE.rows);
    const narrowCols = wideCols + (n - wideCols) - ((n - wideCols) % (4 * NARROW_TILE.vecs));
    // The shared dimension in blocks, so a tile's strip of B (and, for Aᵀ, the cache lines of A
    // its rows share with the next tiles) stays in the L1 cache; later blocks add to C.
    for (let p0 = 0; p0 < k; p0 += K_BLOCK) {
      const kb = Math.min(K_BLOCK, k - p0);
      const t = p0 === 0 ? tiles : this.accumulate;
      const aPtr = a.byteOffset + 4 * p0 * aCol, bPtr = b.byteOffset + 4 * p0 * n;
      if (wideRows > 0 && wideCols > 0) t.wide(aPtr, aRow * 4, aCol * 4, bPtr, n * 4, c.byteOffset, n * 4, wideRows, wideCols, kb);
      if (narrowRows > 0 && narrowCols > wideCols) {
        t.narrow(aPtr, aRow * 4, aCol * 4, bPtr + wideCols * 4, n * 4, c.byteOffset + wideCols * 4, n * 4, narrowRows, narrowCols - wideCols, kb);
      }
    }
    // Scalar edges: rows below the wide tiles, rows below the narrow tiles, columns past both.
    scalarBlock(c, a, aRow, aCol, b, n, 1, n, k, accumulate, wideRows, m, 0, wideCols);
    scalarBlock(c, a, aRow, aCol, b, n, 1, n, k, accumulate, narrowRows, m, wideCols, narrowCols);
    scalarBlock(c, a, aRow, aCol, b, n, 1, n, k, accumulate, 0, m, narrowCols, n);
  }
}

/** C = A·Bᵀ through the NT tiles, B walked in blocks of rows that stay in the L1 cache. */
function nt(tiles: TileExports, cPtr: number, aPtr: number, bPtr: number, m: number, n: number, k: number): void {
  const chunks = k >> 2, rem = k & 3;
  const wideRows = m - (m % NT_WIDE.rows);
  const quadCols = n - (n % NT_ROW.cols);
  const block = Math.max(NT_WIDE.cols, Math.floor(NT_BLOCK_FLOATS / k / NT_WIDE.cols) * NT_WIDE.cols);
  for (let j0 = 0; j0 < quadCols; j0 += block) {
    const cols = Math.min(block, quadCols - j0);
    const b0 = bPtr + 4 * j0 * k, c0 = cPtr + 4 * j0;
    if (wideRows > 0) tiles.ntWide(aPtr, 4 * k, b0, 4 * k, c0, 4 * n, wideRows, cols, chunks, rem);
    if (wideRows < m) tiles.ntRow(aPtr + 4 * wideRows * k, 4 * k, b0, 4 * k, c0 + 4 * wideRows * n, 4 * n, m - wideRows, cols, chunks, rem);
  }
  if (quadCols < n) tiles.ntOne(aPtr, 4 * k, bPtr + 4 * quadCols * k, 4 * k, cPtr + 4 * quadCols, 4 * n, m, n - quadCols, chunks, rem);
}

function overlaps(x: Float32Array, xLength: number, y: Float32Array, yLength: number): boolean {
  if (xLength === 0 || yLength === 0) return false;
  const x0 = x.byteOffset, x1 = x0 + 4 * xLength;
  const y0 = y.byteOffset, y1 = y0 + 4 * yLength;
  return x0 < y1 && y0 < x1;
}

/** C[i0..i1, j0..j1] (=|+=) Σp A(i,p)·B(p,j), with A(i,p) = a[i·aRow + p·aCol] and B(p,j) = b[p·bRow + j·bCol]. */
function scalarBlock(
  c: Float32Array, a: Float32Array, aRow: number, aCol: number, b: Float32Array, bRow: number, bCol: number,
  n: number, k: number, accumulate: boolean, i0: number, i1: number, j0: number, j1: number,
): void {
  for (let i = i0; i < i1; i++) {
    for (let j = j0; j < j1; j++) {
      let sum = 0;
      for (let p = 0; p < k; p++) sum += (a[i * aRow + p * aCol] as number) * (b[p * bRow + j * bCol] as number);
      c[i * n + j] = accumulate ? (c[i * n + j] as number) + sum : sum;
    }
  }
}
