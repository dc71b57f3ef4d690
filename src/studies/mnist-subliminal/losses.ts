/**
 * The two training losses of the study, each over a contiguous slice of the logits and averaged
 * over the batch, with their gradients with respect to every logit (zero outside the slice):
 * - the teacher's cross-entropy on the 10 class logits (the auxiliary logits get no direct signal);
 * - the student's distillation loss, KL(softmax(teacher slice) ‖ softmax(student slice)), as
 *   PyTorch's `kl_div(log_softmax(student), softmax(teacher), reduction="batchmean")` in the paper.
 * Both gradients have the softmax form (p − target)/batch.
 */

/** Which logits a loss reads: columns [first, first + count) of each row. */
export interface LogitSlice {
  first: number;
  count: number;
}

function checkSlice(slice: LogitSlice, width: number): void {
  if (slice.count < 1 || slice.first < 0 || slice.first + slice.count > width) {
    throw new Error(`logit slice [${slice.first}, ${slice.first + slice.count}) does not fit ${width} logits`);
  }
}

/** Softmax of row[first .. first+count) into out[0 .. count); returns log Σ exp (for log-probabilities). */
function softmaxInto(row: Float32Array, offset: number, count: number, out: Float64Array): number {
  let max = -Infinity;
  for (let j = 0; j < count; j++) max = Math.max(max, row[offset + j] as number);
  let sum = 0;
  for (let j = 0; j < count; j++) {
    const e = Math.exp((row[offset + j] as number) - max);
    out[j] = e;
    sum += e;
  }
  for (let j = 0; j < count; j++) out[j] = (out[j] as number) / sum;
  return max + Math.log(sum);
}

/**
 * Mean cross-entropy of the slice's softmax against integer labels (label c means slice column c).
 * Writes d(loss)/d(logits) into `grad` (batch × width) and returns the loss.
 */
export function sliceCrossEntropy(
  logits: Float32Array, width: number, batch: number, slice: LogitSlice, labels: Uint8Array, grad: Float32Array,
): number {
  checkSlice(slice, width);
  const p = new Float64Array(slice.count);
  let loss = 0;
  grad.fill(0, 0, batch * width);
  for (let r = 0; r < batch; r++) {
    const offset = r * width + slice.first;
    const logSumExp = softmaxInto(logits, offset, slice.count, p);
    const label = labels[r] as number;
    if (label >= slice.count) throw new Error(`label ${label} of row ${r} is outside the ${slice.count} class logits`);
    loss += logSumExp - (logits[offset + label] as number);
    for (let j = 0; j < slice.count; j++) grad[offset + j] = ((p[j] as number) - (j === label ? 1 : 0)) / batch;
  }
  return loss / batch;
}

/**
 * Mean over rows of KL(q ‖ p), q = softmax of the target slice (targetWidth logits per row, same
 * slice), p = softmax of the student's slice. Writes d(loss)/d(student logits) into `grad`.
 */
export function sliceDistillationKl(
  logits: Float32Array, width: number, batch: number, slice: LogitSlice,
  targetLogits: Float32Array, targetWidth: number, grad: Float32Array,
): number {
  checkSlice(slice, width);
  checkSlice(slice, targetWidth);
  const p = new Float64Array(slice.count);
  const q = new Float64Array(slice.count);
  let loss = 0;
  grad.fill(0, 0, batch * width);
  for (let r = 0; r < batch; r++) {
    const offset = r * width + slice.first;
    const targetOffset = r * targetWidth + slice.first;
    const logZp = softmaxInto(logits, offset, slice.count, p);
    const logZq = softmaxInto(targetLogits, targetOffset, slice.count, q);
    for (let j = 0; j < slice.count; j++) {
      const qj = q[j] as number;
      if (qj > 0) {
        const logQ = (targetLogits[targetOffset + j] as number) - logZq;
        const logP = (logits[offset + j] as number) - logZp;
        loss += qj * (logQ - logP);
      }
      grad[offset + j] = ((p[j] as number) - qj) / batch;
    }
  }
  return loss / batch;
}
