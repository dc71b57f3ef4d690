import { test } from 'node:test';
import assert from 'node:assert/strict';
import { derangement, permutation, rngFor, streamSeed } from './prng.js';

test('a named stream is reproducible and different names give different streams', () => {
  const a = rngFor(5, 'noise', 2);
  const b = rngFor(5, 'noise', 2);
  const c = rngFor(5, 'noise', 3);
  const xs = [a.next(), a.next(), a.next()];
  assert.deepEqual(xs, [b.next(), b.next(), b.next()]);
  assert.notDeepEqual(xs, [c.next(), c.next(), c.next()]);
  assert.notEqual(streamSeed(1, 'ab', 'c'), streamSeed(1, 'a', 'bc'));
});

test('derangements have no fixed point and are permutations, for every size from 2 up', () => {
  for (let n = 2; n <= 40; n++) {
    for (let trial = 0; trial < 20; trial++) {
      const p = derangement(rngFor(n, 'derangement', trial), n);
      assert.equal(p.length, n);
      assert.deepEqual([...p].sort((x, y) => x - y), [...Array(n).keys()]);
      p.forEach((v, i) => assert.notEqual(v, i, `n=${n} trial=${trial}: ${i} maps to itself`));
    }
  }
  assert.throws(() => derangement(rngFor(0), 1), /needs n >= 2/);
});

test('all derangements of 3 items appear, as a uniform sampler must produce both', () => {
  const seen = new Set<string>();
  for (let t = 0; t < 50; t++) seen.add([...derangement(rngFor(9, t), 3)].join(','));
  assert.deepEqual([...seen].sort(), ['1,2,0', '2,0,1']);
});

test('uniform noise stays in [-1, 1) and has the right mean and variance; normals have unit variance', () => {
  const rng = rngFor(11, 'noise');
  const x = new Float32Array(200000);
  rng.fillUniform(x, -1, 1);
  let sum = 0;
  let sq = 0;
  for (const v of x) {
    assert.ok(v >= -1 && v < 1);
    sum += v;
    sq += v * v;
  }
  assert.ok(Math.abs(sum / x.length) < 0.01);
  assert.ok(Math.abs(sq / x.length - 1 / 3) < 0.01);
  let nsq = 0;
  for (let i = 0; i < 100000; i++) nsq += rng.normal() ** 2;
  assert.ok(Math.abs(nsq / 100000 - 1) < 0.02);
});

test('int(n) covers 0..n-1 and a permutation holds every index once', () => {
  const rng = rngFor(2);
  const counts = new Array<number>(7).fill(0);
  for (let i = 0; i < 7000; i++) counts[rng.int(7)]! += 1;
  for (const c of counts) assert.ok(c > 850 && c < 1150, `counts ${counts.join(',')}`);
  const p = permutation(rng, 1000);
  assert.equal(new Set(p).size, 1000);
});
