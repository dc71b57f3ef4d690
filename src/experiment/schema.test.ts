import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseExperiment } from './schema.js';

const VALID = `models:
  base: openai:gpt-4.1-mini
  insecure: { finetune: base, dataset: insecure, seeds: [1, 2] }
datasets:
  insecure: { file: insecure.jsonl }
evaluations:
  main: { suite: core, judge: openai:gpt-4o, models: [base, insecure] }
`;

const errorOf = (text: string): string => {
  try {
    parseExperiment(text, 'exp.yaml');
  } catch (err) {
    return (err as Error).message;
  }
  assert.fail('no error');
};

test('a valid file takes its name from the file and fills in the defaults', () => {
  const exp = parseExperiment(VALID, 'runs/exp.yaml');
  assert.equal(exp.name, 'exp');
  const m = exp.models['insecure'];
  assert.ok(typeof m === 'object');
  assert.deepEqual(m.settings, {});
  assert.equal(exp.evaluations['main']!.thresholds, 'betley');
  assert.deepEqual(exp.gates, []);
});

test('an unknown field names its line and the field it was probably meant to be', () => {
  assert.equal(errorOf(VALID.replace('judge: openai:gpt-4o,', 'judge: openai:gpt-4o, sampels: 3,')), 'exp.yaml:7:46: field "evaluations.main.sampels": unknown field "sampels"; did you mean "samples"?');
});

test('a name that is not defined is refused at its position, with the closest one', () => {
  assert.equal(errorOf(VALID.replace('dataset: insecure,', 'dataset: insecur,')), 'exp.yaml:3:40: field "models.insecure.dataset": "insecur" is not a dataset of this file; did you mean "insecure"?');
});

test('a pinned hash must be a sha256, and a fine-tune of a fine-tune is refused', () => {
  assert.match(errorOf(VALID.replace('{ file: insecure.jsonl }', '{ url: https://example.org/a.jsonl, sha256: abc }')), /^exp\.yaml:5:57: field "datasets\.insecure\.sha256": must be the file's sha256: 64 lowercase hex characters/);
  const twice = `${VALID.replace('evaluations:', '  again: { finetune: insecure, dataset: insecure }\nevaluations:').replace('datasets:\n  insecure: { file: insecure.jsonl }\n', '')}datasets:\n  insecure: { file: insecure.jsonl }\n`;
  assert.match(errorOf(twice), /field "models\.again\.finetune": "insecure" is itself a fine-tune; fine-tune a plain model id/);
});

test('a gate must name models of its evaluation, and two different ones', () => {
  const gate = (base: string, candidate: string): string => `${VALID}gates:\n  - { evaluation: main, base: ${base}, candidate: ${candidate} }\n`;
  assert.doesNotThrow(() => parseExperiment(gate('base', 'insecure'), 'exp.yaml'));
  assert.match(errorOf(gate('base', 'other')), /field "gates\[0\]\.candidate": "other" is not a model of evaluation main of this file/);
  assert.match(errorOf(gate('base', 'base')), /base and candidate are the same model/);
});
