import { runInterruptible } from '../interruptible.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PERSONA_SETTINGS } from '../../studies/persona/config.js';
import { formatPersonaTable, renderPersonaHtml } from '../../studies/persona/report.js';
import { defaultPersonaDirs, runPersonaStudy } from '../../studies/persona/study.js';
import { resolveOrganismDir } from '../../providers/organism.js';
import { EXIT } from '../errors.js';
import { ProgressLine } from '../progress.js';
import type { PersonaFlags } from './study.js';

export async function runPersonaCommand(flags: PersonaFlags): Promise<number> {
  const out = resolve(flags.out);
  const started = performance.now();
  const progress = new ProgressLine({ label: 'persona' });
  const run = await runInterruptible('emlab study persona: interrupted; finished adapters are kept and reused by the next run', async (signal) => {
    const results = await runPersonaStudy(flags.quick ? PERSONA_SETTINGS.quick : PERSONA_SETTINGS.full, defaultPersonaDirs(resolveOrganismDir), {
      quick: flags.quick === true,
      signal,
      onProgress: (p) => progress.update({ total: p.total, done: p.done, failed: 0, elapsedMs: performance.now() - started, extra: p.phase }),
    });
    progress.finish();
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
    writeFileSync(join(out, 'report.html'), renderPersonaHtml(results));
    process.stdout.write(formatPersonaTable(results));
    if (flags.quick) process.stdout.write('(--quick: one fine-tune and one seed; intervals over datasets and seeds need the full run)\n');
    process.stderr.write(`wrote ${join(out, 'results.json')} and report.html\n`);
    return EXIT.ok;
  });
  return run.interrupted ? EXIT.interrupted : run.value;
}
