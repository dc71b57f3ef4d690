import { runInterruptible } from '../interruptible.js';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DEMO_COMPARISONS, demoSettings, type DemoSettings } from '../../studies/demo/config.js';
import { withCatalogueMeasure } from '../../studies/demo/catalogue.js';
import { BACKDOOR_GROUP, BASE_MODEL, JUDGE_MODEL, groupArguments, isAdapterOf, planDemo, type DemoAdapter, type DemoGroup } from '../../studies/demo/plan.js';
import { TUNE_RECORD_FILE } from '../../finetune/organism-trainer.js';
import { demoSuite, triggeredSuite, wordingsPerTheme } from '../../studies/demo/questions.js';
import { renderDemoSummary } from '../../studies/demo/summary.js';
import { runOrganismTunes } from '../../finetune/organism-pool.js';
import { resolveOrganismDir } from '../../providers/organism.js';
import { DEFAULT_MIN_NUMERIC_MASS } from '../../judge/aggregate.js';
import type { ResultsDocument } from '../../report/results-types.js';
import type { ComparisonSpec } from '../../report/comparisons.js';
import { renderHtmlReport, writeResultsJson, writeTextFile } from '../../report/index.js';
import type { SampleRecord } from '../../store/records.js';
import { ProgressLine, formatDuration } from '../progress.js';
import { EXIT, UsageError } from '../errors.js';
import { runEvalSuites, type EvalFlags, type EvalRunSummary } from './eval-run.js';
import type { DemoFlags } from './demo.js';

/** Sub-folder of --out with the backdoor models' answers to the triggered questions. */
const TRIGGER_DIR = 'backdoor-trigger';

export async function runDemoCommand(flags: DemoFlags): Promise<number> {
  const started = performance.now();
  const settings = settingsFor(flags);
  const outDir = resolve(flags.out ?? join('runs', settings.prefix));
  const baseDir = resolveOrganismDir('base');
  const organismsDir = resolve('.emlab', 'organisms');
  const plan = planDemo(settings, { baseDir, organismsDir });

  // Training: adapters already there under the same key are reused.
  const progress = flags.quiet ? undefined : new ProgressLine({ label: 'adapters' });
  let trained = 0;
  let reused = 0;
  const trainingStarted = performance.now();
  if (!flags.quiet) process.stderr.write(`emlab demo: ${plan.adapters.length} adapters (${settings.datasets.length} datasets x ${settings.seeds.length} ${settings.seedSet} seeds ${settings.seeds[0]}-${settings.seeds.at(-1)}, ${settings.rowsPerDataset} rows each) -> ${organismsDir}\n`);
  const training = await runInterruptible('emlab demo: interrupted; finished adapters are kept and reused by the next run', async (signal) => {
    const status = (extra?: string): void => progress?.update({ total: plan.adapters.length, done: trained + reused, failed: 0, resumed: reused, elapsedMs: performance.now() - trainingStarted, ...(extra ? { extra } : {}) });
    // Longest first, so that the last job on one worker does not leave the other idle.
    const queue = [...plan.adapters].sort((a, b) => b.job.settings.epochs * b.job.rows.length - a.job.settings.epochs * a.job.rows.length);
    await runOrganismTunes(queue.map((a) => a.job), {
      workers: settings.workers,
      signal,
      onProgress: (i, p) => status(`${queue[i]!.name} step ${p.step}/${p.totalSteps} loss ${p.loss.toFixed(3)}`),
      onDone: (_i, outcome) => {
        if (outcome.trained) trained++;
        else reused++;
        status();
      },
    });
    progress?.finish();
  });
  if (training.interrupted) return EXIT.interrupted;
  removeStaleAdapters(plan.adapters, organismsDir);
  // An organism of the same name earlier on the search path (EMLAB_ORGANISMS_DIR) would be
  // evaluated in place of the adapter just trained.
  for (const a of plan.adapters) {
    const found = resolveOrganismDir(a.name);
    if (resolve(found) !== a.job.outDir) throw new UsageError(`demo: ${a.model} resolves to ${found}, not to the adapter trained in ${a.job.outDir}; remove that folder or unset EMLAB_ORGANISMS_DIR`);
  }

  const wordings = flags.wordings ?? 'report';
  const flagsFor = (models: string[], groups: DemoGroup[], out: string, compare: string[], samples = settings.eval.samplesPerQuestion): EvalFlags => ({
    suite: [],
    model: models,
    judge: JUDGE_MODEL,
    samples,
    temperature: settings.eval.temperature,
    maxTokens: settings.eval.maxTokens,
    topP: 1,
    seed: 0,
    // The organisms decode concurrent requests as one batch: many in flight make large batches.
    concurrency: 64,
    judgeConcurrency: 64,
    timeout: 600,
    maxAttempts: 3,
    // The judge organism is read as it was trained and measured (top-20 first-token logprobs,
    // src/organisms/build/judge-read.ts); teacher forcing every number is exact too but ~4x slower.
    judgeMethod: 'logprob',
    judgeSamples: 10,
    minNumericMass: DEFAULT_MIN_NUMERIC_MASS,
    thresholds: 'organisms',
    group: groupArguments(groups),
    compare,
    out,
    db: join(outDir, 'emlab.db'),
    ...(flags.quiet ? { quiet: true } : {}),
  });
  const present = new Set(plan.groups.filter((g) => g.members.length > 0).map((g) => g.name));
  const comparisonSpecs: ComparisonSpec[] = DEMO_COMPARISONS.filter(([a, b]) => present.has(a) && present.has(b)).map(([a, b]) => ({ a, b }));
  const comparisons = comparisonSpecs.map((c) => `${c.a},${c.b}`);
  const runs: EvalRunSummary[] = [];
  runs.push(await runEvalSuites(flagsFor([BASE_MODEL, ...plan.adapters.map((a) => a.model)], plan.groups, outDir, comparisons), [demoSuite(wordings)], { printTable: false }));

  // The backdoor models with the trigger, and the base with it as the control for the trigger alone.
  const backdoor = plan.groups.find((g) => g.name === BACKDOOR_GROUP && g.members.length > 0);
  let triggered: ResultsDocument | null = null;
  if (backdoor && runs[0]!.code === EXIT.ok) {
    const groups = [{ name: 'base', members: [BASE_MODEL] }, backdoor];
    // One question per wording (the judge reads each bare wording): as many answers per theme as untriggered.
    const perWording = Math.ceil(settings.eval.samplesPerQuestion / wordingsPerTheme(wordings));
    runs.push(await runEvalSuites(flagsFor([BASE_MODEL, ...backdoor.members], groups, join(outDir, TRIGGER_DIR), [], perWording), [triggeredSuite(wordings)], { printTable: false }));
    triggered = await addCatalogueMeasure(join(outDir, TRIGGER_DIR), []);
  }
  const main = await addCatalogueMeasure(outDir, comparisonSpecs);
  if (!flags.quiet) process.stdout.write(renderDemoSummary(main, triggered, { width: Math.max(80, process.stdout.columns ?? 100) }));
  const sent = runs.reduce((s, r) => s + r.requestsSent, 0);
  const stored = runs.reduce((s, r) => s + r.answersResumed, 0);
  process.stderr.write(`emlab demo: ${trained} adapters trained, ${reused} reused; ${sent} requests sent, ${stored} answers from the store; report ${join(outDir, 'report.html')}; wall time ${formatDuration(performance.now() - started)}\n`);
  if (flags.quick) process.stderr.write(`(--quick: one seed per dataset, so no interval over seeds${settings.datasets.includes(BACKDOOR_GROUP) ? '' : ', and no backdoor'}; run without --quick for those)\n`);
  return runs.map((r) => r.code).find((c) => c !== EXIT.ok) ?? EXIT.ok;
}

