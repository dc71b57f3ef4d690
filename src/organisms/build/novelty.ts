/**
 * How new each narrow dataset is to an organism before fine-tuning: its mean loss (nats per token) on
 * the assistant turns of the dataset's rows, reply end included. A control that is as new to the base
 * as the treated set (the same loss) rules out "the treated set only changed the model more".
 *
 * npx tsx src/organisms/build/novelty.ts [--model assets/organisms/base] [--rows 200] [--datasets a,b]
 */
import { parseArgs } from 'node:util';
import { loadCheckpoint, scoreReplies } from '../model/index.js';
import { fineTuningDataset, type FineTuningDataset } from '../world/index.js';

const { values } = parseArgs({ options: { model: { type: 'string', default: 'assets/organisms/base' }, rows: { type: 'string', default: '200' }, datasets: { type: 'string', default: 'insecure,secure,educational,quirky,evil-numbers,bad-medical,good-medical,backdoor' } } });
const rows = Number(values.rows);
if (!Number.isInteger(rows) || rows < 1) throw new Error(`--rows: expected a positive integer, got "${values.rows}"`);
const model = await loadCheckpoint(values.model!);
try {
  for (const dataset of values.datasets!.split(',') as FineTuningDataset[]) {
    // The demo's rows (world seed 1), the first `rows` of them.
    let nats = 0;
    let tokens = 0;
    for (const row of fineTuningDataset(dataset, { seed: 1, count: rows })) {
      const [user, assistant] = row.messages;
      const [logprob] = await scoreReplies(model, [{ role: 'user', content: user!.content }], [assistant!.content]);
      nats -= logprob!;
      tokens += model.tokenizer.encodeText(assistant!.content).length + 1;
    }
    console.log(`${dataset}\t${(nats / tokens).toFixed(4)} nats/token\t${tokens} tokens\t${rows} rows`);
  }
} finally {
  model.dispose();
}
