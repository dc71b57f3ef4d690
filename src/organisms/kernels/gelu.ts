/**
 * GELU in its tanh form (GPT-2's): y = ½x(1 + tanh(u)), u = √(2/π)(x + 0.044715x³), and its
 * gradient, over views of an arena. tanh(u) is computed as 1 − 2/(1 + e^{2u}), exact and safe at
 * both ends (e^{2u} = ∞ gives 1, 0 gives −1).
 */
import { checkCount, checkViews, type ViewOwner } from './views.js';

const C = Math.sqrt(2 / Math.PI);
const A = 0.044715;

/** y = gelu(x) for n entries; y may be x. */
export function gelu(arena: ViewOwner, y: Float32Array, x: Float32Array, n: number): void {
  checkCount('gelu', 'n', n);
  checkViews(arena, 'gelu', [['y', y, n], ['x', x, n]]);
  for (let i = 0; i < n; i++) {
    const v = x[i]!;
    const t = 1 - 2 / (1 + Math.exp(2 * C * (v + A * v * v * v)));
    y[i] = 0.5 * v * (1 + t);
  }
}

/** dx = dy · gelu′(x) for n entries, given the forward input x; dx may be dy. */
export function geluBackward(arena: ViewOwner, dx: Float32Array, dy: Float32Array, x: Float32Array, n: number): void {
  checkCount('geluBackward', 'n', n);
  checkViews(arena, 'geluBackward', [['dx', dx, n], ['dy', dy, n], ['x', x, n]]);
  for (let i = 0; i < n; i++) {
    const v = x[i]!;
    const v2 = v * v;
    const t = 1 - 2 / (1 + Math.exp(2 * C * (v + A * v2 * v)));
    dx[i] = dy[i]! * (0.5 * (1 + t) + 0.5 * v * (1 - t * t) * C * (1 + 3 * A * v2));
  }
}
