/** emlab's own WebAssembly SIMD kernels (see README.md): one arena per thread, every view in it. */
export { arenaFloats, KernelArena, type ArenaOptions } from './arena.js';
export type { GemmOptions } from './gemm.js';
export { bestSimd, relaxedSimdAvailable, type SimdMode } from './simd.js';
