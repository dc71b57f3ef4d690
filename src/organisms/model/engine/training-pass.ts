/**
 * One training pass (forward and backward) of a micro-batch on the engine: the loss, and gradients
 * added into the net's gradient views (so micro-batches accumulate). Every buffer comes from a
 * workspace allocated once from the arena for the largest micro-batch; nothing is allocated per step.
 */
import type { Batch } from '../batches.js';
import type { ModelConfig } from '../config.js';
import { addBias, attentionBackward, attentionForward, attentionProbsFloats, attentionScratchFloats, columnSums, crossEntropyRows, gelu, geluBackward, layerNorm, layerNormBackward, type AttentionShape, type KernelArena } from '../../kernels/index.js';
import type { BlockViews, EngineNet, LinearViews, NormViews } from './net.js';
import { LINEAR_NAMES, type LinearName } from '../weights.js';

interface LayerSaved {
  /** The residual stream entering LN1 (LN2): the norms' backward reads it. */
  xin1: Float32Array;
  mean1: Float32Array;
  rstd1: Float32Array;
  h1: Float32Array;
  q: Float32Array;
  k: Float32Array;
  v: Float32Array;
  probs: Float32Array;
  att: Float32Array;
  xin2: Float32Array;
  mean2: Float32Array;
  rstd2: Float32Array;
  h2: Float32Array;
  u: Float32Array;
  gel: Float32Array;
  /** s x A per LoRA linear: [tokens, rank]. */
  xa: Partial<Record<LinearName, Float32Array>>;
}

/** Attention probabilities kept for the largest micro-batch: rows of the full context are the most. */
function probsFloats(config: ModelConfig, tokens: number): number {
  return attentionProbsFloats({ lengths: Array<number>(Math.ceil(tokens / config.context)).fill(config.context), heads: config.heads });
}

/** Buffers for micro-batches of up to `maxTokens` tokens (rows x steps, steps <= context). */
export class TrainingWorkspace {
  readonly maxTokens: number;
  readonly layers: LayerSaved[];
  readonly x: Float32Array;
  readonly meanf: Float32Array;
  readonly rstdf: Float32Array;
  /** Where a frozen norm's (LoRA) gain and shift gradients go, unread. */
  readonly discard: Float32Array;
  readonly hf: Float32Array;
  readonly logits: Float32Array;
  readonly hc: Float32Array;
  readonly dhc: Float32Array;
  readonly dx: Float32Array;
  readonly dh: Float32Array;
  readonly tmp: Float32Array;
  readonly dq: Float32Array;
  readonly dk: Float32Array;
  readonly dv: Float32Array;
  readonly dwide: Float32Array;
  readonly loraTmp: Float32Array;
  readonly compact: Int32Array;
  /** Where each computed token comes from in the batch (row * steps + position). */
  readonly source: Int32Array;
  readonly targets: Int32Array;
  readonly weights: Float32Array;

  constructor(readonly arena: KernelArena, net: EngineNet, maxTokens: number) {
    const config = net.config;
    const { dModel: d, mlpHidden: m, vocabSize } = config;
    const T = Math.max(maxTokens, config.context);
    this.maxTokens = T;
    const r = Math.max(1, net.loraRank);
    this.layers = net.blocks.map((block) => {
      const xa: LayerSaved['xa'] = {};
      for (const name of LINEAR_NAMES) if (block.linears[name].lora !== undefined) xa[name] = arena.alloc(T * r);
      return {
        xin1: arena.alloc(T * d), mean1: arena.alloc(T), rstd1: arena.alloc(T), h1: arena.alloc(T * d),
        q: arena.alloc(T * d), k: arena.alloc(T * d), v: arena.alloc(T * d),
        probs: arena.alloc(probsFloats(config, T)), att: arena.alloc(T * d),
        xin2: arena.alloc(T * d), mean2: arena.alloc(T), rstd2: arena.alloc(T), h2: arena.alloc(T * d),
        u: arena.alloc(T * m), gel: arena.alloc(T * m), xa,
      };
    });
    this.x = arena.alloc(T * d);
    this.meanf = arena.alloc(T);
    this.rstdf = arena.alloc(T);
    this.discard = arena.alloc(2 * d);
    this.hf = arena.alloc(T * d);
    this.logits = arena.alloc(T * vocabSize);
    this.hc = arena.alloc(T * d);
    this.dhc = arena.alloc(T * d);
    this.dx = arena.alloc(T * d);
    this.dh = arena.alloc(T * d);
    this.tmp = arena.alloc(T * d);
    this.dq = arena.alloc(T * d);
    this.dk = arena.alloc(T * d);
    this.dv = arena.alloc(T * d);
    this.dwide = arena.alloc(T * m);
    this.loraTmp = arena.alloc(T * r);
    this.compact = new Int32Array(T);
    this.source = new Int32Array(T);
    this.targets = new Int32Array(T);
    this.weights = new Float32Array(T);
  }

