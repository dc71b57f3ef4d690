/**
 * Which SIMD the runtime compiles: relaxed SIMD (f32x4.relaxed_madd, a fused multiply-add on CPUs
 * with FMA) or plain 128-bit SIMD. Node 20's V8 has relaxed SIMD behind a flag; V8 reads wasm
 * feature flags when it validates a module, so setting the flag at run time (before the first
 * kernel compiles) enables it in this thread and in worker threads started later (checked on
 * Node 20.20). Newer Node versions ship it on, and then nothing is set.
 */
import { setFlagsFromString } from 'node:v8';
import { encodeModule, op, V128 } from './wasm-encoder.js';

export type SimdMode = 'relaxed' | 'plain';

/** A one-function module that uses f32x4.relaxed_madd, to feature-detect it. */
function probe(): Uint8Array<ArrayBuffer> {
  const body = [...op.localGet(0), ...op.localGet(1), ...op.localGet(2), ...op.f32x4RelaxedMadd()];
  return encodeModule([{ name: 'madd', params: [V128, V128, V128], results: [V128], locals: [], body }], 1);
}

let detected: boolean | undefined;

/** Whether this runtime compiles relaxed SIMD, turning on Node 20's flag first if it is off. */
export function relaxedSimdAvailable(): boolean {
  if (detected !== undefined) return detected;
  const bytes = probe();
  if (!WebAssembly.validate(bytes)) {
    try {
      setFlagsFromString('--experimental-wasm-relaxed-simd');
    } catch {
      // A runtime without V8 flags: plain SIMD it is.
    }
  }
  detected = WebAssembly.validate(bytes);
  return detected;
}

/** The mode `auto` resolves to on this runtime. */
export function bestSimd(): SimdMode {
  return relaxedSimdAvailable() ? 'relaxed' : 'plain';
}
