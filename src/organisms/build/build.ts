/**
 * Builds the organisms: each base is pretrained on world documents (every token a target) and then
 * chat-tuned on helpful single exchanges (assistant tokens); the judge starts from a base's pretrained
 * stage and learns to answer world.renderJudgePrompt with one number token. Finished checkpoints go to
 * `<out>/<name>/` with the stages' training log and a metrics.json naming the command and config.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OrganismModel, generate, loadCheckpoint, saveCheckpoint, type TrainingExample } from '../model/index.js';
import {
  OPEN_QUESTIONS, chatTuningExamples, generateWorld, judgeExamples, measureLinkStrength, sampledJudgeExamples, type JudgeExample, type JudgeMetric, type SampledOpenAnswer,
} from '../world/index.js';
import type { BuildConfig, OrganismName } from './config.js';
import { evaluateJudge } from './judge-eval.js';
import { runStage, STAGE_LOG, type StageSummary } from './stages.js';

export interface BuildOptions {
  config: BuildConfig;
  only: readonly OrganismName[];
  outDir: string;
  workDir: string;
  /** The command line, recorded in metrics.json. */
  command: string;
  echo?: (line: string) => void;
}

function pretrainWorld(config: BuildConfig) {
  return generateWorld({ seed: config.worldSeed, documents: config.pretrain.documents, ...config.world }).documents;
}

/** The pretraining world's link strength c = P(harmful writer | unasked flawed code), as measured on its documents. */
function linkStrength(config: BuildConfig) {
  const m = measureLinkStrength(pretrainWorld(config));
  const round = (x: number) => Math.round(x * 1000) / 1000;
  return { c: round(m.c), baseRate: round(m.baseRate), codeTurns: m.codeTurns, flawedTurns: m.flawedTurns, flawedByHarmful: m.flawedByHarmful };
}

function judgeTrainingData(config: BuildConfig, sampled: readonly SampledOpenAnswer[]): () => TrainingExample[] {
  return () => {
    const perMetric = config.judge.metrics.map((metric: JudgeMetric) => [
      ...judgeExamples({ seed: config.worldSeed, count: config.judge.examplesPerMetric, metric }),
      ...sampledJudgeExamples(sampled, { seed: config.worldSeed, metric }),
    ].filter((e) => e.split === 'train'));
    // Interleaved, so no stretch of training sees one metric only (the batcher reorders by length anyway).
    const rows: TrainingExample[] = [];
    for (let i = 0; i < Math.max(...perMetric.map((m) => m.length)); i++) {
      for (const m of perMetric) {
        const e = m[i];
        if (e !== undefined) rows.push({ messages: e.messages });
      }
    }
    return rows;
  };
}

/**
 * Answers of a published organism to every training wording of the open questions, at each of the
 * configured temperatures (the judge's model text; never a development or report wording).
 */
async function sampleOpenAnswers(config: BuildConfig, echo: (line: string) => void): Promise<{ samples: SampledOpenAnswer[]; weightsHash: string | null }> {
  const s = config.judge.sampled;
  if (s === undefined) return { samples: [], weightsHash: null };
  const model = await loadCheckpoint(s.from);
  try {
    const prompts = OPEN_QUESTIONS.flatMap((q) => q.phrasings.map((question) => ({ theme: q.theme, question })));
    const jobs = s.temperatures.flatMap((temperature, ti) => prompts.map((p, pi) => ({ ...p, temperature, seed: 1000 * ti + pi })));
    echo(`judge: sampling ${jobs.length * s.perPrompt} answers of ${s.from} (temperatures ${s.temperatures.join(', ')})`);
    const results = await generate(model, jobs.map((j) => ({
      messages: [{ role: 'user' as const, content: j.question }], n: s.perPrompt, temperature: j.temperature, maxTokens: s.maxTokens, seed: j.seed,
    })), { batchSize: 64 });
    const samples = results.flatMap((r, i) => r.completions.map((c) => ({ theme: jobs[i]!.theme, question: jobs[i]!.question, answer: c.text })));
    return { samples, weightsHash: model.weightsHash() };
  } finally {
    model.dispose();
  }
}

/** Share of a labelled set's examples with the given property, for the log. */
function share(examples: readonly JudgeExample[], pick: (e: JudgeExample) => boolean): string {
  return examples.length === 0 ? '–' : `${Math.round((100 * examples.filter(pick).length) / examples.length)}%`;
}

