/**
 * A fully connected ReLU network (the paper's 784-256-256-13) with forward and backward passes
 * over a batch. Matrices are row-major: a layer's weights are fanIn × fanOut, so a batch X
 * (rows = examples) maps to X·W + b. Parameters and gradients each live in one contiguous array
 * (the optimiser treats them as flat vectors); every matrix sits in the wasm arena.
 */
import { addBias, columnSums, gemmPacked, gemmPackedScratchFloats, reluBackward, type KernelArena } from '../../organisms/kernels/index.js';
import type { Rng } from './prng.js';

export interface Layer {
  fanIn: number;
  fanOut: number;
  weights: Float32Array;
  bias: Float32Array;
  weightGrad: Float32Array;
  biasGrad: Float32Array;
}

export function parameterCount(sizes: readonly number[]): number {
  let count = 0;
  for (let l = 1; l < sizes.length; l++) count += (sizes[l - 1] as number) * (sizes[l] as number) + (sizes[l] as number);
  return count;
}

function checkSizes(sizes: readonly number[]): void {
  if (sizes.length < 2 || sizes.some((s) => !Number.isSafeInteger(s) || s <= 0)) {
    throw new Error(`MLP sizes must be at least two positive integers (input, ..., output), got [${sizes.join(', ')}]`);
  }
}

export class Mlp {
  readonly sizes: readonly number[];
  readonly maxBatch: number;
  /** All weights and biases, layer by layer (W then b). */
  readonly params: Float32Array;
  readonly grads: Float32Array;
  readonly layers: Layer[];
  private readonly arena: KernelArena;
  /** Post-ReLU activations of the hidden layers, then the output logits; maxBatch rows each. */
  private readonly outputs: Float32Array[];
  /** Gradients with respect to each hidden layer's output (before the ReLU mask is applied). */
  private readonly deltas: Float32Array[];
  private lastInput: Float32Array | undefined;
  private lastBatch = 0;

  /** The lengths this network allocates in its arena, for sizing one with arenaFloats(). */
  static arenaLengths(sizes: readonly number[], maxBatch: number): number[] {
    checkSizes(sizes);
    const hidden = sizes.slice(1, -1);
    const p = parameterCount(sizes);
    return [p, p, ...sizes.slice(1).map((s) => s * maxBatch), ...hidden.map((s) => s * maxBatch), gemmPackedScratchFloats(Math.max(maxBatch, ...sizes))];
  }

  constructor(arena: KernelArena, sizes: readonly number[], maxBatch: number) {
    checkSizes(sizes);
    if (!Number.isSafeInteger(maxBatch) || maxBatch <= 0) throw new Error(`MLP maxBatch must be a positive integer, got ${maxBatch}`);
    this.arena = arena;
    this.sizes = [...sizes];
    this.maxBatch = maxBatch;
    const count = parameterCount(sizes);
    this.params = arena.alloc(count);
    this.grads = arena.alloc(count);
    this.layers = [];
    let offset = 0;
    for (let l = 1; l < sizes.length; l++) {
      const fanIn = sizes[l - 1] as number;
      const fanOut = sizes[l] as number;
      const w = fanIn * fanOut;
      this.layers.push({
        fanIn,
        fanOut,
        weights: this.params.subarray(offset, offset + w),
        weightGrad: this.grads.subarray(offset, offset + w),
        bias: this.params.subarray(offset + w, offset + w + fanOut),
        biasGrad: this.grads.subarray(offset + w, offset + w + fanOut),
      });
      offset += w + fanOut;
    }
    this.outputs = sizes.slice(1).map((s) => arena.alloc(s * maxBatch));
    this.deltas = sizes.slice(1, -1).map((s) => arena.alloc(s * maxBatch));
  }

  get inputSize(): number {
    return this.sizes[0] as number;
  }

  get outputSize(): number {
    return this.sizes[this.sizes.length - 1] as number;
  }

  /**
   * The paper's initialisation (its MultiLinear: `normal_(weight, 0, 1/sqrt(d_in))`): every weight
   * drawn from a normal with standard deviation 1/√fanIn, every bias 0.
   */
  initialise(rng: Rng): void {
    for (const layer of this.layers) {
      const std = 1 / Math.sqrt(layer.fanIn);
      for (let i = 0; i < layer.weights.length; i++) layer.weights[i] = rng.normal() * std;
      layer.bias.fill(0);
    }
  }

  /**
   * Runs `batch` rows of `input` (batch × inputSize, a view of the arena) through the network and
   * returns the logits (batch × outputSize, a view that the next forward pass overwrites).
   */
  forward(input: Float32Array, batch: number): Float32Array {
    if (!Number.isSafeInteger(batch) || batch <= 0 || batch > this.maxBatch) {
      throw new Error(`forward: batch ${batch} is outside 1..${this.maxBatch}`);
    }
    let x = input;
    for (let l = 0; l < this.layers.length; l++) {
      const layer = this.layers[l] as Layer;
      const out = this.outputs[l] as Float32Array;
      gemmPacked(this.arena, out, x, layer.weights, batch, layer.fanOut, layer.fanIn);
      addBias(this.arena, out, layer.bias, batch, layer.fanOut, { relu: l + 1 < this.layers.length });
      x = out;
    }
    this.lastInput = input;
    this.lastBatch = batch;
    return (this.outputs[this.outputs.length - 1] as Float32Array).subarray(0, batch * this.outputSize);
  }

  /**
   * Given d(loss)/d(logits) for the batch of the last forward pass (batch × outputSize), fills
   * `grads`. The input's own gradient is never needed, so the first layer stops at its weights.
   */
  backward(logitGrad: Float32Array): void {
    const input = this.lastInput;
    const batch = this.lastBatch;
    if (input === undefined) throw new Error('backward: call forward first');
    if (logitGrad.length < batch * this.outputSize) throw new Error(`backward: logit gradient has ${logitGrad.length} floats, need ${batch * this.outputSize}`);
    let delta = logitGrad;
    for (let l = this.layers.length - 1; l >= 0; l--) {
      const layer = this.layers[l] as Layer;
      const { fanIn, fanOut } = layer;
      const below = l === 0 ? input : (this.outputs[l - 1] as Float32Array);
      // dW = belowᵀ · delta; `below` is stored batch × fanIn, i.e. the transpose of what is multiplied.
      gemmPacked(this.arena, layer.weightGrad, below, delta, fanIn, fanOut, batch, { aT: true });
      layer.biasGrad.fill(0);
      columnSums(this.arena, layer.biasGrad, delta, batch, fanOut);
      if (l === 0) break;
      // d(below) = delta · Wᵀ (W is stored fanIn × fanOut: the NT layout), then through the ReLU that produced `below`.
      const next = this.deltas[l - 1] as Float32Array;
      this.arena.gemm(next, delta, layer.weights, batch, fanIn, fanOut, { bT: true });
      reluBackward(this.arena, next, next, below, batch * fanIn);
      delta = next;
    }
  }

  /** Copies another network's parameters (same sizes) into this one. */
  copyParamsFrom(other: Mlp | Float32Array): void {
    const src = other instanceof Mlp ? other.params : other;
    if (src.length !== this.params.length) throw new Error(`copyParamsFrom: ${src.length} parameters, this network has ${this.params.length}`);
    this.params.set(src);
  }
}
