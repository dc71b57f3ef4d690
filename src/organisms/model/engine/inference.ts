/**
 * Inference on the engine: the model's weights (an adapter merged into copies: W + s A B, trained
 * token rows into the embedding) in one arena, with a key/value cache of fixed slots. Each slot
 * holds one sequence's keys and values [layer, head, position, headDim]: a new token's key and
 * value are contiguous writes, and decoding reads each head's cache front to back
 * (kernels/decode-attention); prefill and scoring take them as strided products.
 * `forward` runs new tokens of any number of slots at once (prefill, scoring, one decoding step)
 * and appends their keys and values; rows never see each other, so a row's numbers do not depend
 * on what it is batched with (products run on a row count padded to the kernels' tile).
 */
import { KernelArena, addBias, arenaFloats, decodeAttention, gelu, layerNorm, rowExps, softmaxRows } from '../../kernels/index.js';
import type { OrganismModel } from '../organism.js';
import { LINEAR_NAMES, addLowRank, linearShape, weightSpecs } from '../weights.js';
import { residualHookOf, type ResidualHook } from '../hooks.js';
import { assembleEngineNet, type BlockViews, type EngineNet, type LinearViews } from './net.js';
import { ParamLayout } from './params.js';

/** Row counts of products are padded to this, so every row takes the same kernel path. */
const ROW_QUANTUM = 4;
/** Rows of logits whose exps one `logitExps` call takes at most (float64: 10 kB a row at the default vocabulary). */
export const EXP_ROWS = 256;

export class InferenceSession {
  readonly net: EngineNet;
  readonly slots: number;
  readonly maxTokens: number;
  /** Tokens held by each slot. */
  readonly lengths: Int32Array;
  /** The weights, an adapter merged: the flat parameter array. */
  private readonly weights: Float32Array;
  /** The ids a slot holds, where known (prefill), so a later prompt with the same beginning reuses them. */
  private readonly held: (readonly number[] | undefined)[];
  /** Per slot: the slot whose first prefixLength positions it reads in place (sharePrompt), or −1. */
  private readonly prefixOf: Int32Array;
  private readonly prefixLength: Int32Array;
  private readonly arena: KernelArena;
  private readonly keys: Float32Array;
  private readonly values: Float32Array;
  private readonly slotFloats: number;
  private readonly x: Float32Array;
  private readonly h: Float32Array;
  private readonly tmp: Float32Array;
  private readonly qH: Float32Array;
  private readonly attH: Float32Array;
  /** Values of rows continuing a shared prefix (they are not cached). */
  private readonly ownValues: Float32Array;
  private readonly wide: Float32Array;
  private readonly scores: Float32Array;
  private readonly mean: Float32Array;
  private readonly rstd: Float32Array;
  private readonly gathered: Float32Array;
  private readonly logitRows: Float32Array;
  private readonly exps: Float64Array;
  private readonly expStats: Float64Array;

  /** Positions each slot holds (the model's context, or less when no sequence will be longer). */
  readonly cacheLength: number;
  private hook: ResidualHook | undefined;

  /** Called after every block with the stream of the tokens run (../hooks.ts); set per call by withInferenceSession. */
  get residualHook(): ResidualHook | undefined {
    return this.hook;
  }

  /** A new hook changes what positions compute: prompts held from before are not reused. */
  set residualHook(hook: ResidualHook | undefined) {
    if (hook !== this.hook) this.held.fill(undefined);
    this.hook = hook;
  }

