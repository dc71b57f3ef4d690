/** emlab's own WebAssembly SIMD kernels (see README.md): one arena per thread, every view in it. */
export { arenaFloats, KernelArena, type GemmOptions } from './arena.js';