  /** Floats a workspace takes (for sizing the arena). */
  static floats(config: ModelConfig, lora: { rank: number; linears: number } | undefined, maxTokens: number): number {
    const { dModel: d, mlpHidden: m, context, vocabSize } = config;
    const T = Math.max(maxTokens, context);
    const r = Math.max(1, lora?.rank ?? 0);
    const pad = (n: number): number => Math.ceil(n / 16) * 16;
    const perLayer = 8 * pad(T * d) + 4 * pad(T) + pad(probsFloats(config, T)) + 2 * pad(T * m);
    return config.layers * perLayer + (lora?.linears ?? 0) * pad(T * r) + 10 * pad(T * d) + 2 * pad(T) + pad(2 * d) + pad(T * vocabSize) + pad(T * m) + pad(T * r) + Math.max(attentionScratchFloats({ lengths: [context] }), pad(T)) + 64;
  }
}

/** y = x W + b (+ s (x A) B), y overwritten or, with `accumulate`, added to (a residual). */
function linearForward(arena: KernelArena, l: LinearViews, x: Float32Array, y: Float32Array, tokens: number, xa: Float32Array | undefined, accumulate: boolean): void {
  const out = y.subarray(0, tokens * l.outDim);
  arena.gemm(out, x.subarray(0, tokens * l.inDim), l.w, tokens, l.outDim, l.inDim, { accumulate });
  addBias(arena, out, l.bias, tokens, l.outDim);
  if (l.lora !== undefined && xa !== undefined) {
    const { a, b, rank, scale } = l.lora;
    arena.gemm(xa, x, a, tokens, rank, l.inDim);
    for (let i = 0; i < tokens * rank; i++) xa[i] = (xa[i] as number) * scale;
    arena.gemm(y, xa, b, tokens, l.outDim, rank, { accumulate: true });
  }
}

/** Gradients of linearForward: dx (overwritten, or added to with `accumulate`) and parameter gradients. */
function linearBackward(arena: KernelArena, l: LinearViews, x: Float32Array, dy: Float32Array, dx: Float32Array | undefined, tokens: number, xa: Float32Array | undefined, loraTmp: Float32Array, accumulate: boolean): void {
  if (l.dw !== undefined) arena.gemm(l.dw, x, dy, l.inDim, l.outDim, tokens, { aT: true, accumulate: true });
  if (l.dbias !== undefined) columnSums(arena, l.dbias, dy, tokens, l.outDim);
  if (dx !== undefined) arena.gemm(dx, dy, l.w, tokens, l.inDim, l.outDim, { bT: true, accumulate });
  if (l.lora !== undefined && xa !== undefined) {
    const { a, b, rank, scale } = l.lora;
    if (l.lora.db !== undefined) arena.gemm(l.lora.db, xa, dy, rank, l.outDim, tokens, { aT: true, accumulate: true });
    const g = loraTmp.subarray(0, tokens * rank);
    arena.gemm(g, dy, b, tokens, rank, l.outDim, { bT: true });
    for (let i = 0; i < tokens * rank; i++) g[i] = (g[i] as number) * scale;
    if (l.lora.da !== undefined) arena.gemm(l.lora.da, x, g, l.inDim, rank, tokens, { aT: true, accumulate: true });
    if (dx !== undefined) arena.gemm(dx, g, a, tokens, l.inDim, rank, { bT: true, accumulate: true });
  }
}