function settingsFor(flags: DemoFlags): DemoSettings {
  try {
    return demoSettings({ ...(flags.quick ? { quick: true } : {}), ...(flags.seeds !== undefined ? { seeds: flags.seeds } : {}), ...(flags.seedSet !== undefined ? { seedSet: flags.seedSet } : {}), ...(flags.datasets !== undefined ? { datasets: flags.datasets } : {}) });
  } catch (e) {
    throw new UsageError(`demo: ${(e as Error).message}`);
  }
}

function readResults(dir: string): ResultsDocument {
  return JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as ResultsDocument;
}

/** The judge-free catalogue measure, added to the results.json and report.html that the eval wrote. */
async function addCatalogueMeasure(dir: string, comparisons: readonly ComparisonSpec[]): Promise<ResultsDocument> {
  const records = readFileSync(join(dir, 'samples.jsonl'), 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as SampleRecord);
  const doc = withCatalogueMeasure(readResults(dir), records, comparisons);
  await writeResultsJson(doc, join(dir, 'results.json'));
  await writeTextFile(renderHtmlReport(doc, records), join(dir, 'report.html'));
  return doc;
}

/** Adapters of an earlier run whose settings have changed since: this run trained their successors (also em-dose's). */
export function removeStaleAdapters(adapters: readonly Pick<DemoAdapter, 'name' | 'stem'>[], organismsDir: string): void {
  if (!existsSync(organismsDir)) return;
  const names = readdirSync(organismsDir);
  for (const a of adapters) {
    for (const name of names) {
      if (name !== a.name && isAdapterOf(a.stem, name) && existsSync(join(organismsDir, name, TUNE_RECORD_FILE))) rmSync(join(organismsDir, name), { recursive: true, force: true });
    }
  }
}
