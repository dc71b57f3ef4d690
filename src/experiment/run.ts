/**
 * Runs an experiment file's step graph: datasets -> fine-tunes -> evaluations -> gates -> report.
 * Steps of one kind that do not depend on each other run together (datasets all at once; organism
 * adapters two at a time beside the API jobs, which the servers queue); each evaluation sends its
 * requests in parallel up to each model's and the judge's concurrency. Every step is looked up in
 * the step cache under the hash of its inputs first, so a finished experiment run again sends no
 * request and starts no job, and one stopped anywhere resumes where it stopped.
 *
 * The evaluation itself is emlab's eval pipeline, handed in by the CLI (`deps.evaluate`), as are
 * the suites (`deps.loadSuite`): this module owns the graph and its cache, not the commands.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { contentHash } from '../store/hash.js';
import { samplesFor } from '../eval/plan.js';
import { parseModelId } from '../providers/model-id.js';
import { resolveOrganismDir } from '../providers/organism.js';
import { organismCheckpointVersion } from '../providers/organism-version.js';
import { withTargets, type Suite } from '../suites/index.js';
import type { ResultsDocument } from '../report/index.js';
import { cacheDir, resolveDataset, type ResolvedDataset } from './datasets.js';
import { baseIdOf, finetuneCost, planFinetunes, runFinetunes, type FinetuneStep } from './finetunes.js';
import { gateFromResults, type GateVerdict } from './gate.js';
import { addCosts, estimateTokens, NO_COST, priceOf, priced, type Cost } from './prices.js';
import type { Evaluation, Experiment } from './schema.js';
import { StepStore } from './step-store.js';

export type StepStatus = 'done' | 'cached' | 'failed' | 'incomplete' | 'skipped' | 'planned';

export interface StepReport {
  id: string;
  kind: 'dataset' | 'finetune' | 'evaluation' | 'gate';
  status: StepStatus;
  detail: string;
  /** What the step will cost (dry run) or would have cost had it not been cached. */
  estimate?: Cost;
}

/** What one evaluation asks of the eval pipeline. */
export interface EvalRequest {
  name: string;
  models: string[];
  judge: string;
  suites: Suite[];
  samples?: number;
  temperature?: number;
  maxTokens: number;
  thresholds: 'betley' | 'organisms';
  judgeMethod: 'auto' | 'logprob' | 'teacher_forced' | 'sampled';
  batch: boolean;
  concurrency: number;
  judgeConcurrency: number;
  groups: { name: string; members: string[] }[];
  comparisons: { a: string; b: string }[];
  outDir: string;
  dbPath: string;
}

export interface EvalOutcome {
  /** The eval's exit code: 0 complete, 2 incomplete, 130 interrupted. */
  code: number;
  runId: string;
  requestsSent: number;
}

export interface ExperimentDeps {
  /** A built-in suite name, a suite of the file (already mapped to its value) or a path relative to the file. */
  loadSuite(nameOrPath: string, baseDir: string): Suite;
  /** Runs (or resumes) one evaluation and writes its results.json, samples.jsonl, report.html. */
  evaluate(req: EvalRequest): Promise<EvalOutcome>;
  /** Writes an evaluation's outputs again from the database, without a request (a cached step). */
  rewriteOutputs(req: EvalRequest, runId: string): Promise<void>;
  log(line: string): void;
}

export interface ExperimentOutcome {
  outDir: string;
  steps: StepReport[];
  evaluations: { name: string; outDir: string; results: ResultsDocument | null; status: StepStatus }[];
  gates: GateVerdict[];
  requestsSent: number;
  /** Fine-tuning jobs or adapters started by this process. */
  jobsStarted: number;
  total: Cost;
}

export interface RunOptions {
  dryRun?: boolean;
  /** Organism adapters trained at once (one core each). */
  workers?: number;
  signal?: AbortSignal;
  /** Longest wait between two polls of a fine-tuning job (default 60 s). */
  pollMs?: number;
  /** Create a new job for a fine-tune whose recorded job failed, was cancelled or was lost. */
  retryFailed?: boolean;
  /** Where organism adapters are written (the `organism:` provider finds them there). */
  organismsDir?: string;
}

/** The experiment's folder: `out:` or runs/<name>, from the working directory (as `emlab eval --out`). */
export function experimentOutDir(exp: Experiment): string {
  return resolve(exp.out ?? join('runs', exp.name));
}