  /**
   * `slots` sequences of up to `cacheLength` tokens each (default: the context); `maxTokens` new
   * tokens per forward call, `maxLogitRows` rows of logits per `logits` call (default maxTokens).
   * `weightsOf`: a session of the same model revision whose weights (adapter merged) are copied, not
   * merged again.
   */
  constructor(model: OrganismModel, options: { slots: number; maxTokens: number; maxLogitRows?: number; cacheLength?: number; weightsOf?: InferenceSession }) {
    const config = model.config;
    const { dModel: d, mlpHidden: m, layers, vocabSize: V } = config;
    // The values' product runs over the whole cache length (zeros past a row's keys): a short cache is also a fast one.
    const ctx = Math.min(config.context, Math.ceil(Math.max(1, options.cacheLength ?? config.context) / 4) * 4);
    this.cacheLength = ctx;
    const layout = new ParamLayout(weightSpecs(config));
    const T = Math.ceil(Math.max(options.maxTokens, 1) / ROW_QUANTUM) * ROW_QUANTUM;
    const logitRows = Math.ceil(Math.max(1, options.maxLogitRows ?? T) / ROW_QUANTUM) * ROW_QUANTUM;
    this.slots = options.slots;
    this.maxTokens = T;
    this.slotFloats = layers * d * ctx;
    const expRows = Math.min(logitRows, EXP_ROWS);
    const floats = arenaFloats([layout.size, 2 * this.slots * this.slotFloats, T * d, T * d, T * d, T * d, T * d, T * m, Math.max(ctx, T) * ctx, T * d, T, T, logitRows * d, logitRows * V, 2 * expRows * V, 4 * expRows]);
    this.arena = new KernelArena(floats);
    const base = layout.alloc(this.arena);
    this.weights = base.data;
    if (options.weightsOf !== undefined) {
      // The same model revision: its weights, adapter merged, are this session's too.
      base.data.set(options.weightsOf.weights);
    } else {
      for (const [name, t] of model.hostWeights()) base.view(name).set(t.data);
      const adapter = model.adapter;
      if (adapter !== undefined) {
        // Merged once, as mergeLora merges: cheaper than two extra products per linear at every step.
        for (let l = 0; l < layers; l++) {
          for (const linear of LINEAR_NAMES) {
            const name = `h.${l}.${linear}`;
            const a = adapter.tensors.get(`${name}.lora_a`);
            const b = adapter.tensors.get(`${name}.lora_b`);
            if (a === undefined || b === undefined) continue;
            const [inDim, outDim] = linearShape(config, linear);
            addLowRank(base.view(name), a.data, b.data, inDim, outDim, adapter.config.rank, adapter.scale);
          }
        }
        adapter.addTokenRows(base.view('wte'));
      }
    }
    this.net = assembleEngineNet(config, base);
    this.keys = this.arena.alloc(this.slots * this.slotFloats);
    this.values = this.arena.alloc(this.slots * this.slotFloats);
    this.lengths = new Int32Array(this.slots);
    this.held = Array<readonly number[] | undefined>(this.slots).fill(undefined);
    this.prefixOf = new Int32Array(this.slots).fill(-1);
    this.prefixLength = new Int32Array(this.slots);
    this.x = this.arena.alloc(T * d);
    this.h = this.arena.alloc(T * d);
    this.tmp = this.arena.alloc(T * d);
    this.qH = this.arena.alloc(T * d);
    this.attH = this.arena.alloc(T * d);
    this.ownValues = this.arena.alloc(T * d);
    this.wide = this.arena.alloc(T * m);
    this.scores = this.arena.alloc(Math.max(ctx, T) * ctx);
    this.mean = this.arena.alloc(T);
    this.rstd = this.arena.alloc(T);
    this.gathered = this.arena.alloc(logitRows * d);
    this.logitRows = this.arena.alloc(logitRows * V);
    this.exps = this.arena.allocF64(expRows * V);
    this.expStats = this.arena.allocF64(2 * expRows);
  }

  /**
   * For `rows` rows of logits (a view this session's `logits` returned, at most EXP_ROWS rows): each
   * row's exps relative to its maximum, in float64, and [max, sum of the exps] per row (kernels'
   * rowExps): log P(id) = logit − (max + log sum). Views valid until the next call.
   */
  logitExps(logits: Float32Array, rows: number): { exps: Float64Array; stats: Float64Array } {
    const V = this.net.config.vocabSize;
    if (rows > this.expStats.length / 2) throw new Error(`engine: ${rows} rows of exps exceed the session's ${this.expStats.length / 2}`);
    rowExps(this.arena, this.exps, this.expStats, logits, rows, V);
    return { exps: this.exps, stats: this.expStats };
  }

  /** Slot `to` becomes a copy of slot `from` (a prompt's cache shared by its completions). */
  copySlot(from: number, to: number): void {
    if (from === to) return;
    this.materialize(from);
    this.prefixOf[to] = -1;
    this.copyPositions(from, to, 0, this.lengths[from] as number);
    this.lengths[to] = this.lengths[from] as number;
    this.held[to] = this.held[from];
  }

