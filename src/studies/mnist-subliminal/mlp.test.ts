import { test } from 'node:test';
import assert from 'node:assert/strict';
import { arenaFloats, KernelArena } from '../../organisms/kernels/index.js';
import { sliceCrossEntropy, sliceDistillationKl, type LogitSlice } from './losses.js';
import { Mlp, parameterCount } from './mlp.js';
import { rngFor } from './prng.js';

const SIZES = [6, 18, 17, 5]; // ragged on purpose: wide tiles, narrow tiles and scalar edges all run
const BATCH = 7;

function setup(): { mlp: Mlp; arena: KernelArena; input: Float32Array; grad: Float32Array; target: Float32Array; labels: Uint8Array } {
  const arena = new KernelArena(arenaFloats([...Mlp.arenaLengths(SIZES, BATCH), BATCH * 6, BATCH * 5, BATCH * 5]));
  const mlp = new Mlp(arena, SIZES, BATCH);
  const rng = rngFor(7, 'mlp-test');
  mlp.initialise(rng);
  // Non-zero biases so that their gradients are checked away from the initial point too.
  for (const layer of mlp.layers) for (let j = 0; j < layer.bias.length; j++) layer.bias[j] = 0.1 * rng.normal();
  const input = arena.alloc(BATCH * 6);
  rng.fillUniform(input, -1, 1);
  const target = arena.alloc(BATCH * 5);
  for (let i = 0; i < target.length; i++) target[i] = 2 * rng.normal();
  const labels = new Uint8Array(BATCH).map(() => rng.int(3));
  return { mlp, arena, input, grad: arena.alloc(BATCH * 5), target, labels };
}

type Loss = (logits: Float32Array, grad: Float32Array) => number;

function checkGradients(name: string, lossOf: (s: ReturnType<typeof setup>) => Loss): void {
  const s = setup();
  const loss = lossOf(s);
  const lossAt = (): number => loss(s.mlp.forward(s.input, BATCH), new Float32Array(BATCH * 5));
  loss(s.mlp.forward(s.input, BATCH), s.grad);
  s.mlp.backward(s.grad);
  const analytic = Float64Array.from(s.mlp.grads);
  const eps = 1e-3;
  let checked = 0;
  let worst = 0;
  for (let i = 0; i < s.mlp.params.length; i += 3) {
    const keep = s.mlp.params[i] as number;
    s.mlp.params[i] = keep + eps;
    const up = lossAt();
    s.mlp.params[i] = keep - eps;
    const down = lossAt();
    s.mlp.params[i] = keep;
    const numeric = (up - down) / (2 * eps);
    const g = analytic[i] as number;
    const err = Math.abs(numeric - g) / (2e-3 + Math.abs(g));
    worst = Math.max(worst, err);
    assert.ok(err < 0.05, `${name}: parameter ${i}: analytic ${g}, finite difference ${numeric}`);
    checked++;
  }
  assert.ok(checked > 100, 'enough parameters were checked');
  assert.ok(analytic.some((g) => Math.abs(g) > 1e-2), `${name}: gradients are not all vanishing (worst rel. error ${worst})`);
}

test('backward matches finite differences for the cross-entropy on a slice of the logits', () => {
  const slice: LogitSlice = { first: 0, count: 3 };
  checkGradients('cross-entropy', (s) => (logits, grad) => sliceCrossEntropy(logits, 5, BATCH, slice, s.labels, grad));
});

test('backward matches finite differences for the distillation KL on the auxiliary slice and on all logits', () => {
  for (const slice of [{ first: 3, count: 2 }, { first: 0, count: 5 }]) {
    checkGradients(`KL ${slice.first}+${slice.count}`, (s) => (logits, grad) => sliceDistillationKl(logits, 5, BATCH, slice, s.target, 5, grad));
  }
});

test('the cross-entropy gradient leaves the logits outside its slice untouched', () => {
  const s = setup();
  const logits = s.mlp.forward(s.input, BATCH);
  sliceCrossEntropy(logits, 5, BATCH, { first: 0, count: 3 }, s.labels, s.grad);
  for (let r = 0; r < BATCH; r++) {
    assert.equal(s.grad[r * 5 + 3], 0);
    assert.equal(s.grad[r * 5 + 4], 0);
  }
});

test('the distillation KL is zero when the student already matches the teacher on the slice', () => {
  const s = setup();
  const logits = s.mlp.forward(s.input, BATCH);
  const kl = sliceDistillationKl(logits, 5, BATCH, { first: 2, count: 3 }, logits, 5, s.grad);
  assert.ok(Math.abs(kl) < 1e-12);
  assert.ok(s.grad.every((g) => Math.abs(g) < 1e-7));
});

test('the paper network has 270,093 parameters and its initial weights have standard deviation 1/√fan-in', () => {
  const sizes = [784, 256, 256, 13];
  assert.equal(parameterCount(sizes), 270093);
  const arena = new KernelArena(arenaFloats(Mlp.arenaLengths(sizes, 4)));
  const mlp = new Mlp(arena, sizes, 4);
  mlp.initialise(rngFor(3, 'init'));
  for (const layer of mlp.layers) {
    let sum = 0;
    let sq = 0;
    for (const w of layer.weights) {
      sum += w;
      sq += w * w;
    }
    const n = layer.weights.length;
    const sd = Math.sqrt(sq / n - (sum / n) ** 2);
    const expected = 1 / Math.sqrt(layer.fanIn);
    assert.ok(Math.abs(sd / expected - 1) < 0.05, `layer ${layer.fanIn}→${layer.fanOut}: sd ${sd}, expected ${expected}`);
    assert.ok(layer.bias.every((b) => b === 0));
  }
});
