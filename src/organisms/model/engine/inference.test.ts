import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OrganismModel } from '../organism.js';
import { sequenceLogitsTfjs } from '../reference/tfjs-reference.js';
import { seededNormal } from '../weights.js';
import { InferenceSession, withInferenceSession } from './inference.js';
import { relativeGap } from './test-support.js';

const SMALL = { dModel: 48, layers: 2, heads: 3, context: 40, mlpHidden: 72 } as const;

test('engine inference (adapter merged, token rows, cached decoding, rows batched together) gives the logits of the tfjs forward pass', async () => {
  const model = await OrganismModel.create({ seed: 4, architecture: SMALL });
  const adapter = model.attachLora({ seed: 2, rank: 4, alpha: 8, tokens: [9, 30], tokenScale: 5 });
  adapter.setHost((name) => seededNormal(5, name, adapter.tensors.get(name)?.data.length ?? 0, 0.1));
  const V = model.config.vocabSize;
  const sequences = [[1, 5, 9, 30, 12, 7, 8, 9, 10, 11, 30, 4], [1, 6, 6, 6, 9], [1, 30, 2, 3, 4, 5, 6, 7, 8]];
  const reference = await Promise.all(sequences.map((ids) => sequenceLogitsTfjs(model, ids)));

  const session = new InferenceSession(model, { slots: 3, maxTokens: 64 });
  // Prefill the first half of every sequence at once (right-padded), then decode one token at a time.
  const prefix = sequences.map((ids) => Math.ceil(ids.length / 2));
  const width = Math.max(...prefix);
  const ids = new Int32Array(3 * width);
  sequences.forEach((seq, r) => seq.slice(0, prefix[r]).forEach((id, t) => { ids[r * width + t] = id; }));
  const hidden = session.forward([0, 1, 2], ids, width, prefix);
  sequences.forEach((seq, r) => {
    const rows = Array.from({ length: prefix[r] as number }, (_, t) => r * width + t);
    const got = session.logits(hidden, rows);
    const gap = relativeGap(got, (reference[r] as Float32Array).subarray(0, rows.length * V));
    assert.ok(gap < 1e-4, `prefill row ${r}: ${gap}`);
  });
  for (let step = 0; ; step++) {
    const live = sequences.map((seq, r) => r).filter((r) => (prefix[r] as number) + step < (sequences[r] as number[]).length);
    if (live.length === 0) break;
    const next = Int32Array.from(live, (r) => (sequences[r] as number[])[(prefix[r] as number) + step] as number);
    const out = session.forward(live, next, 1);
    const got = session.logits(out, live.map((_, i) => i));
    live.forEach((r, i) => {
      const at = (prefix[r] as number) + step;
      const gap = relativeGap(got.subarray(i * V, (i + 1) * V), (reference[r] as Float32Array).subarray(at * V, (at + 1) * V));
      assert.ok(gap < 1e-4, `decoding row ${r} position ${at}: ${gap}`);
    });
  }
  model.dispose();
});

test('candidates run on a shared prompt (forwardOnPrefix) get the logits of each full sequence run alone', async () => {
  const model = await OrganismModel.create({ seed: 6, architecture: SMALL });
  const V = model.config.vocabSize;
  const prompt = [1, 5, 9, 12, 7, 8];
  const candidates = [[20, 21, 22], [23, 4, 0], [30, 31, 32]];
  const session = new InferenceSession(model, { slots: 1, maxTokens: 64 });
  session.forward([0], Int32Array.from(prompt), prompt.length);
  const ids = Int32Array.from(candidates.flat());
  const hidden = session.forwardOnPrefix(0, ids, 3);
  const got = session.logits(hidden, Array.from({ length: 9 }, (_, i) => i)).slice();
  for (const [r, candidate] of candidates.entries()) {
    const reference = await sequenceLogitsTfjs(model, [...prompt, ...candidate]);
    const gap = relativeGap(got.subarray(r * 3 * V, (r + 1) * 3 * V), reference.subarray(prompt.length * V));
    assert.ok(gap < 1e-4, `candidate ${r}: ${gap}`);
  }
  model.dispose();
});

test('prefill keeps the positions a slot already holds with the same ids, and gives what a fresh slot gives', async () => {
  const model = await OrganismModel.create({ seed: 9, architecture: SMALL });
  const first = [1, 5, 9, 12, 7, 8, 20];
  const second = [1, 5, 9, 12, 30, 31];
  const reused = new InferenceSession(model, { slots: 1, maxTokens: 64 });
  reused.prefill(0, first);
  const got = reused.logits(reused.prefill(0, second), [0]).slice();
  const fresh = new InferenceSession(model, { slots: 1, maxTokens: 64 });
  const want = fresh.logits(fresh.prefill(0, second), [0]).slice();
  assert.ok(relativeGap(got, want) < 1e-6, 'the same logits');
  assert.equal(reused.lengths[0], second.length);
  model.dispose();
});

test('a session grown for larger needs takes its weights (adapter merged, token rows) from the one before: the same logits, bit for bit', async () => {
  const model = await OrganismModel.create({ seed: 7, architecture: SMALL });
  const adapter = model.attachLora({ seed: 3, rank: 4, alpha: 8, tokens: [9], tokenScale: 5 });
  adapter.setHost((name) => seededNormal(8, name, adapter.tensors.get(name)?.data.length ?? 0, 0.1));
  const ids = [1, 5, 9, 12, 7, 8, 20];
  const run = async (needs: { slots: number; maxTokens: number; cacheLength: number }): Promise<Float32Array> =>
    withInferenceSession(model, needs, (session) => session.logits(session.prefill(0, ids), [0]).slice());
  const small = await run({ slots: 1, maxTokens: 8, cacheLength: 8 });
  const grown = await run({ slots: 3, maxTokens: 24, cacheLength: 16 });
  const fresh = new InferenceSession(model, { slots: 3, maxTokens: 24, cacheLength: 16 });
  assert.deepEqual(grown, small);
  assert.deepEqual(grown, fresh.logits(fresh.prefill(0, ids), [0]).slice());
  model.dispose();
});

test('a slot continuing another slot\'s prompt in place (sharePrompt) decodes, bit for bit, as a copy of it does; a longer step first takes its own copy', async () => {
  const model = await OrganismModel.create({ seed: 10, architecture: { dModel: 48, layers: 2, heads: 3, context: 40, mlpHidden: 72 } });
  const prompt = [1, 5, 9, 12, 7, 8, 20, 31, 4, 6]; // 10 positions: 8 shared in place, 2 copied
  const run = (share: boolean): Float32Array[] => {
    const session = new InferenceSession(model, { slots: 3, maxTokens: 32 });
    session.forward([0], Int32Array.from(prompt), prompt.length);
    for (const slot of [1, 2]) {
      if (share) session.sharePrompt(0, slot);
      else session.copySlot(0, slot);
    }
    const out: Float32Array[] = [];
    for (let step = 0; step < 4; step++) out.push(session.logits(session.forward([0, 1, 2], Int32Array.from([11 + step, 21 + step, 31 + step]), 1), [0, 1, 2]).slice());
    out.push(session.logits(session.forward([2], Int32Array.from([3, 4, 5]), 3), [0, 1, 2]).slice());
    session.clearSlots();
    return out;
  };
  assert.deepEqual(run(true), run(false));
  model.dispose();
});
