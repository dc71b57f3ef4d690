/** emlab's own WebAssembly SIMD kernels (see README.md): one arena per thread, every view in it. */
export { arenaFloats, KernelArena, type ArenaOptions, type GemmOptions } from './arena.js';
export { bestSimd, relaxedSimdAvailable, type SimdMode } from './simd.js';
