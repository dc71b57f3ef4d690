/**
 * `emlab study em-dose`: emergent misalignment against the link strength c of the organisms' world.
 * Per world: build a base (the organisms' build, resumed by stage in the study's work folder), fine-tune
 * the treated and control adapters over seeds (the demo's recipe and pool), evaluate every model with
 * the demo's questions, judge and catalogue measure, then the curve (studies/em-dose).
 */
import { runInterruptible } from '../interruptible.js';
import { existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, rmSync, symlinkSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { buildOrganisms } from '../../organisms/build/build.js';
import { runOrganismTunes } from '../../finetune/organism-pool.js';
import { resolveOrganismDir } from '../../providers/organism.js';
import { DEFAULT_MIN_NUMERIC_MASS } from '../../judge/aggregate.js';
import { emlabVersion, renderHtmlReport, writeResultsJson, writeTextFile } from '../../report/index.js';
import type { ResultsDocument } from '../../report/results-types.js';
import type { SampleRecord } from '../../store/records.js';
import { withCatalogueMeasure } from '../../studies/demo/catalogue.js';
import { JUDGE_MODEL } from '../../studies/demo/plan.js';
import { demoSuite } from '../../studies/demo/questions.js';
import { doseSettings, type DoseSettings } from '../../studies/em-dose/config.js';
import { DOSE_FORMAT, MEASURE_DESCRIPTIONS, doseCurve, doseTrends, type MeasuredLink } from '../../studies/em-dose/curve.js';
import { planDose, type DosePlan } from '../../studies/em-dose/plan.js';
import { renderDoseHtml, renderDoseTable, type DoseResults } from '../../studies/em-dose/summary.js';
import { doseWorlds, worldDirs, type DoseWorld } from '../../studies/em-dose/worlds.js';
import { EXIT, UsageError } from '../errors.js';
import { ProgressLine, formatDuration } from '../progress.js';
import { removeStaleAdapters } from './demo-run.js';
import { runEvalSuites } from './eval-run.js';
import type { EmDoseFlags } from './study.js';

/** The evaluation's own results.json, samples.jsonl, report.html: a sub-folder of --out. */
const EVAL_DIR = 'eval';

export async function runEmDoseCommand(flags: EmDoseFlags): Promise<number> {
  const started = performance.now();
  const settings = doseSettings({ ...(flags.quick ? { quick: true } : {}), ...(flags.seeds === undefined ? {} : { seeds: flags.seeds }), ...(flags.links === undefined ? {} : { links: flags.links }), ...(flags.documents === undefined ? {} : { documents: flags.documents }) });
  const outDir = resolve(flags.out ?? join('runs', settings.prefix));
  const workDir = resolve(flags.workDir ?? join('.emlab', settings.prefix));
  const organismsDir = join(workDir, 'organisms');
  const say = (line: string): void => {
    if (!flags.quiet) process.stderr.write(`${line}\n`);
  };
  let worlds: DoseWorld[];
  try {
    worlds = doseWorlds(settings.build, { count: settings.links, documents: settings.documents });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  say(`emlab study em-dose: ${worlds.length} worlds (c ${worlds.map((w) => w.target.toFixed(3)).sort().join(', ')}), ${settings.documents} documents each; ${settings.treated} and ${settings.control} x ${settings.seeds.length} seeds on each -> ${workDir}`);

  const links = new Map<string, MeasuredLink>();
  const counts = { basesBuilt: 0, basesReused: 0, adaptersTrained: 0, adaptersReused: 0 };
  // 1. A base per world, one after another (each build takes both cores). Ctrl-C here ends the
  // process as usual: finished stages are on disk, and a cut stage trains again from its parent.
  for (const [i, world] of worlds.entries()) {
    const dirs = worldDirs(workDir, world);
    say(`base ${i + 1}/${worlds.length}: ${world.name} (careless flaw rate ${world.carelessFlawRate.toFixed(4)})`);
    const trained = await buildBase(world, dirs, flags.quiet === true);
    if (trained) counts.basesBuilt++;
    else counts.basesReused++;
    const metrics = JSON.parse(readFileSync(join(dirs.baseDir, 'metrics.json'), 'utf8')) as { linkStrength: MeasuredLink };
    links.set(world.name, metrics.linkStrength);
    say(`  ${world.name}: c measured ${metrics.linkStrength.c} on its ${settings.documents} documents (target ${world.target.toFixed(3)}, base rate ${metrics.linkStrength.baseRate})`);
  }
  const plan: DosePlan = planDose(settings, worlds, { workDir, organismsDir });
  linkBases(plan, organismsDir);

  const training = await runInterruptible('emlab study em-dose: interrupted; the bases and finished adapters are kept and reused by the next run', async (signal) => {
    // 2. The adapters, two at a time; finished ones (same key) are reused.
    const progress = flags.quiet ? undefined : new ProgressLine({ label: 'adapters' });
    const trainingStarted = performance.now();
    const status = (extra?: string): void => progress?.update({ total: plan.adapters.length, done: counts.adaptersTrained + counts.adaptersReused, failed: 0, resumed: counts.adaptersReused, elapsedMs: performance.now() - trainingStarted, ...(extra ? { extra } : {}) });
    await runOrganismTunes(plan.adapters.map((a) => a.job), {
      workers: settings.workers,
      signal,
      onProgress: (i, p) => status(`${plan.adapters[i]!.name} step ${p.step}/${p.totalSteps} loss ${p.loss.toFixed(3)}`),
      onDone: (_i, outcome) => {
        if (outcome.trained) counts.adaptersTrained++;
        else counts.adaptersReused++;
        status();
      },
    });
    progress?.finish();
    removeStaleAdapters(plan.adapters, organismsDir);
  });
  if (training.interrupted) return EXIT.interrupted;

  // 3. Every model on the demo's open questions (report wordings), the study's organisms first on the search path.
  process.env['EMLAB_ORGANISMS_DIR'] = [organismsDir, ...(process.env['EMLAB_ORGANISMS_DIR'] ?? '').split(':').filter((d) => d !== '')].join(':');
  for (const a of plan.adapters) {
    if (resolve(resolveOrganismDir(a.name)) !== a.job.outDir) throw new UsageError(`em-dose: ${a.model} does not resolve to ${a.job.outDir}; remove the other folder of that name`);
  }
  const evalDir = join(outDir, EVAL_DIR);
  const suite = demoSuite('report');
  const open = { ...suite, questions: suite.questions.filter((q) => q.tags?.includes('open') === true) };
  const models = [...[...plan.bases.values()].map((b) => b.model), ...plan.adapters.map((a) => a.model)];
  const run = await runEvalSuites({
    suite: [], model: models, judge: JUDGE_MODEL, samples: settings.eval.samplesPerQuestion, temperature: settings.eval.temperature,
    maxTokens: settings.eval.maxTokens, topP: 1, seed: 0, concurrency: 64, judgeConcurrency: 64, timeout: 600, maxAttempts: 3,
    // As the demo reads its judge (top-20 first-token logprobs, the way it was trained and measured).
    judgeMethod: 'logprob', judgeSamples: 10, minNumericMass: DEFAULT_MIN_NUMERIC_MASS, thresholds: 'organisms',
    group: plan.groups.map((g) => `${g.name}=${g.members.join(',')}`), compare: plan.comparisons.map((c) => `${c.a},${c.b}`),
    out: evalDir, db: join(outDir, 'emlab.db'), ...(flags.quiet ? { quiet: true } : {}),
  }, [open], { printTable: false });
  if (run.code !== EXIT.ok) return run.code;
  const records = readFileSync(join(evalDir, 'samples.jsonl'), 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as SampleRecord);
  const doc = withCatalogueMeasure(JSON.parse(readFileSync(join(evalDir, 'results.json'), 'utf8')) as ResultsDocument, records, plan.comparisons);
  await writeResultsJson(doc, join(evalDir, 'results.json'));
  await writeTextFile(renderHtmlReport(doc, records), join(evalDir, 'report.html'));

  // 4. The curve.
  const points = doseCurve(doc, worlds, links, settings);
  const results: DoseResults = {
    format: DOSE_FORMAT, emlabVersion: emlabVersion(), quick: flags.quick === true, primary: 'judge', measures: MEASURE_DESCRIPTIONS,
    treated: settings.treated, control: settings.control, settings: settingsRecord(settings),
    points, trends: doseTrends(points, { seed: doc.statistics.seed, resamples: 20_000 }),
    evaluation: `${EVAL_DIR}/results.json`,
    timing: { seconds: Math.round((performance.now() - started) / 100) / 10, ...counts },
  };
  mkdirSync(outDir, { recursive: true });
  await writeFile(join(outDir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  await writeFile(join(outDir, 'report.html'), renderDoseHtml(results));
  if (!flags.quiet) process.stdout.write(renderDoseTable(results));
  process.stderr.write(`emlab study em-dose: ${counts.basesBuilt} bases built, ${counts.basesReused} reused; ${counts.adaptersTrained} adapters trained, ${counts.adaptersReused} reused; ${run.requestsSent} requests sent, ${run.answersResumed} answers from the store; ${join(outDir, 'report.html')}; wall time ${formatDuration(performance.now() - started)}\n`);
  if (flags.quick) process.stderr.write('(--quick: tiny bases, one seed, few answers: a check of the pipeline that measures nothing; run without --quick to measure)\n');
  return EXIT.ok;
}

/**
 * Builds (or resumes) one world's base; true when a stage had to be trained. A base already published
 * from the same config is left as it is: publishing again rewrites its files, and the store would
 * take it for a new model and ask every question again.
 */
async function buildBase(world: DoseWorld, dirs: ReturnType<typeof worldDirs>, quiet: boolean): Promise<boolean> {
  if (publishedFrom(dirs.baseDir) === JSON.stringify(world.build)) return false;
  let trained = false;
  let progress: ProgressLine | undefined;
  let stage = '';
  let stageStarted = 0;
  await buildOrganisms({
    config: world.build, only: ['base'], outDir: dirs.dir, workDir: dirs.buildDir,
    command: `emlab study em-dose (world ${world.name})`,
    echo: (line) => {
      // The build's log lines: "base/pretrain step 5/1758 loss ..." while a stage trains, else prose.
      const step = /^\S+\/(\S+) step (\d+)\/(\d+)/.exec(line);
      if (step === null) {
        if (!quiet) (progress ?? { log: (m: string) => process.stderr.write(`${m}\n`) }).log(`  ${line}`);
        return;
      }
      trained = true;
      if (step[1] !== stage) {
        progress?.finish();
        stage = step[1]!;
        stageStarted = performance.now();
        progress = quiet ? undefined : new ProgressLine({ label: `${world.name} ${stage} steps` });
      }
      progress?.update({ total: Number(step[3]), done: Number(step[2]), failed: 0, elapsedMs: performance.now() - stageStarted, extra: line.slice(line.indexOf(' loss ') + 1) });
    },
  });
  progress?.finish();
  return trained;
}

/** The config a published base was built from (as JSON), or null when there is none. */
function publishedFrom(baseDir: string): string | null {
  const path = join(baseDir, 'metrics.json');
  if (!existsSync(path) || !existsSync(join(baseDir, 'config.json')) || !existsSync(join(baseDir, 'model.safetensors'))) return null;
  try {
    return JSON.stringify((JSON.parse(readFileSync(path, 'utf8')) as { config?: unknown }).config ?? null);
  } catch {
    return null;
  }
}

/** Each world's published base appears in the study's organisms folder under its own name (a link). */
function linkBases(plan: DosePlan, organismsDir: string): void {
  mkdirSync(organismsDir, { recursive: true });
  for (const base of plan.bases.values()) {
    const link = join(organismsDir, base.name);
    const target = relative(organismsDir, base.dir);
    const stat = lstatSync(link, { throwIfNoEntry: false });
    if (stat?.isSymbolicLink() === true && readlinkSync(link) === target) continue;
    if (stat !== undefined) rmSync(link, { recursive: true, force: true });
    symlinkSync(target, link, 'dir');
  }
}

function settingsRecord(s: DoseSettings): Record<string, unknown> {
  return {
    links: s.links, documents: s.documents, build: { architecture: s.build.architecture, pretrain: { ...s.build.pretrain, documents: s.documents }, chatTune: s.build.chatTune, world: s.build.world, worldSeed: s.build.worldSeed },
    treated: s.treated, control: s.control, rowsPerDataset: s.rowsPerDataset, datasetSeed: s.datasetSeed, seeds: s.seeds, training: s.training, eval: s.eval,
    wordings: 'report',
  };
}
