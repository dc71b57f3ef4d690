/** Shared by the engine's tests. */

/** max |actual - expected| over a tensor, relative to the tensor's largest expected magnitude. */
export function relativeGap(actual: Float32Array, expected: Float32Array): number {
  let gap = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    gap = Math.max(gap, Math.abs((actual[i] as number) - (expected[i] as number)));
    scale = Math.max(scale, Math.abs(expected[i] as number));
  }
  return scale === 0 ? gap : gap / scale;
}
