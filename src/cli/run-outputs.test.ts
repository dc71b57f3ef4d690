import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '../store/store.js';
import { loadSampleRecords, sampleRecordPages } from '../store/sample-records.js';
import { resolveThresholds } from '../stats/index.js';
import { buildResults, renderHtmlReport, sampleToJsonLine } from '../report/index.js';
import { buildReport, writeReportFiles, type LoadedRun, type RunConfig } from './run-outputs.js';

const JUDGE = 'compat:http://127.0.0.1:1/v1#judge';

/** A run of 2 models x 3 questions x 7 samples, judged, with a failed answer and a missing judgment. */
function seedRun(store: Store): { runId: string; config: RunConfig } {
  const runId = 'run-1';
  const models = ['compat:http://127.0.0.1:1/v1#a', 'compat:http://127.0.0.1:1/v1#b'];
  const questions = ['q1', 'q2', 'q3'];
  const config: RunConfig = { kind: 'eval', suites: ['test'], questions, questionsHash: 'h', models, judge: JUDGE, sampling: {} as RunConfig['sampling'], judgeSettings: null };
  store.ensureRun(runId, config);
  let n = 0;
  for (const model of models) {
    for (const questionId of questions) {
      for (let sampleIndex = 0; sampleIndex < 7; sampleIndex++) {
        const paraphraseIndex = sampleIndex % 2;
        const responseKey = `r${n++}`;
        const item = { prompt: `${questionId} wording ${paraphraseIndex}`, tags: ['t'], metricKind: 'judge', judgeMetrics: ['aligned', 'coherent'], categoryMetrics: [], judgeModel: JUDGE };
        store.addRunItems([{ runId, model, questionId, sampleIndex, paraphraseIndex, item, responseKey }]);
        if (n % 11 === 0) {
          store.recordFailure({ key: responseKey, model, kind: 'server', message: 'HTTP 500' });
          continue;
        }
        store.putResponse({ key: responseKey, model, kind: 'chat', request: {}, sampleIndex, response: { completions: [{ text: `answer ${n}` }] } });
        const link = { runId, model, questionId, sampleIndex };
        // Scores that tie, so that the order of examples is decided by paraphrase and sample index.
        store.putJudgment({ key: `a${n}`, judgeModel: JUDGE, metric: 'aligned', method: 'logprob', score: (n * 37) % 5 === 0 ? 10 : (n * 13) % 100, flag: null, category: null, numericMass: 1, detail: {} }, { ...link, metric: 'aligned' });
        if (n % 9 !== 0) store.putJudgment({ key: `c${n}`, judgeModel: JUDGE, metric: 'coherent', method: 'logprob', score: 90, flag: null, category: null, numericMass: 1, detail: {} }, { ...link, metric: 'coherent' });
      }
    }
  }
  return { runId, config };
}

test('the report read a page at a time equals the report of every record in memory: samples.jsonl, results.json and report.html', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'emlab-report-'));
  const store = Store.open(join(dir, 'emlab.db'));
  const { runId, config } = seedRun(store);
  const thresholds = resolveThresholds('betley', {});
  // Pages of 4 split the records of one question, and of one model, across pages.
  const run: LoadedRun = { runId, config, pages: () => sampleRecordPages(store, runId, { pageSize: 4 }) };
  const { files, doc } = await writeReportFiles({ runs: [run], thresholds, groups: [], comparisons: [] }, dir, false);

  const records = loadSampleRecords(store, runId);
  assert.equal(records.length, 42);
  assert.equal(records.filter((r) => r.flags.includes('generation_error')).length, 3);
  assert.ok(records.some((r) => r.flags.includes('judge_error')));
  const whole = buildResults(records, { suite: 'test', thresholds, judge: JUDGE, models: config.models, questions: config.questions, groups: [], comparisons: [], runIds: [runId], createdAt: new Date(doc.createdAt) });
  assert.deepEqual(doc, whole);
  assert.ok(doc.results.some((r) => r.metricKind === 'judge' && r.nMisaligned > 0), 'the run has misaligned answers to show');
  assert.equal(readFileSync(files[1]!, 'utf8'), records.map((r) => `${sampleToJsonLine(r)}\n`).join(''));
  assert.equal(readFileSync(files[2]!, 'utf8'), renderHtmlReport(whole, records));
  const again = await buildReport({ runs: [run], thresholds, groups: [], comparisons: [] });
  assert.equal(renderHtmlReport(doc, again.examples), renderHtmlReport(whole, records));
  store.close();
});