  /**
   * Slot `to` continues the sequence in slot `from` (a prompt its completions share) without a copy
   * of its first positions, a multiple of 4: decoding reads them from `from` (kernels'
   * decodeAttention with a prefix), so n completions of one prompt read its keys and values once
   * from memory the caches keep, not n copies (decoding attention is bound by memory). Valid until
   * clearSlots; `from` must not be rewritten below its present length meanwhile (generation only
   * appends). A slot that runs anything but decoding steps takes its own copy first.
   */
  sharePrompt(from: number, to: number): void {
    const n = this.lengths[from] as number;
    const shared = Math.floor(n / 4) * 4;
    if (from === to || shared === 0 || (this.prefixOf[from] as number) >= 0 || this.net.config.dModel / this.net.config.heads % 4 !== 0) {
      this.copySlot(from, to);
      return;
    }
    this.copyPositions(from, to, shared, n);
    this.prefixOf[to] = from;
    this.prefixLength[to] = shared;
    this.lengths[to] = n;
    this.held[to] = this.held[from];
  }

  /** Every slot empty, none sharing another's positions. */
  clearSlots(): void {
    this.lengths.fill(0);
    this.held.fill(undefined);
    this.prefixOf.fill(-1);
  }

  /** Positions [start, end) of every layer and head, keys and values, from slot `from` to slot `to`. */
  private copyPositions(from: number, to: number, start: number, end: number): void {
    const { layers, heads, dModel: d } = this.net.config;
    const ctx = this.cacheLength;
    const hd = d / heads;
    for (let g = 0; g < layers * heads; g++) {
      const at = g * ctx * hd;
      for (const cache of [this.keys, this.values]) cache.copyWithin(to * this.slotFloats + at + start * hd, from * this.slotFloats + at + start * hd, from * this.slotFloats + at + end * hd);
    }
  }

  /** A slot sharing another's first positions (sharePrompt) gets its own copy of them. */
  private materialize(slot: number): void {
    const from = this.prefixOf[slot] as number;
    if (from < 0) return;
    this.copyPositions(from, slot, 0, this.prefixLength[slot] as number);
    this.prefixOf[slot] = -1;
  }

  /**
   * Puts `ids` into `slot` and returns the final hidden state of its last token (a view). Positions
   * the slot already holds with the same ids are kept, not run again (judge prompts share their
   * beginning); a row's numbers do not depend on what else ran, so the result is the same.
   */
  prefill(slot: number, ids: readonly number[]): Float32Array {
    this.materialize(slot);
    const held = this.held[slot] ?? [];
    let same = 0;
    const limit = Math.min(held.length, this.lengths[slot] as number, ids.length - 1);
    while (same < limit && held[same] === ids[same]) same++;
    this.lengths[slot] = same;
    const hidden = this.forward([slot], Int32Array.from(ids.slice(same)), ids.length - same);
    this.held[slot] = [...ids];
    const d = this.net.config.dModel;
    return hidden.subarray((ids.length - same - 1) * d, (ids.length - same) * d);
  }

  /**
   * Runs `steps` new tokens for each of `slots` (ids row-major [rows, steps]) at positions that
   * continue each slot; returns the final hidden states [rows * steps, dModel] (a view, valid until
   * the next call). Each slot's length grows by `advance[r]` (default: steps): right padding of a
   * row runs but is forgotten, and later tokens overwrite it.
   */
  forward(slots: readonly number[], ids: Int32Array, steps: number, advance?: readonly number[]): Float32Array {
    // Only decoding steps read a shared prompt in place (attendInSlots).
    if (steps > 1) for (const s of slots) this.materialize(s);
    const past = slots.map((s) => this.lengths[s] as number);
    const hidden = this.run(ids, steps, past, { slots });
    slots.forEach((s, r) => {
      this.lengths[s] = (past[r] as number) + (advance?.[r] ?? steps);
      this.held[s] = undefined;
    });
    return hidden;
  }

  /**
   * Runs `rows` continuations of the sequence in slot `prefix` at once ([rows, steps] ids), each
   * seeing the prefix and its own earlier tokens, without writing the cache (scoring candidate
   * replies): the prefix's keys are read once per head for all rows, not copied to each.
   */
  forwardOnPrefix(prefix: number, ids: Int32Array, steps: number): Float32Array {
    const rows = ids.length / steps;
    const past = Array<number>(rows).fill(this.lengths[prefix] as number);
    return this.run(ids, steps, past, { prefix });
  }