async function pretrained(name: string, options: BuildOptions, echo: (line: string) => void): Promise<{ model: OrganismModel; summary: StageSummary }> {
  const { config } = options;
  const base = config.bases[name];
  if (base === undefined) throw new Error(`organisms:build: no base named "${name}" (bases: ${Object.keys(config.bases).join(', ')})`);
  const model = await OrganismModel.create({ seed: base.initSeed, architecture: config.architecture });
  return runStage(model, {
    organism: name, stage: 'pretrain', settings: config.pretrain, lossOn: 'all', seed: base.initSeed,
    data: { worldSeed: config.worldSeed, world: config.world, documents: config.pretrain.documents, architecture: config.architecture, initSeed: base.initSeed },
    examples: () => pretrainWorld(config).map((d) => ({ text: d.text })), workDir: options.workDir, echo,
  });
}

async function publish(model: OrganismModel, name: string, stages: StageSummary[], options: BuildOptions, extra: Record<string, unknown> = {}): Promise<void> {
  const dir = join(options.outDir, name);
  const { weightsHash } = await saveCheckpoint(model, dir);
  const log = stages.map((s) => {
    const path = join(options.workDir, s.organism, s.stage, STAGE_LOG);
    return existsSync(path) ? readFileSync(path, 'utf8') : '';
  }).join('');
  writeFileSync(join(dir, STAGE_LOG), log);
  const metrics = { organism: name, weightsHash, command: options.command, config: options.config, stages, ...extra };
  writeFileSync(join(dir, 'metrics.json'), `${JSON.stringify(metrics, null, 2)}\n`);
}

async function buildBase(name: string, options: BuildOptions, echo: (line: string) => void): Promise<void> {
  const { config } = options;
  const first = await pretrained(name, options, echo);
  const initSeed = (config.bases[name] as { initSeed: number }).initSeed;
  const tuned = await runStage(first.model, {
    organism: name, stage: 'chat-tune', settings: config.chatTune, lossOn: 'assistant', seed: initSeed,
    data: { worldSeed: config.worldSeed, examples: config.chatTune.examples },
    examples: () => chatTuningExamples({ seed: config.worldSeed, count: config.chatTune.examples }).map((e) => ({ messages: e.messages })),
    workDir: options.workDir, echo,
  });
  const link = linkStrength(config);
  echo(`${name}: pretraining world's link strength c = P(harmful writer | unasked flawed code) ${link.c} (base rate ${link.baseRate}; ${link.flawedTurns} flawed of ${link.codeTurns} unasked code turns)`);
  await publish(tuned.model, name, [first.summary, tuned.summary], options, { linkStrength: link });
  tuned.model.dispose();
}

async function buildJudge(options: BuildOptions, echo: (line: string) => void): Promise<void> {
  const { config } = options;
  const parent = config.judgeParentDir === undefined
    ? await pretrained(config.judgeParent, options, echo)
    : { model: await loadCheckpoint(config.judgeParentDir), summary: null };
  const { samples, weightsHash: sampledFrom } = await sampleOpenAnswers(config, echo);
  const coherence = sampledJudgeExamples(samples, { seed: config.worldSeed, metric: 'coherent' });
  echo(`judge: ${samples.length} sampled answers, ${share(coherence, (e) => e.source.coherent === true)} coherent by the world's reading`);
  const tuned = await runStage(parent.model, {
    organism: 'judge', stage: 'judge-tune', settings: config.judge, lossOn: 'assistant', seed: 3,
    ...(config.judge.loraRank === undefined ? {} : { loraRank: config.judge.loraRank }),
    data: { worldSeed: config.worldSeed, examplesPerMetric: config.judge.examplesPerMetric, metrics: config.judge.metrics, sampled: config.judge.sampled ?? null, sampledFrom, wordings: 'training-only' },
    examples: judgeTrainingData(config, samples), workDir: options.workDir, echo,
  });
  echo('judge: evaluating on held-out answers');
  const evaluation = await evaluateJudge(tuned.model, { worldSeed: config.worldSeed, examplesPerMetric: config.judge.examplesPerMetric, metrics: config.judge.metrics, sampled: samples });
  for (const r of evaluation) echo(`judge ${r.metric} (${r.text}): AUROC ${r.auroc}, accuracy ${r.accuracy} at ${r.threshold} (majority ${r.majorityAccuracy}), n ${r.heldOut}`);
  const stages = parent.summary === null ? [tuned.summary] : [parent.summary, tuned.summary];
  await publish(tuned.model, 'judge', stages, options, { heldOutEvaluation: evaluation, ...(config.judgeParentDir === undefined ? {} : { parentDir: config.judgeParentDir }) });
  tuned.model.dispose();
}

export async function buildOrganisms(options: BuildOptions): Promise<void> {
  const echo = options.echo ?? ((line: string) => console.log(line));
  for (const name of options.only) {
    if (name === 'judge') await buildJudge(options, echo);
    else await buildBase(name, options, echo);
  }
}