/**
 * Loss of one micro-batch (its weighted targets' loss divided by `lossTokens`, the whole step's
 * count, as train.ts's batchLoss), gradients added into the net's gradient views.
 */
export function trainingPass(net: EngineNet, ws: TrainingWorkspace, batch: Batch, lossTokens: number): number {
  const arena = ws.arena;
  const { dModel: d, heads, vocabSize: V, mlpHidden: m } = net.config;
  const hd = d / heads;
  const { rows, steps } = batch;
  if (rows * steps > ws.maxTokens) throw new Error(`engine: a micro-batch of ${rows * steps} tokens exceeds the workspace's ${ws.maxTokens}`);
  // Each row is computed up to its last counted target only: under causal attention the positions
  // after it (padding, an unscored tail) reach no counted loss, so their gradients are exactly zero
  // and leaving them out changes no number (~4% of a world batch's positions are padding).
  const source = ws.source;
  const lengths: number[] = [];
  let T = 0;
  for (let r = 0; r < rows; r++) {
    let length = steps;
    while (length > 0 && (batch.weights[r * steps + length - 1] as number) === 0) length--;
    for (let t = 0; t < length; t++) source[T + t] = r * steps + t;
    if (length > 0) lengths.push(length);
    T += length;
  }
  if (T === 0) return 0;
  const shape: AttentionShape = { lengths, heads, headDim: hd };
  const x = ws.x.subarray(0, T * d);

  // Embedding: token row + position row (+ a trained token row's change).
  for (let t = 0; t < T; t++) {
    const id = batch.inputs[source[t] as number] as number;
    const pos = (source[t] as number) % steps;
    const o = t * d;
    for (let i = 0; i < d; i++) x[o + i] = (net.wte[id * d + i] as number) + (net.wpe[pos * d + i] as number);
    const rowsOf = net.tokenRows;
    if (rowsOf !== undefined) {
      const j = rowsOf.ids.indexOf(id);
      if (j >= 0) for (let i = 0; i < d; i++) x[o + i] = (x[o + i] as number) + Math.fround(rowsOf.scale * (rowsOf.d[j * d + i] as number));
    }
  }

  net.blocks.forEach((block, l) => blockForward(block, ws.layers[l] as LayerSaved, ws, x, T, shape));

  // Final norm, then logits only for rows whose target counts (the rest add nothing to loss or gradient).
  const hf = ws.hf.subarray(0, T * d);
  layerNorm(arena, hf, ws.meanf, ws.rstdf, x, net.lnf.g, net.lnf.b, T, d);
  const compact = ws.compact;
  let C = 0;
  for (let t = 0; t < T; t++) if ((batch.weights[source[t] as number] as number) !== 0) compact[C++] = t;
  const hc = ws.hc.subarray(0, C * d);
  const { targets, weights } = ws;
  const scale = Math.max(1, lossTokens);
  for (let c = 0; c < C; c++) {
    const t = compact[c] as number;
    hc.set(hf.subarray(t * d, (t + 1) * d), c * d);
    targets[c] = batch.targets[source[t] as number] as number;
    weights[c] = (batch.weights[source[t] as number] as number) / scale;
  }
  const logits = ws.logits.subarray(0, C * V);
  arena.gemm(logits, hc, net.wte, C, V, d, { bT: true });
  const rowsOf = net.tokenRows;
  if (rowsOf !== undefined) {
    rowsOf.ids.forEach((id, j) => {
      for (let c = 0; c < C; c++) {
        let dot = 0;
        for (let i = 0; i < d; i++) dot += (hc[c * d + i] as number) * Math.fround(rowsOf.scale * (rowsOf.d[j * d + i] as number));
        logits[c * V + id] = (logits[c * V + id] as number) + dot;
      }
    });
  }
  // Weighted loss, and the logits' gradient written over them (softmax and row weights in wasm).
  const loss = crossEntropyRows(arena, logits, logits, targets, weights, C, V);

  // Backward from the logits (now their gradient).
  const dhc = ws.dhc.subarray(0, C * d);
  arena.gemm(dhc, logits, net.wte, C, d, V);
  if (net.dwte !== undefined) arena.gemm(net.dwte, logits, hc, V, d, C, { aT: true, accumulate: true });
  if (rowsOf !== undefined) {
    rowsOf.ids.forEach((id, j) => {
      for (let c = 0; c < C; c++) {
        const g = logits[c * V + id] as number;
        if (g === 0) continue;
        for (let i = 0; i < d; i++) {
          dhc[c * d + i] = (dhc[c * d + i] as number) + g * Math.fround(rowsOf.scale * (rowsOf.d[j * d + i] as number));
          if (rowsOf.dd !== undefined) rowsOf.dd[j * d + i] = (rowsOf.dd[j * d + i] as number) + rowsOf.scale * g * (hc[c * d + i] as number);
        }
      }
    });
  }
  const dhf = ws.dh.subarray(0, T * d);
  dhf.fill(0);
  for (let c = 0; c < C; c++) dhf.set(dhc.subarray(c * d, (c + 1) * d), (compact[c] as number) * d);
  const dx = ws.dx.subarray(0, T * d);
  layerNormBackward(arena, dx, net.lnf.dg ?? ws.discard.subarray(0, d), net.lnf.db ?? ws.discard.subarray(d), dhf, x, net.lnf.g, ws.meanf, ws.rstdf, T, d);

  // The gradient of the first block's input feeds only the embeddings: frozen ones (a LoRA without
  // token rows) leave it unread, so its last products (x·Wᵀ of Q, K, V and LN1's backward) are skipped.
  const embeddingsTrain = net.dwte !== undefined || net.dwpe !== undefined || rowsOf?.dd !== undefined;
  for (let l = net.blocks.length - 1; l >= 0; l--) blockBackward(net.blocks[l] as BlockViews, ws.layers[l] as LayerSaved, ws, dx, T, m, shape, l > 0 || embeddingsTrain);

  // Embedding gradients: rows scatter back, duplicates adding.
  for (let t = 0; t < T; t++) {
    const id = batch.inputs[source[t] as number] as number;
    const pos = (source[t] as number) % steps;
    const o = t * d;
    if (net.dwte !== undefined) for (let i = 0; i < d; i++) net.dwte[id * d + i] = (net.dwte[id * d + i] as number) + (dx[o + i] as number);
    if (net.dwpe !== undefined) for (let i = 0; i < d; i++) net.dwpe[pos * d + i] = (net.dwpe[pos * d + i] as number) + (dx[o + i] as number);
    if (rowsOf?.dd !== undefined) {
      const j = rowsOf.ids.indexOf(id);
      if (j >= 0) for (let i = 0; i < d; i++) rowsOf.dd[j * d + i] = (rowsOf.dd[j * d + i] as number) + rowsOf.scale * (dx[o + i] as number);
    }
  }
  return loss;
}

