/**
 * A fixed-size WebAssembly memory and the kernels that run on it. Every matrix a kernel touches is
 * a Float32Array view into that memory, handed out by `alloc`; the memory never grows, so the views
 * never detach. One arena per thread: kernels run synchronously on the calling thread.
 */
import { gemmTiles, runGemm, type GemmOptions, type GemmTiles } from './gemm.js';
import { biasFunctions, type AddBiasExport, type ColumnSumsExport, type ReluBackwardExport, type ScaleRowsExport } from './bias-kernel.js';
import { elementwiseFunctions, type GeluBackwardExport, type GeluForwardExport, type SoftmaxBackwardExport, type SoftmaxExport } from './elementwise-kernel.js';
import { decodeAttentionFunction, type DecodeAttentionExport } from './decode-attention-kernel.js';
import { rowExpsFunction, type RowExpsExport } from './row-exps-kernel.js';
import { gemmFunctions } from './gemm-kernel.js';
import { adamFunctions, type AdamStepExport } from './adam-kernel.js';
import { gemmTallFunctions, type GemmTallExport, type PackTallAExport } from './gemm-tall-kernel.js';
import { layerNormFunctions, type LayerNormBackwardExport, type LayerNormForwardExport } from './layer-norm-kernel.js';
import { ntFunctions } from './gemm-nt-kernel.js';
import { bestSimd, relaxedSimdAvailable, type SimdMode } from './simd.js';
import { encodeModule } from './wasm-encoder.js';

const PAGE_BYTES = 65536;
/** Floats of memory past the capacity, so a kernel's masked over-read (≤ 3 floats past a row) stays inside it. */
const SLACK_FLOATS = 16;
/** Every view starts on a 64-byte boundary (a cache line), so each takes a multiple of 16 floats. */
const ALIGN_FLOATS = 16;

function alignedFloats(length: number): number {
  return Math.ceil(length / ALIGN_FLOATS) * ALIGN_FLOATS;
}

/** The capacity an arena needs to hand out views of these lengths. */
export function arenaFloats(lengths: readonly number[]): number {
  return lengths.reduce((sum, length) => sum + alignedFloats(length), 0);
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
    module = new WebAssembly.Module(encodeModule([...gemmFunctions(fma), ...ntFunctions(fma), ...gemmTallFunctions(fma), ...elementwiseFunctions(fma), ...layerNormFunctions(), ...biasFunctions(), ...adamFunctions(), decodeAttentionFunction(fma), rowExpsFunction()], 1));
    compiled.set(mode, module);
  }
  return module;
}

/** The wasm functions behind the fused kernels (for this folder's modules, not for callers). */
export interface ElementwiseExports {
  geluForward: GeluForwardExport;
  geluBackward: GeluBackwardExport;
  softmaxRows: SoftmaxExport;
  softmaxRowsBackward: SoftmaxBackwardExport;
  layerNormForward: LayerNormForwardExport;
  layerNormBackward: LayerNormBackwardExport;
  layerNormBackwardAcc: LayerNormBackwardExport;
  addBias: AddBiasExport;
  addBiasRelu: AddBiasExport;
  columnSums: ColumnSumsExport;
  reluBackward: ReluBackwardExport;
  scaleRows: ScaleRowsExport;
  decodeAttention: DecodeAttentionExport;
  gemmTall: GemmTallExport;
  gemmTallAcc: GemmTallExport;
  packTallA: PackTallAExport;
  adamStep: AdamStepExport;
  rowExps: RowExpsExport;
}

export class KernelArena {
  readonly capacityFloats: number;
  private readonly memory: WebAssembly.Memory;
  private readonly overwrite: GemmTiles;
  private readonly accumulate: GemmTiles;
  /** Next free float. */
  private top = 0;
  /**
   * Floats from here on were never handed out, so they are still the zeros wasm memory starts with:
   * alloc zeroes only what lies below (a fresh arena's views cost no memset and touch no page early).
   */
  private pristine = 0;

  /** The SIMD this arena's kernels were compiled for. */
  readonly simd: SimdMode;
  /** @internal The fused kernels' wasm functions, for this folder's modules (softmax.ts, gelu.ts, layer-norm.ts, bias.ts, cross-entropy.ts, decode-attention.ts, row-exps.ts). */
  readonly elementwise: ElementwiseExports;

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
    this.overwrite = gemmTiles(exports, '');
    this.accumulate = gemmTiles(exports, 'Acc');
    this.elementwise = {
      geluForward: exports['geluForward'] as GeluForwardExport,
      geluBackward: exports['geluBackward'] as GeluBackwardExport,
      softmaxRows: exports['softmaxRows'] as SoftmaxExport,
      softmaxRowsBackward: exports['softmaxRowsBackward'] as SoftmaxBackwardExport,
      layerNormForward: exports['layerNormForward'] as LayerNormForwardExport,
      layerNormBackward: exports['layerNormBackward'] as LayerNormBackwardExport,
      layerNormBackwardAcc: exports['layerNormBackwardAcc'] as LayerNormBackwardExport,
      addBias: exports['addBias'] as AddBiasExport,
      addBiasRelu: exports['addBiasRelu'] as AddBiasExport,
      columnSums: exports['columnSums'] as ColumnSumsExport,
      reluBackward: exports['reluBackward'] as ReluBackwardExport,
      scaleRows: exports['scaleRows'] as ScaleRowsExport,
      decodeAttention: exports['decodeAttention'] as DecodeAttentionExport,
      gemmTall: exports['gemmTall'] as GemmTallExport,
      gemmTallAcc: exports['gemmTallAcc'] as GemmTallExport,
      packTallA: exports['packTallA'] as PackTallAExport,
      adamStep: exports['adamStep'] as AdamStepExport,
      rowExps: exports['rowExps'] as RowExpsExport,
    };
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
    if (this.top < this.pristine) view.fill(0, 0, Math.min(length, this.pristine - this.top));
    this.top = end;
    this.pristine = Math.max(this.pristine, end);
    return view;
  }

  /** A zeroed view of `length` float64 values (two floats each), starting on a cache line. */
  allocF64(length: number): Float64Array {
    if (!Number.isSafeInteger(length) || length < 0) throw new Error(`KernelArena.allocF64: bad length ${length}`);
    const floats = this.alloc(2 * length);
    return new Float64Array(floats.buffer, floats.byteOffset, length);
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

  owns(view: Float32Array | Float64Array): boolean {
    return view.buffer === this.memory.buffer;
  }

  /**
   * C[m×n] = op(A)·op(B) (or += with `accumulate`), all row-major. op(A) is m×k: A is stored m×k,
   * or k×m with `aT`. op(B) is k×n: B is stored k×n, or n×k with `bT`. Row strides `lda`, `ldb`,
   * `ldc` default to dense rows. C must not overlap A or B.
   */
  gemm(c: Float32Array, a: Float32Array, b: Float32Array, m: number, n: number, k: number, options: GemmOptions = {}): void {
    runGemm(this.overwrite, this.accumulate, (view) => this.owns(view), c, a, b, m, n, k, options);
  }
}