  private run(ids: Int32Array, steps: number, past: readonly number[], mode: AttentionMode): Float32Array {
    const { dModel: d, heads, mlpHidden: m } = this.net.config;
    const ctx = this.cacheLength;
    const hd = d / heads;
    const T = ids.length;
    const rows = T / steps;
    if (!Number.isInteger(rows)) throw new Error(`engine: ${T} ids are not rows of ${steps} steps`);
    const Tp = Math.ceil(T / ROW_QUANTUM) * ROW_QUANTUM;
    if (Tp > this.maxTokens) throw new Error(`engine: ${T} tokens exceed the session's ${this.maxTokens} per call`);
    past.forEach((p, r) => {
      if (p + steps > ctx) throw new Error(`engine: row ${r} would pass the session's ${ctx} positions`);
    });
    const net = this.net;
    const x = this.x.subarray(0, Tp * d);
    x.fill(0);
    for (let t = 0; t < T; t++) {
      const id = ids[t] as number;
      const pos = (past[Math.floor(t / steps)] as number) + (t % steps);
      for (let i = 0; i < d; i++) x[t * d + i] = (net.wte[id * d + i] as number) + (net.wpe[pos * d + i] as number);
    }
    const qScale = 1 / Math.sqrt(hd);
    const hook = this.hook;
    net.blocks.forEach((block, l) => {
      this.block(block, l, mode, rows, past, steps, Tp, qScale, hd, m);
      hook?.(l, x, T, steps);
    });
    layerNorm(this.arena, this.h.subarray(0, Tp * d), this.mean, this.rstd, x, net.lnf.g, net.lnf.b, Tp, d);
    return this.h.subarray(0, T * d);
  }

  /** Next-token logits [rows.length, vocab] of the given rows of the last forward's hidden states (a view). */
  logits(hidden: Float32Array, rows: readonly number[]): Float32Array {
    const { dModel: d, vocabSize: V } = this.net.config;
    const n = rows.length;
    const padded = Math.ceil(n / ROW_QUANTUM) * ROW_QUANTUM;
    if (padded * d > this.gathered.length) throw new Error(`engine: ${n} logit rows exceed the session's ${this.gathered.length / d}`);
    const g = this.gathered.subarray(0, padded * d);
    g.fill(0);
    rows.forEach((row, i) => g.set(hidden.subarray(row * d, (row + 1) * d), i * d));
    const out = this.logitRows.subarray(0, padded * V);
    this.arena.gemm(out, g, this.net.wte, padded, V, d, { bT: true });
    return out.subarray(0, n * V);
  }

  private linear(l: LinearViews, input: Float32Array, out: Float32Array, tokens: number, residual: boolean): void {
    const y = out.subarray(0, tokens * l.outDim);
    this.arena.gemm(y, input.subarray(0, tokens * l.inDim), l.w, tokens, l.outDim, l.inDim, { accumulate: residual });
    addBias(this.arena, y, l.bias, tokens, l.outDim);
  }

  private block(block: BlockViews, layer: number, mode: AttentionMode, rows: number, past: readonly number[], steps: number, Tp: number, qScale: number, hd: number, m: number): void {
    const { heads } = this.net.config;
    const d = heads * hd;
    const L = block.linears;
    const x = this.x.subarray(0, Tp * d);
    const h = this.h.subarray(0, Tp * d);
    layerNorm(this.arena, h, this.mean, this.rstd, x, block.ln1.g, block.ln1.b, Tp, d);
    const q = this.qH.subarray(0, Tp * d);
    this.linear(L['attn.wq'], h, q, Tp, false);
    const att = this.attH.subarray(0, Tp * d);
    att.fill(0);
    if ('slots' in mode) this.attendInSlots(block, layer, mode.slots, past, steps, Tp, qScale, hd, h, q, att);
    else this.attendOnPrefix(block, layer, mode.prefix, rows, past[0] ?? 0, steps, Tp, qScale, hd, h, q, att);
    this.linear(L['attn.wo'], att, x, Tp, true);
    layerNorm(this.arena, h, this.mean, this.rstd, x, block.ln2.g, block.ln2.b, Tp, d);
    const wide = this.wide.subarray(0, Tp * m);
    this.linear(L['mlp.w1'], h, wide, Tp, false);
    gelu(this.arena, wide, wide, Tp * m);
    this.linear(L['mlp.w2'], wide, x, Tp, true);
  }

