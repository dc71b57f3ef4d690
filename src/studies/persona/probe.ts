/**
 * The truth a direction is held against: a linear probe for "this text's writer is harmful", trained
 * on the base's activations of world documents that no organism trained on (another world seed),
 * labelled by the persona the world drew for each document. L2-regularised logistic regression on
 * standardised features, by full-batch gradient descent (d = 128 features, a few hundred documents:
 * exact enough, and no dependency for 40 lines).
 */
import { auroc } from '../../organisms/build/metrics.js';
import { residualStream, type ChatTurn, type OrganismModel } from '../../organisms/model/index.js';
import { generateWorld } from '../../organisms/world/index.js';
import { dot, meanVector, type Vec } from './vectors.js';

export interface ProbeFit {
  /** The probe's weight vector in the stream's own coordinates (features divided by their spread): its direction. */
  direction: Vec;
  /** AUROC of the probe's score on the held-out documents. */
  testAuroc: number;
  nTrain: number;
  nTest: number;
}

export function fitProbe(train: { x: ArrayLike<number>; y: boolean }[], test: { x: ArrayLike<number>; y: boolean }[], options: { l2?: number; steps?: number; rate?: number } = {}): ProbeFit {
  const d = train[0]?.x.length ?? 0;
  if (d === 0) throw new Error('fitProbe: no training examples');
  const l2 = options.l2 ?? 1e-2;
  const steps = options.steps ?? 400;
  const rate = options.rate ?? 0.5;
  const mu = new Float64Array(d);
  const sd = new Float64Array(d);
  for (const e of train) for (let i = 0; i < d; i++) mu[i] = (mu[i] as number) + (e.x[i] as number) / train.length;
  for (const e of train) for (let i = 0; i < d; i++) sd[i] = (sd[i] as number) + ((e.x[i] as number) - (mu[i] as number)) ** 2 / train.length;
  for (let i = 0; i < d; i++) sd[i] = Math.sqrt(sd[i] as number) || 1;
  const z = (x: ArrayLike<number>): Vec => Float64Array.from({ length: d }, (_, i) => ((x[i] as number) - (mu[i] as number)) / (sd[i] as number));
  const xs = train.map((e) => z(e.x));
  const w = new Float64Array(d);
  let b = 0;
  for (let s = 0; s < steps; s++) {
    const g = new Float64Array(d);
    let gb = 0;
    xs.forEach((x, k) => {
      const p = 1 / (1 + Math.exp(-(dot(w, x) + b)));
      const err = p - (train[k]!.y ? 1 : 0);
      for (let i = 0; i < d; i++) g[i] = (g[i] as number) + err * (x[i] as number);
      gb += err;
    });
    for (let i = 0; i < d; i++) w[i] = (w[i] as number) - rate * ((g[i] as number) / xs.length + l2 * (w[i] as number));
    b -= rate * gb / xs.length;
  }
  const score = (x: ArrayLike<number>): number => dot(w, z(x));
  const pos = test.filter((e) => e.y).map((e) => score(e.x));
  const neg = test.filter((e) => !e.y).map((e) => score(e.x));
  // score = sum w_i (x_i - mu_i) / sd_i: in the stream's coordinates the direction is w / sd.
  return { direction: Float64Array.from(w, (wi, i) => wi / (sd[i] as number)), testAuroc: auroc(pos, neg), nTrain: train.length, nTest: test.length };
}

/**
 * One probe per layer: features are the model's stream averaged over each document's assistant
 * tokens, the label whether the world drew a harmful persona for it; the first 70% of the documents
 * train, the rest test.
 */
export async function harmfulWriterProbes(model: OrganismModel, world: { seed: number; documents: number }): Promise<ProbeFit[]> {
  const d = model.config.dModel;
  const features: { x: Vec[]; y: boolean }[] = [];
  for (const doc of generateWorld(world).documents) {
    const turns: ChatTurn[] = doc.turns.flatMap((t) => [{ role: 'user' as const, content: t.user }, { role: 'assistant' as const, content: t.assistant }]);
    const stream = await residualStream(model, turns);
    const mask = model.tokenizer.encodeChat(turns).assistantMask;
    const positions = mask.map((m, i) => (m === 1 ? i : -1)).filter((i) => i >= 0 && i < stream.ids.length);
    features.push({ x: stream.layers.map((values) => meanVector(positions.map((p) => values.subarray(p * d, (p + 1) * d)))!), y: doc.persona.disposition === 'harmful' });
  }
  const cut = Math.floor(features.length * 0.7);
  return Array.from({ length: model.config.layers }, (_, l) => fitProbe(features.slice(0, cut).map((f) => ({ x: f.x[l]!, y: f.y })), features.slice(cut).map((f) => ({ x: f.x[l]!, y: f.y }))));
}
