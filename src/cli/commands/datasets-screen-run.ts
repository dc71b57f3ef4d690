import { writeFile } from 'node:fs/promises';
import { JsonlError, readJsonl } from '../../datasets/jsonl.js';
import { trainingRowSchema } from '../../finetune/training-file.js';
import { loadCheckpoint, type ChatTurn } from '../../organisms/model/index.js';
import { resolveOrganismDir } from '../../providers/organism.js';
import { openPrompts } from '../../studies/persona/answers.js';
import { contrastiveDirection } from '../../studies/persona/directions.js';
import { directionAt, screenRows } from '../../studies/persona/screen.js';
import { EXIT, UsageError, oneLine } from '../errors.js';
import { ProgressLine } from '../progress.js';

export interface ScreenFlags {
  model: string;
  in: string;
  out?: string;
  layer?: number;
  top: number;
  seed: number;
}

/** Persona contexts per development wording for the direction (as the persona study's full run). */
const CONTRAST = { draws: 6, exchanges: 2 };

/**
 * `emlab datasets screen`: each row's projection difference on the model's misaligned-persona
 * direction (the row's answer minus the model's own answer to the same prompt), before any training.
 */
export async function runScreenCommand(flags: ScreenFlags): Promise<number> {
  if (!flags.model.startsWith('organism:')) throw new UsageError(`--model ${flags.model}: screening reads the model's residual stream, which emlab has only for its organisms; use organism:base (or another organism:NAME)`);
  const dir = resolveOrganismDir(flags.model.slice('organism:'.length));
  const model = await loadCheckpoint(dir);
  try {
    const { layers, context } = model.config;
    const layer = flags.layer ?? layers - 1;
    if (layer >= layers) throw new UsageError(`--layer ${layer}: ${flags.model} has layers 0..${layers - 1}`);
    const rows: { line: number; prompt: ChatTurn[]; answer: string }[] = [];
    for await (const row of readJsonl(flags.in, trainingRowSchema)) {
      // Organisms know user and assistant turns only: a system prompt joins the first user message, as the organism provider does.
      const turns: ChatTurn[] = [];
      let system = '';
      for (const m of row.value.messages) {
        if (m.role === 'system') system += `${m.content} `;
        else if (m.role === 'user' && system !== '' && !turns.some((t) => t.role === 'user')) turns.push({ role: 'user', content: `${system}${m.content}` });
        else turns.push({ role: m.role, content: m.content });
      }
      const length = model.tokenizer.encodeChat(turns).ids.length;
      if (length > context) throw new JsonlError(flags.in, row.line, `the row is ${length} tokens in ${flags.model}'s chat template, over its context of ${context}; shorten the row or drop it`);
      rows.push({ line: row.line, prompt: turns.slice(0, -1), answer: turns[turns.length - 1]!.content });
    }
    if (rows.length === 0) throw new JsonlError(flags.in, 0, 'has no rows; each line must be {"messages": [...]}');
    process.stderr.write(`emlab datasets screen: ${rows.length} rows on ${flags.model}, layer ${layer}\n`);
    const direction = directionAt(await contrastiveDirection(model, openPrompts('development').map((p) => p.prompt), CONTRAST), layer);
    const progress = new ProgressLine({ label: 'rows' });
    const started = performance.now();
    const result = await screenRows(model, rows.map((r) => ({ prompt: r.prompt, answer: r.answer })), direction, {
      seed: flags.seed, temperature: 1, maxTokens: Math.min(120, context - 1),
      onProgress: (done, total) => progress.update({ total, done, failed: 0, elapsedMs: performance.now() - started }),
    });
    progress.finish();
    const scored = rows.map((r, i) => ({ line: r.line, ...result.rows[i]! }));
    if (flags.out !== undefined) await writeFile(flags.out, scored.map((s) => JSON.stringify(s)).join('\n') + '\n');
    const fmt = (x: number | null): string => (x === null ? '-' : x.toFixed(3));
    const top = [...scored].filter((s) => s.difference !== null).sort((a, b) => b.difference! - a.difference!).slice(0, flags.top);
    process.stdout.write([
      `rows: ${rows.length}; projection on the persona direction: rows ${fmt(result.meanProjection)}, the model's own answers ${fmt(result.meanOwn)}`,
      `projection difference: ${fmt(result.difference)} (higher: the data pulls the model further toward the misaligned persona than its own answers do)`,
      `rows with the largest difference (line: difference): ${top.map((s) => `${s.line}: ${fmt(s.difference)}`).join(', ')}`,
      ...(flags.out !== undefined ? [`per-row scores: ${flags.out}`] : []),
    ].join('\n') + '\n');
    return EXIT.ok;
  } catch (err) {
    if (err instanceof JsonlError || err instanceof UsageError) throw err;
    throw new Error(`datasets screen: ${oneLine(err)}`);
  } finally {
    model.dispose();
  }
}