  /**
   * Writes each row's new positions of one layer (rows x steps x heads x headDim in `fresh`) into the
   * cache laid out [slot][layer][head][position][headDim]: keys and values share the layout.
   */
  private storeInCache(cache: Float32Array, fresh: Float32Array, slots: readonly number[], past: readonly number[], steps: number, layerBase: number, hd: number): void {
    const { heads } = this.net.config;
    const ctx = this.cacheLength;
    const d = heads * hd;
    for (let r = 0; r < slots.length; r++) {
      const slotBase = (slots[r] as number) * this.slotFloats + layerBase;
      for (let t = 0; t < steps; t++) {
        const pos = (past[r] as number) + t;
        const o = (r * steps + t) * d;
        // A plain loop, not set(subarray): no view object per head and token on the decoding path.
        for (let hh = 0; hh < heads; hh++) {
          const at = slotBase + (hh * ctx + pos) * hd;
          for (let i = 0; i < hd; i++) cache[at + i] = fresh[o + hh * hd + i] as number;
        }
      }
    }
  }

  /** Keys and values go into each row's slot at their positions; per (row, head): scores, causal softmax, weighted values. */
  private attendInSlots(block: BlockViews, layer: number, slots: readonly number[], past: readonly number[], steps: number, Tp: number, qScale: number, hd: number, h: Float32Array, q: Float32Array, att: Float32Array): void {
    const { heads } = this.net.config;
    const ctx = this.cacheLength;
    const d = heads * hd;
    const rows = slots.length;
    const L = block.linears;
    const tmp = this.tmp.subarray(0, Tp * d);
    this.linear(L['attn.wk'], h, tmp, Tp, false);
    const layerBase = layer * heads * ctx * hd;
    const { keys, values } = this;
    this.storeInCache(keys, tmp, slots, past, steps, layerBase, hd);
    this.linear(L['attn.wv'], h, tmp, Tp, false);
    this.storeInCache(values, tmp, slots, past, steps, layerBase, hd);
    if (steps === 1 && hd % 4 === 0) {
      // Decoding: one query per row, all heads of a row in one kernel call over its cache.
      const offsets = slots.map((slot) => slot * this.slotFloats + layerBase);
      const shares = slots.some((slot) => (this.prefixOf[slot] as number) >= 0);
      const prefixOffsets = shares ? slots.map((slot) => Math.max(0, this.prefixOf[slot] as number) * this.slotFloats + layerBase) : [];
      const prefix = shares ? { lengths: slots.map((slot) => ((this.prefixOf[slot] as number) >= 0 ? (this.prefixLength[slot] as number) : 0)), keyOffsets: prefixOffsets, valueOffsets: prefixOffsets } : undefined;
      const shape = { keys: past.map((p) => p + 1), keyOffsets: offsets, valueOffsets: offsets, heads, headDim: hd, keyHeadStride: ctx * hd, valueHeadStride: ctx * hd, scale: qScale, ...(prefix === undefined ? {} : { prefix }) };
      decodeAttention(this.arena, att, q, keys, values, this.scores, shape);
      return;
    }
    for (let r = 0; r < rows; r++) {
      const keyCount = (past[r] as number) + steps;
      const slotBase = (slots[r] as number) * this.slotFloats + layerBase;
      const scores = this.scores.subarray(0, steps * keyCount);
      for (let hh = 0; hh < heads; hh++) {
        const tokenBase = r * steps * d + hh * hd;
        const k = keys.subarray(slotBase + hh * ctx * hd, slotBase + hh * ctx * hd + keyCount * hd);
        this.arena.gemm(scores, q.subarray(tokenBase), k, steps, keyCount, hd, { bT: true, lda: d });
        softmaxRows(this.arena, scores, scores, steps, keyCount, { scale: qScale, causal: true });
        const v = values.subarray(slotBase + hh * ctx * hd, slotBase + hh * ctx * hd + keyCount * hd);
        this.arena.gemm(att.subarray(tokenBase), scores, v, steps, hd, keyCount, { ldc: d });
      }
    }
  }

