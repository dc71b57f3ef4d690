/**
 * emlab's own GEMM kernels (src/organisms/kernels) against tfjs-backend-wasm's matMul (XNNPACK for
 * untransposed products, its own loop otherwise), on the organism's real shapes: a micro-batch of
 * 2,048 tokens, d 128, MLP 512, the world vocabulary (~1,266), LoRA rank 8, attention per head
 * 32-dim over a context of 256. Each product runs in the layout training uses it in (NN x·W, NT
 * x·Wᵀ and Q·Kᵀ, TN weight gradients Xᵀ·dY), in our plain-SIMD and relaxed-SIMD (FMA) builds and
 * in tfjs with the same transpose flags. Throughput is GFLOP/s (2·m·n·k per product).
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { arenaFloats, KernelArena, relaxedSimdAvailable, type GemmOptions, type SimdMode } from '../src/organisms/kernels/index.js';
import { defineBenchmark, type InProcessArm } from './harness/benchmark.js';

export interface KernelShape {
  label: string;
  m: number;
  n: number;
  k: number;
  layout: 'NN' | 'NT' | 'TN';
}

const T = 2048, D = 128, MLP = 512, VOCAB = 1266, RANK = 8, CTX = 256, HEAD = 32;

export const SHAPES: KernelShape[] = [
  { label: 'x·W (q/k/v/proj)', m: T, n: D, k: D, layout: 'NN' },
  { label: 'x·Wᵀ (q/k/v/proj)', m: T, n: D, k: D, layout: 'NT' },
  { label: 'x·W1 (MLP up)', m: T, n: MLP, k: D, layout: 'NN' },
  { label: 'h·W2ᵀ (MLP down)', m: T, n: D, k: MLP, layout: 'NT' },
  { label: 'x·Eᵀ (logits)', m: T, n: VOCAB, k: D, layout: 'NT' },
  { label: 'dY·E (logits input grad)', m: T, n: D, k: VOCAB, layout: 'NN' },
  { label: 'xᵀ·dH (W1 grad)', m: D, n: MLP, k: T, layout: 'TN' },
  { label: 'dLᵀ·x (embedding grad)', m: VOCAB, n: D, k: T, layout: 'TN' },
  { label: 'x·A (LoRA down, r 8)', m: T, n: RANK, k: D, layout: 'NN' },
  { label: 'u·B (LoRA up, r 8)', m: T, n: D, k: RANK, layout: 'NN' },
  { label: 'Q·Kᵀ (scores, one head)', m: CTX, n: CTX, k: HEAD, layout: 'NT' },
  { label: 'P·V (one head)', m: CTX, n: HEAD, k: CTX, layout: 'NN' },
  { label: 'Pᵀ·dO (dV, one head)', m: CTX, n: HEAD, k: CTX, layout: 'TN' },
];

const FLOP_PER_ARM = 4e8;

function options(layout: KernelShape['layout']): GemmOptions {
  return { aT: layout === 'TN', bT: layout === 'NT' };
}

export default defineBenchmark({
  name: 'kernels',
  description: 'GEMM GFLOP/s on the organism shapes: ours (plain / relaxed SIMD) vs tfjs-wasm matMul, per layout',
  unit: 'GFLOP',
  async setup(ctx) {
    tf.enableProdMode();
    if (!(await tf.setBackend('wasm'))) throw new Error('kernels bench: the tfjs wasm backend did not start');
    await tf.ready();
    const modes: SimdMode[] = relaxedSimdAvailable() ? ['plain', 'relaxed'] : ['plain'];
    const shapes = ctx.quick ? SHAPES.filter((_, i) => i % 4 === 0) : SHAPES;
    // Every shape keeps its own views, so no product writes into another's inputs.
    const capacity = arenaFloats(shapes.flatMap(({ m, n, k }) => [m * k, k * n, m * n]));
    const arenas = new Map(modes.map((simd) => [simd, new KernelArena(capacity, { simd })]));
    const arms: InProcessArm[] = [];
    const ratios: Array<[string, string]> = [];
    const tensors: tf.Tensor[] = [];
    for (const shape of shapes) {
      const { m, n, k, layout } = shape;
      const flop = 2 * m * n * k;
      const reps = Math.max(1, Math.round((ctx.quick ? FLOP_PER_ARM / 10 : FLOP_PER_ARM) / flop));
      const units = (reps * flop) / 1e9;
      const opts = options(layout);
      const tag = `${layout} ${m}x${n}x${k} ${shape.label}`;
      const fill = (x: Float32Array): Float32Array => x.map(() => Math.random() * 2 - 1);
      const aValues = fill(new Float32Array(m * k));
      const bValues = fill(new Float32Array(k * n));
      const ta = tf.tensor2d(aValues, opts.aT ? [k, m] : [m, k]);
      const tb = tf.tensor2d(bValues, opts.bT ? [n, k] : [k, n]);
      tensors.push(ta, tb);
      const tfjsName = `tfjs ${tag}`;
      arms.push({
        name: tfjsName,
        units,
        run: () => {
          for (let r = 0; r < reps; r++) tf.matMul(ta, tb, opts.aT, opts.bT).dispose();
        },
      });
      for (const [simd, arena] of arenas) {
        const a = arena.alloc(m * k);
        const b = arena.alloc(k * n);
        const c = arena.alloc(m * n);
        a.set(aValues);
        b.set(bValues);
        const name = `ours ${simd} ${tag}`;
        arms.push({
          name,
          units,
          run: () => {
            for (let r = 0; r < reps; r++) arena.gemm(c, a, b, m, n, k, opts);
          },
        });
        ratios.push([tfjsName, name]);
      }
      if (modes.length === 2) ratios.push([`ours plain ${tag}`, `ours relaxed ${tag}`]);
    }
    return {
      arms,
      ratios,
      teardown: () => {
        for (const t of tensors) t.dispose();
      },
    };
  },
});
