/** The kernels' runtime: compiled on first use; this only settles the SIMD mode early (relaxed SIMD where Node has it). */
import { bestSimd } from '../../kernels/index.js';

/** Safe to call any number of times; kept so callers that prepared the old tfjs backend need not change. */
export async function ensureBackend(): Promise<void> {
  bestSimd();
}