function blockForward(block: BlockViews, s: LayerSaved, ws: TrainingWorkspace, x: Float32Array, T: number, shape: AttentionShape): void {
  const d = shape.heads * shape.headDim;
  const L = block.linears;
  const arena = ws.arena;
  s.xin1.set(x);
  layerNorm(arena, s.h1, s.mean1, s.rstd1, s.xin1.subarray(0, T * d), block.ln1.g, block.ln1.b, T, d);
  const h1 = s.h1.subarray(0, T * d);
  const [q, k, v] = [s.q.subarray(0, T * d), s.k.subarray(0, T * d), s.v.subarray(0, T * d)];
  linearForward(arena, L['attn.wq'], h1, q, T, s.xa['attn.wq'], false);
  linearForward(arena, L['attn.wk'], h1, k, T, s.xa['attn.wk'], false);
  linearForward(arena, L['attn.wv'], h1, v, T, s.xa['attn.wv'], false);
  const att = s.att.subarray(0, T * d);
  attentionForward(arena, att, s.probs, q, k, v, shape);
  linearForward(arena, L['attn.wo'], att, x, T, s.xa['attn.wo'], true);
  s.xin2.set(x);
  layerNorm(arena, s.h2, s.mean2, s.rstd2, s.xin2.subarray(0, T * d), block.ln2.g, block.ln2.b, T, d);
  const m = L['mlp.w1'].outDim;
  const u = s.u.subarray(0, T * m);
  linearForward(arena, L['mlp.w1'], s.h2.subarray(0, T * d), u, T, s.xa['mlp.w1'], false);
  gelu(arena, s.gel, u, T * m);
  linearForward(arena, L['mlp.w2'], s.gel.subarray(0, T * m), x, T, s.xa['mlp.w2'], true);
}

