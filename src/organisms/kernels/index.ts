/** emlab's own WebAssembly SIMD kernels (see README.md): one arena per thread, every view in it. */
export { arenaFloats, KernelArena, type ArenaOptions } from './arena.js';
export type { GemmOptions } from './gemm.js';
export { gemmPacked, gemmPackedScratchFloats, type GemmPackedOptions } from './gemm-packed.js';
export { bestSimd, relaxedSimdAvailable, type SimdMode } from './simd.js';
export { softmaxRows, softmaxRowsBackward, type SoftmaxOptions } from './softmax.js';
export { layerNorm, layerNormBackward } from './layer-norm.js';
export { gelu, geluBackward } from './gelu.js';
export { addBias, columnSums, reluBackward } from './bias.js';
export { crossEntropyRows } from './cross-entropy.js';
export { attentionBackward, attentionForward, attentionProbsFloats, attentionScratchFloats, type AttentionShape } from './attention.js';
export { decodeAttention, decodeAttentionScratchFloats, type DecodeAttentionShape } from './decode-attention.js';
export { adamStep, type AdamSettings } from './adam.js';
export { rowExps } from './row-exps.js';