export async function runExperiment(exp: Experiment, deps: ExperimentDeps, options: RunOptions = {}): Promise<ExperimentOutcome> {
  const outDir = experimentOutDir(exp);
  const dbPath = join(outDir, 'emlab.db');
  const organismsDir = options.organismsDir ?? resolve('.emlab', 'organisms');
  const steps: StepReport[] = [];
  const dry = options.dryRun === true;

  // Suites first: a bad file stops the run before anything is fetched or trained.
  const suites = new Map<string, Suite[]>();
  for (const [name, e] of Object.entries(exp.evaluations)) {
    suites.set(name, (Array.isArray(e.suite) ? e.suite : [e.suite]).map((s) => {
      const suite = deps.loadSuite(exp.suites[s] ?? s, exp.dir);
      const choice = suite.questions.find((q) => q.type === 'choice');
      if (choice === undefined) return suite;
      if (!e.targets || e.targets.length === 0) throw new Error(`${exp.file}: evaluations.${name}: suite ${s} has choice questions ("${choice.id}"): add targets: [owl] (the words that count as a match)`);
      return withTargets(suite, e.targets);
    }));
  }

  const store = StepStore.open(dbPath);
  try {
    // 1. Datasets (only those a fine-tune uses), all at once.
    const used = new Set(Object.values(exp.models).flatMap((m) => (typeof m === 'string' ? [] : [m.dataset])));
    const datasets = new Map<string, ResolvedDataset>();
    const plainModels = Object.fromEntries(Object.entries(exp.models).filter((e): e is [string, string] => typeof e[1] === 'string'));
    let requestsSent = 0;
    const datasetSteps: StepReport[] = [];
    await Promise.all([...used].sort().map(async (name) => {
      const source = exp.datasets[name]!;
      const id = `dataset:${name}`;
      if (dry && 'url' in source && (source.sha256 === undefined || !existsSync(join(cacheDir(), `${source.sha256}.jsonl`)))) {
        const pin = source.sha256 === undefined ? 'not pinned yet: emlab run FILE --pin' : `sha256 ${source.sha256.slice(0, 12)}…`;
        datasetSteps.push({ id, kind: 'dataset', status: 'planned', detail: `fetch ${source.url} (${pin})` });
        return;
      }
      if (dry && 'numbers' in source) {
        const n = source.numbers;
        const teacher = plainModels[n.teacher] ?? n.teacher;
        datasetSteps.push({ id, kind: 'dataset', status: 'planned', detail: `${n.prompts} number prompts to ${teacher}${n.trait ? ` (trait ${n.trait})` : ''}, filtered, ${n.size} rows kept (unless cached)`, estimate: priced(priceOf(teacher, exp.prices), { requests: n.prompts, input: n.prompts * 80, output: n.prompts * 40 }) });
        return;
      }
      const resolved = await resolveDataset(name, source, { baseDir: exp.dir, dbPath, models: plainModels, ...(options.signal ? { signal: options.signal } : {}) });
      requestsSent += resolved.requestsSent;
      if (resolved.how === 'incomplete') {
        datasetSteps.push({ id, kind: 'dataset', status: 'incomplete', detail: resolved.detail });
        return;
      }
      datasets.set(name, resolved);
      datasetSteps.push({ id, kind: 'dataset', status: resolved.how === 'cached' ? 'cached' : 'done', detail: resolved.detail });
    }));
    steps.push(...datasetSteps.sort((a, b) => a.id.localeCompare(b.id)));

    // 2. Fine-tunes of the models whose dataset is ready.
    const finetunes = planFinetunes(exp, datasets, store, organismsDir);
    let jobsStarted = 0;
    if (!dry && finetunes.some((s) => s.status === 'planned')) {
      jobsStarted = finetunes.filter((s) => s.status === 'planned').length;
      await runFinetunes(finetunes, { store, dbPath, workers: options.workers ?? 2, pollMs: options.pollMs ?? 60_000, retryFailed: options.retryFailed === true, log: deps.log, ...(options.signal ? { signal: options.signal } : {}) });
    }
    for (const [model, m] of Object.entries(exp.models)) {
      if (typeof m === 'string') continue;
      for (const seed of m.seeds) {
        const s = finetunes.find((f) => f.model === model && f.seed === seed);
        if (s) steps.push({ id: s.id, kind: 'finetune', status: s.status, detail: `${s.baseId} on ${s.dataset}, seed ${s.seed}: ${s.detail}${s.result ? ` -> ${s.result}` : ''}`, estimate: finetuneCost(s, exp.prices) });
        else steps.push({ id: `finetune:${model}#s${seed}`, kind: 'finetune', status: dry ? 'planned' : 'skipped', detail: `on ${m.dataset}, seed ${seed}: waits for dataset:${m.dataset}` });
      }
    }

    // 3. Evaluations, one after another (each is parallel inside).
    const evaluations: ExperimentOutcome['evaluations'] = [];
    for (const [name, e] of Object.entries(exp.evaluations)) {
      const req = evalRequest(exp, name, e, suites.get(name)!, finetunes, outDir, dbPath, dry);
      const id = `evaluation:${name}`;
      if ('missing' in req) {
        steps.push({ id, kind: 'evaluation', status: 'skipped', detail: `waiting for ${req.missing.join(', ')}` });
        evaluations.push({ name, outDir: join(outDir, `eval-${name}`), results: null, status: 'skipped' });
        continue;
      }
      const estimate = evalCost(req, exp.prices, req.batch ? 0.5 : 1);
      const planned = req.models.some((m) => m.endsWith(PLANNED_SUFFIX));
      const key = planned ? '' : contentHash({ step: 'evaluation', version: 1, models: req.models.map(versioned), judge: versioned(req.judge), suites: req.suites.map((s) => s.questions.map(questionIdentity)), samples: req.samples ?? null, temperature: req.temperature ?? null, maxTokens: req.maxTokens, judgeMethod: req.judgeMethod });
      const cached = planned ? undefined : store.get<{ runId: string }>(key);
      let status: StepStatus;
      let detail = describeEval(e, req.suites);
      if (dry) {
        status = cached ? 'cached' : 'planned';
      } else if (cached && existsSync(join(req.outDir, 'results.json'))) {
        await deps.rewriteOutputs(req, cached.runId);
        status = 'cached';
      } else {
        const result = await deps.evaluate(req);
        requestsSent += result.requestsSent;
        status = result.code === 0 ? 'done' : 'incomplete';
        if (status === 'done') store.put(key, id, { runId: result.runId });
        detail += `; ${result.requestsSent} requests sent`;
      }
      steps.push({ id, kind: 'evaluation', status, detail, ...(status === 'cached' ? {} : { estimate }) });
      evaluations.push({ name, outDir: req.outDir, results: readResults(req.outDir), status });
      if (options.signal?.aborted) break;
    }

    // 4. Gates: read from their evaluation's results, no request.
    const gates: GateVerdict[] = [];
    for (const g of exp.gates) {
      const ev = evaluations.find((x) => x.name === g.evaluation)!;
      const e = exp.evaluations[g.evaluation]!;
      const bases = memberIds(exp, g.base, finetunes);
      const candidates = memberIds(exp, g.candidate, finetunes);
      for (const candidate of candidates.length > 0 ? candidates : [null]) {
        const id = `gate:${g.base}>${candidate === null ? g.candidate : labelOf(candidate, g.candidate, finetunes)}`;
        if (ev.results === null || bases.length !== 1 || candidate === null) {
          steps.push({ id, kind: 'gate', status: dry ? 'planned' : 'skipped', detail: bases.length > 1 ? 'the base must be one model' : `needs evaluation ${g.evaluation}` });
          continue;
        }
        const v = gateFromResults(ev.results, { base: bases[0]!, candidate, judge: exp.judges[e.judge] ?? e.judge, suite: suiteNames(e).join(', '), maxIncrease: g.maxIncrease, confidence: g.confidence }, ev.status === 'done' || ev.status === 'cached');
        gates.push(v);
        steps.push({ id, kind: 'gate', status: v.status === 'incomplete' ? 'incomplete' : 'done', detail: `${v.status.toUpperCase()}: ${v.reason}` });
      }
    }

    const total = steps.reduce((acc, s) => (s.estimate && s.status !== 'cached' ? addCosts(acc, s.estimate) : acc), NO_COST);
    return { outDir, steps, evaluations, gates, requestsSent, jobsStarted, total };
  } finally {
    store.close();
  }
}