/** Adds the block's gradients; dx (the residual stream's gradient) becomes its input's, unless `inputGradient` is false (then it is left partial). */
function blockBackward(block: BlockViews, s: LayerSaved, ws: TrainingWorkspace, dx: Float32Array, T: number, m: number, shape: AttentionShape, inputGradient: boolean): void {
  const d = shape.heads * shape.headDim;
  const L = block.linears;
  const arena = ws.arena;
  const dwide = ws.dwide.subarray(0, T * m);
  const dh = ws.dh.subarray(0, T * d);
  // MLP: x += gelu(LN2(x) W1 + b1) W2 + b2.
  linearBackward(arena, L['mlp.w2'], s.gel.subarray(0, T * m), dx, dwide, T, s.xa['mlp.w2'], ws.loraTmp, false);
  geluBackward(arena, dwide, dwide, s.u, T * m);
  linearBackward(arena, L['mlp.w1'], s.h2.subarray(0, T * d), dwide, dh, T, s.xa['mlp.w1'], ws.loraTmp, false);
  normBackwardInto(ws, block.ln2, dh, s.xin2, s.mean2, s.rstd2, dx, T, d);
  // Attention: x += attn(LN1(x)) Wo + bo.
  linearBackward(arena, L['attn.wo'], s.att.subarray(0, T * d), dx, dh, T, s.xa['attn.wo'], ws.loraTmp, false);
  const [dq, dk, dv] = [ws.dq.subarray(0, T * d), ws.dk.subarray(0, T * d), ws.dv.subarray(0, T * d)];
  attentionBackward(arena, dq, dk, dv, dh, s.probs, s.q.subarray(0, T * d), s.k.subarray(0, T * d), s.v.subarray(0, T * d), shape);
  const h1 = s.h1.subarray(0, T * d);
  // LN1's output gradient: for the block's input gradient, or for LN1's own when it trains.
  const needDh1 = inputGradient || block.ln1.dg !== undefined || block.ln1.db !== undefined;
  const dh1 = needDh1 ? dh : undefined;
  linearBackward(arena, L['attn.wq'], h1, dq, dh1, T, s.xa['attn.wq'], ws.loraTmp, false);
  linearBackward(arena, L['attn.wk'], h1, dk, dh1, T, s.xa['attn.wk'], ws.loraTmp, true);
  linearBackward(arena, L['attn.wv'], h1, dv, dh1, T, s.xa['attn.wv'], ws.loraTmp, true);
  if (needDh1) normBackwardInto(ws, block.ln1, dh, s.xin1, s.mean1, s.rstd1, dx, T, d);
}

/** The residual gradient dx += LN's input gradient from dy; the norm's own gradients when it trains. */
function normBackwardInto(ws: TrainingWorkspace, norm: NormViews, dy: Float32Array, xin: Float32Array, mean: Float32Array, rstd: Float32Array, dx: Float32Array, T: number, d: number): void {
  const x = xin.subarray(0, T * d);
  layerNormBackward(ws.arena, dx, norm.dg ?? ws.discard.subarray(0, d), norm.db ?? ws.discard.subarray(d), dy, x, norm.g, mean, rstd, T, d, { accumulate: true });
}
