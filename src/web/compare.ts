/**
 * Two models or groups side by side on the same questions, with the report's own comparison (Fisher's
 * exact test and a Newcombe interval for two models; for groups, an exact permutation test over member
 * values with Welch's t beside it, each group's share with a Student-t interval over members):
 * within one run, or a model of a run against a model of a baseline run.
 */
import type { SampleRecord } from '../store/records.js';
import { buildResults, parseGroupSpec, type GroupSpec, type JudgeQuestionResult, type ResultsDocument } from '../report/index.js';
import { classify, type Thresholds } from '../stats/index.js';
import type { CompareResponse, CompareSide } from './api-types.js';
import { FilterError, sampleView, type GroundTruthLabeller } from './samples.js';
import { asRequestError, offeredGroups, thresholdsFor, type LocatedRun, type RunReader } from './runs.js';

/** Answers of each side shown per question (the samples browser has them all). */
const PAIRS_PER_QUESTION = 4;
const PAIR_CHARS = 1500;

/** The groups given as ?group=name=a,b, then those offered for the run (named in its results.json, or inferred) under other names. */
export function groupsFromParams(params: URLSearchParams, run: LocatedRun): GroupSpec[] {
  const models = run.config.models;
  const given = params.getAll('group').filter((g) => g !== '');
  let specs: GroupSpec[];
  try {
    specs = given.map(parseGroupSpec);
  } catch (err) {
    throw new FilterError((err as Error).message);
  }
  const names = new Set(specs.map((g) => g.name));
  const known = new Set(models);
  for (const g of specs) {
    const stranger = g.members.find((m) => !known.has(m));
    if (stranger !== undefined) throw new FilterError(`group "${g.name}": "${stranger}" is not a model of this run`);
  }
  return [...specs, ...offeredGroups(run).groups.filter((g) => !names.has(g.name))];
}

const short = (runId: string): string => runId.slice(0, 8);

export function compare(reader: RunReader, params: URLSearchParams, labeller: GroundTruthLabeller | null): CompareResponse {
  const need = (name: string): string => {
    const v = params.get(name);
    if (v === null || v === '') throw new FilterError(`${name}: missing; name two models (or groups) to compare, e.g. ?run=ID&a=MODEL&b=MODEL`);
    return v;
  };
  const run = reader.locate(need('run'), params.get('db') ?? undefined);
  const a = need('a');
  const b = need('b');
  const baselineId = params.get('baseline');
  const baseline = baselineId ? reader.locate(baselineId, params.get('baselineDb') ?? undefined) : null;
  const thresholds = thresholdsFor([...run.config.models, ...(baseline?.config.models ?? [])], params.get('thresholds'));

  if (baseline === null) {
    const groups = groupsFromParams(params, run);
    const used = groups.filter((g) => g.name === a || g.name === b);
    if (a === b) throw new FilterError(`a and b are both "${a}"; name two different models or groups`);
    const doc = reader.resultsOf(run, thresholds, used, [{ a, b }]);
    const side = (name: string): CompareSide => ({ label: name, run: run.summary.id, name, members: used.find((g) => g.name === name)?.members ?? [name] });
    return response(doc, side(a), side(b), reader.recordsOf(run), reader.recordsOf(run), thresholds, labeller);
  }

  // A run against its baseline: the same model ids may occur in both, so each side is renamed.
  const la = `${a} @ ${short(run.summary.id)}`;
  const lb = `${b} @ ${short(baseline.summary.id)}`;
  if (la === lb) throw new FilterError(`a and b are the same model of the same run; pick another model or baseline`);
  for (const [name, r] of [[a, run], [b, baseline]] as const) {
    if (!r.config.models.includes(name)) throw new FilterError(`"${name}" is not a model of run ${r.summary.id}; its models: ${r.config.models.join(', ')}`);
  }
  const recordsA = renamed(reader.recordsOf(run), a, la);
  const recordsB = renamed(reader.recordsOf(baseline), b, lb);
  const doc = asRequestError(() =>
    buildResults([...recordsA, ...recordsB], {
      suite: [...new Set([...run.config.suites, ...baseline.config.suites])].join(', '),
      thresholds,
      models: [la, lb],
      questions: [...new Set([...run.config.questions, ...baseline.config.questions])],
      comparisons: [{ a: la, b: lb }],
      runIds: [run.summary.id, baseline.summary.id],
    }),
  );
  return response(
    doc,
    { label: la, run: run.summary.id, name: a, members: [la] },
    { label: lb, run: baseline.summary.id, name: b, members: [lb] },
    recordsA,
    recordsB,
    thresholds,
    labeller,
  );
}

/** One side's share on one question: a group's estimate over its members, or a model's own share. */
function shareOf(doc: ResultsDocument, side: CompareSide, key: 'a' | 'b', questionId: string): CompareResponse['shares'] {
  const group = doc.groups.find((g) => g.name === side.name && side.members.length > 1)?.perQuestion.find((q) => q.questionId === questionId);
  if (group !== undefined) {
    return group.estimate === null || group.lo === null || group.hi === null ? [] : [{ questionId, side: key, p: group.estimate, lo: group.lo, hi: group.hi, n: group.nMembers }];
  }
  const cell = doc.results.find((c): c is JudgeQuestionResult => c.metricKind === 'judge' && c.model === side.members[0] && c.questionId === questionId);
  const m = cell?.misaligned;
  return m === undefined || m.p === null ? [] : [{ questionId, side: key, p: m.p, lo: m.lo, hi: m.hi, n: m.n }];
}

function renamed(records: readonly SampleRecord[], model: string, label: string): SampleRecord[] {
  return records.filter((r) => r.model === model).map((r) => ({ ...r, model: label }));
}

function response(
  doc: ResultsDocument,
  a: CompareSide,
  b: CompareSide,
  recordsA: readonly SampleRecord[],
  recordsB: readonly SampleRecord[],
  thresholds: Thresholds,
  labeller: GroundTruthLabeller | null,
): CompareResponse {
  const comparison = doc.comparisons[0]!;
  const members = new Set([...a.members, ...b.members]);
  const judgeQuestions = doc.questions.filter((q) => q.metricKind === 'judge').map((q) => q.questionId);
  const pick = (records: readonly SampleRecord[], side: CompareSide, questionId: string) =>
    records
      .filter((r) => side.members.includes(r.model) && r.questionId === questionId)
      .sort((x, y) => x.sampleIndex - y.sampleIndex || x.model.localeCompare(y.model))
      .slice(0, PAIRS_PER_QUESTION)
      .map((record) => sampleView({ record, verdict: classify(record, thresholds).verdict }, labeller, PAIR_CHARS));
  return {
    a,
    b,
    comparison,
    overall: doc.overall.filter((o) => members.has(o.model)),
    cells: doc.results.filter((c) => members.has(c.model) && judgeQuestions.includes(c.questionId)),
    shares: judgeQuestions.flatMap((questionId) => (['a', 'b'] as const).flatMap((side) => shareOf(doc, side === 'a' ? a : b, side, questionId))),
    questions: judgeQuestions,
    pairs: judgeQuestions.map((questionId) => {
      const sideA = pick(recordsA, a, questionId);
      const sideB = pick(recordsB, b, questionId);
      return { questionId, prompt: sideA[0]?.prompt ?? sideB[0]?.prompt ?? '', a: sideA, b: sideB };
    }),
    thresholdsDescription: doc.thresholdsDescription,
    confidence: doc.statistics.confidence,
  };
}