function suiteNames(e: Evaluation): string[] {
  return Array.isArray(e.suite) ? e.suite : [e.suite];
}

/** The model ids a name of the experiment stands for: one for a plain model, one per seed for a fine-tune. */
function memberIds(exp: Experiment, name: string, finetunes: readonly FinetuneStep[]): string[] {
  const m = exp.models[name];
  if (typeof m === 'string') return [m];
  return finetunes.filter((s) => s.model === name).map((s) => s.result).filter((r): r is string => r !== null);
}

function labelOf(id: string, name: string, finetunes: readonly FinetuneStep[]): string {
  const s = finetunes.find((f) => f.result === id);
  return s ? `${name}#s${s.seed}` : name;
}

function evalRequest(exp: Experiment, name: string, e: Evaluation, suites: Suite[], finetunes: readonly FinetuneStep[], outDir: string, dbPath: string, dry: boolean): EvalRequest | { missing: string[] } {
  const models: string[] = [];
  const groups: EvalRequest['groups'] = [];
  const missing: string[] = [];
  const idOf = new Map<string, string>();
  for (const m of e.models) {
    const def = exp.models[m]!;
    if (typeof def === 'string') {
      models.push(def);
      idOf.set(m, def);
      continue;
    }
    const members: string[] = [];
    for (const seed of def.seeds) {
      const step = finetunes.find((s) => s.model === m && s.seed === seed);
      const ready = step !== undefined && step.result !== null && (step.status === 'done' || step.status === 'cached');
      // A dry run prices a fine-tune not made yet as the model it will be (fine-tuned OpenAI models have their own rates).
      if (ready) members.push(step.result!);
      else if (dry) members.push(plannedId(baseIdOf(exp, def), m, seed));
      else missing.push(`finetune:${m}#s${seed}`);
    }
    models.push(...members);
    groups.push({ name: m, members });
    // One seed: compare its answers (Fisher); several: compare the seeds (permutation over members).
    idOf.set(m, members.length === 1 ? members[0]! : m);
  }
  if (missing.length > 0) return { missing };
  const comparisons = exp.comparisons
    .filter(([a, b]) => idOf.has(a) && idOf.has(b))
    .map(([a, b]) => ({ a: idOf.get(a)!, b: idOf.get(b)! }));
  return {
    name,
    models,
    judge: exp.judges[e.judge] ?? e.judge,
    suites,
    ...(e.samples !== undefined ? { samples: e.samples } : {}),
    ...(e.temperature !== undefined ? { temperature: e.temperature } : {}),
    maxTokens: e.maxTokens,
    thresholds: e.thresholds,
    judgeMethod: e.judgeMethod,
    batch: e.batch,
    concurrency: e.concurrency,
    judgeConcurrency: e.judgeConcurrency,
    groups,
    comparisons,
    outDir: join(outDir, `eval-${name}`),
    dbPath,
  };
}