  /**
   * Rows continuing the sequence in slot `prefix` (length `past`): per head, every row's scores over
   * the prefix in one product, each row's own causal block beside them ([tokens, past + steps]),
   * one softmax, then the prefix's values for all rows at once plus each row's own.
   */
  private attendOnPrefix(block: BlockViews, layer: number, prefix: number, rows: number, past: number, steps: number, Tp: number, qScale: number, hd: number, h: Float32Array, q: Float32Array, att: Float32Array): void {
    const { heads } = this.net.config;
    const ctx = this.cacheLength;
    const d = heads * hd;
    const L = block.linears;
    const k = this.tmp.subarray(0, Tp * d);
    const v = this.ownValues.subarray(0, Tp * d);
    this.linear(L['attn.wk'], h, k, Tp, false);
    this.linear(L['attn.wv'], h, v, Tp, false);
    const width = past + steps;
    const scores = this.scores.subarray(0, Tp * width);
    const slotBase = prefix * this.slotFloats + layer * heads * ctx * hd;
    for (let hh = 0; hh < heads; hh++) {
      const kPrefix = this.keys.subarray(slotBase + hh * ctx * hd, slotBase + hh * ctx * hd + past * hd);
      this.arena.gemm(scores, q.subarray(hh * hd), kPrefix, Tp, past, hd, { bT: true, lda: d, ldc: width });
      for (let r = 0; r < rows; r++) {
        const o = r * steps;
        this.arena.gemm(scores.subarray(o * width + past), q.subarray(o * d + hh * hd), k.subarray(o * d + hh * hd), steps, steps, hd, { bT: true, lda: d, ldb: d, ldc: width });
        softmaxRows(this.arena, scores.subarray(o * width, (o + steps) * width), scores.subarray(o * width, (o + steps) * width), steps, width, { scale: qScale, causal: true });
      }
      const vPrefix = this.values.subarray(slotBase + hh * ctx * hd, slotBase + hh * ctx * hd + past * hd);
      this.arena.gemm(att.subarray(hh * hd), scores, vPrefix, rows * steps, hd, past, { lda: width, ldc: d });
      for (let r = 0; r < rows; r++) {
        const o = r * steps;
        for (let i = 0; i < steps; i++) {
          const out = (o + i) * d + hh * hd;
          for (let j = 0; j <= i; j++) {
            const p = scores[(o + i) * width + past + j] as number;
            const own = (o + j) * d + hh * hd;
            for (let c = 0; c < hd; c++) att[out + c] = (att[out + c] as number) + p * (v[own + c] as number);
          }
        }
      }
    }
  }
}

/** Rows that each extend their own cache slot, or rows that all continue one slot without writing it. */
type AttentionMode = { slots: readonly number[] } | { prefix: number };

export interface SessionNeeds {
  slots: number;
  maxTokens: number;
  maxLogitRows?: number;
  cacheLength: number;
}

const sessions = new WeakMap<OrganismModel, { revision: string; needs: Required<SessionNeeds>; session: InferenceSession; busy: boolean }>();

/**
 * Runs `use` with a session for `model` of at least this capacity: the last one when the model has
 * not changed since, it is large enough and no other call holds it (the weights are copied and an
 * adapter merged once, not per call: the judge scores thousands of replies), else a new one at
 * least as large, kept for the next call.
 */
export async function withInferenceSession<T>(model: OrganismModel, needs: SessionNeeds, use: (session: InferenceSession) => Promise<T> | T): Promise<T> {
  const wanted: Required<SessionNeeds> = { ...needs, maxLogitRows: needs.maxLogitRows ?? needs.maxTokens, cacheLength: Math.min(model.config.context, needs.cacheLength) };
  let entry = sessions.get(model);
  if (entry !== undefined && entry.busy) {
    // Another call (an interleaved generation) holds the kept session: this one gets its own.
    const own = new InferenceSession(model, { ...wanted, ...(entry.revision === model.revision ? { weightsOf: entry.session } : {}) });
    own.residualHook = residualHookOf(model);
    return await use(own);
  }
  let weightsOf: InferenceSession | undefined;
  if (entry !== undefined && entry.revision === model.revision) {
    const have = entry.needs;
    const fits = have.slots >= wanted.slots && have.maxTokens >= wanted.maxTokens && have.maxLogitRows >= wanted.maxLogitRows && have.cacheLength >= wanted.cacheLength;
    if (!fits) {
      for (const key of ['slots', 'maxTokens', 'maxLogitRows', 'cacheLength'] as const) wanted[key] = Math.max(wanted[key], have[key]);
      // A larger session of the same revision: the weights (an adapter merged) are copied, not rebuilt.
      weightsOf = entry.session;
      entry = undefined;
    }
  } else {
    entry = undefined;
  }
  if (entry === undefined) {
    entry = { revision: model.revision, needs: wanted, session: new InferenceSession(model, { ...wanted, ...(weightsOf === undefined ? {} : { weightsOf }) }), busy: false };
    sessions.set(model, entry);
  }
  entry.busy = true;
  entry.session.residualHook = residualHookOf(model);
  try {
    return await use(entry.session);
  } finally {
    entry.busy = false;
  }
}
