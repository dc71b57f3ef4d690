/**
 * GELU in its tanh form (GPT-2's): y = ½x(1 + tanh(u)), u = √(2/π)(x + 0.044715x³), and its
 * gradient, over views of an arena. Whole vectors of four run in wasm SIMD (elementwise-kernel.ts;
 * 6x the JavaScript loop below on 2,048×512, see README); the last n mod 4 entries run here, with
 * tanh(u) = 1 − 2/(1 + e^{2u}), exact and safe at both ends.
 */
import type { KernelArena } from './arena.js';
import { checkCount, checkViews } from './views.js';

const C = Math.sqrt(2 / Math.PI);
const A = 0.044715;

/** y = gelu(x) for n entries; y may be x. */
export function gelu(arena: KernelArena, y: Float32Array, x: Float32Array, n: number): void {
  checkCount('gelu', 'n', n);
  checkViews(arena, 'gelu', [['y', y, n], ['x', x, n]]);
  const vectors = n >> 2;
  if (vectors > 0) arena.elementwise.geluForward(x.byteOffset, y.byteOffset, vectors);
  for (let i = 4 * vectors; i < n; i++) {
    const v = x[i]!;
    const t = 1 - 2 / (1 + Math.exp(2 * C * (v + A * v * v * v)));
    y[i] = 0.5 * v * (1 + t);
  }
}

/** dx = dy · gelu′(x) for n entries, given the forward input x; dx may be dy. */
export function geluBackward(arena: KernelArena, dx: Float32Array, dy: Float32Array, x: Float32Array, n: number): void {
  checkCount('geluBackward', 'n', n);
  checkViews(arena, 'geluBackward', [['dx', dx, n], ['dy', dy, n], ['x', x, n]]);
  const vectors = n >> 2;
  if (vectors > 0) arena.elementwise.geluBackward(dx.byteOffset, dy.byteOffset, x.byteOffset, vectors);
  for (let i = 4 * vectors; i < n; i++) {
    const v = x[i]!;
    const v2 = v * v;
    const t = 1 - 2 / (1 + Math.exp(2 * C * (v + A * v2 * v)));
    dx[i] = dy[i]! * (0.5 * (1 + t) + 0.5 * v * (1 - t * t) * C * (1 + 3 * A * v2));
  }
}