const PLANNED_SUFFIX = ':(to be fine-tuned)';

/** The id a dry run gives a fine-tune not made yet: priced as a fine-tuned model of its base. */
function plannedId(baseId: string, model: string, seed: number): string {
  const ref = parseModelId(baseId);
  return ref.scheme === 'openai' ? `openai:ft:${ref.model}:${model}-s${seed}${PLANNED_SUFFIX}` : `${baseId}:${model}-s${seed}${PLANNED_SUFFIX}`;
}

/** A model id with the content version of its weights where the id does not pin them (organisms). */
function versioned(id: string): string {
  const ref = parseModelId(id);
  if (ref.scheme !== 'organism') return id;
  return `${id}@${organismCheckpointVersion(resolveOrganismDir(ref.name))}`;
}

function questionIdentity(q: Suite['questions'][number]): unknown {
  return { id: q.id, type: q.type, paraphrases: q.paraphrases, spp: q.samplesPerParaphrase, system: q.system, priorTurns: q.priorTurns, judgePrompts: q.judgePrompts, temperature: q.temperature, range: q.range, targets: q.targets };
}

function describeEval(e: Evaluation, suites: Suite[]): string {
  const questions = suites.reduce((n, s) => n + s.questions.length, 0);
  return `${e.models.join(', ')} on ${suiteNames(e).join(', ')} (${questions} questions${e.samples ? `, ${e.samples} answers each` : ''})`;
}

/** Answers and judgments an evaluation asks for, and their tokens (answers at most maxTokens long). */
function evalCost(req: EvalRequest, prices: Experiment['prices'], discount: number): Cost {
  const atRate = (c: Cost): Cost => ({ ...c, usd: c.usd === null ? null : c.usd * discount });
  let total = NO_COST;
  const questions = req.suites.flatMap((s) => s.questions);
  for (const model of req.models) {
    for (const q of questions) {
      const n = samplesFor(q, req.samples !== undefined ? { samples: req.samples } : {});
      const prompt = estimateTokens([q.system ?? '', ...(q.priorTurns ?? []).map((t) => t.content), q.paraphrases[0] ?? ''].join(' '));
      total = addCosts(total, atRate(priced(priceOf(model, prices), { requests: n, input: n * prompt, output: n * req.maxTokens })));
      const metrics = q.type === 'free_form_judge_0_100' ? Math.max(2, Object.keys(q.judgePrompts).length) : q.type === 'free_form_judge' ? Object.keys(q.judgePrompts).length : 0;
      if (metrics > 0) {
        const judgePrompt = estimateTokens(Object.values(q.judgePrompts)[0] ?? '') || 300;
        total = addCosts(total, atRate(priced(priceOf(req.judge, prices), { requests: n * metrics, input: n * metrics * (judgePrompt + prompt + req.maxTokens), output: n * metrics })));
      }
    }
  }
  return total;
}

function readResults(outDir: string): ResultsDocument | null {
  const path = join(outDir, 'results.json');
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as ResultsDocument) : null;
}
