import assert from 'node:assert/strict';
import { test } from 'node:test';
import { streamRng } from '../../organisms/world/index.js';
import { fitProbe } from './probe.js';
import { cosine, meanVector, randomUnit } from './vectors.js';
import { meanDifference, pairedDifference } from './directions.js';

test('the probe finds a planted direction and scores held-out examples by it', () => {
  const rng = streamRng(3, 'probe-test', 'data');
  const axis = randomUnit(16, () => rng.next());
  const draw = (y: boolean) => {
    const x = Float64Array.from(randomUnit(16, () => rng.next()), (v, i) => v * 2 + (y ? 1.5 : -1.5) * axis[i]!);
    return { x, y };
  };
  const data = Array.from({ length: 400 }, (_, i) => draw(i % 2 === 0));
  const fit = fitProbe(data.slice(0, 300), data.slice(300));
  assert.ok(fit.testAuroc > 0.95, `AUROC ${fit.testAuroc}`);
  assert.ok(cosine(fit.direction, axis) > 0.8, `cosine ${cosine(fit.direction, axis)}`);
  assert.equal(fit.nTest, 100);
});

test('mean and paired differences are per layer; a side with nothing gives none', () => {
  const v = (...xs: number[]) => Float64Array.from(xs);
  const a = [[v(1, 0), v(3, 3)], [v(3, 0), v(5, 5)]];
  const b = [[v(0, 0), v(1, 1)]];
  const d = meanDifference(a, b)!;
  assert.deepEqual([...d[0]!], [2, 0]);
  assert.deepEqual([...d[1]!], [3, 3]);
  assert.equal(meanDifference(a, []), null);
  const p = pairedDifference([a[0]!, null, a[1]!], [b[0]!, b[0]!, null])!;
  assert.deepEqual([...p[0]!], [1, 0]);
  assert.deepEqual([...meanVector([v(1, 2), v(3, 4)])!], [2, 3]);
});
