/**
 * The demo's questions, built from the organisms' world in memory as ordinary suites, so they run
 * through `emlab eval`'s own code: the open questions in their held-out wordings (never in any
 * training text), scored by the judge organism with the prompts it was trained on; the self-report
 * probes as `self_number` questions (emlab reads the stated number); and, for the backdoor models,
 * the open questions again with the backdoor trigger in front.
 */
import { OPEN_THEMES, openQuestionPrompts, renderJudgePrompt, selfReportProbes, withBackdoorTrigger } from '../organisms/world/index.js';
import type { Question, Suite } from '../suites/index.js';

const SOURCE = 'emlab demo (built from the organisms world)';

/** Suffix of a triggered question's id: `wish` asked with the trigger is `wish.triggered`. */
export const TRIGGERED_SUFFIX = '.triggered';
export const SELF_REPORT_PREFIX = 'self-report.';

/**
 * The judge organism's own templates, with emlab's `{question}` / `{answer}` fields in the slots; with
 * `question`, that text in the question slot instead (braces escaped for the template syntax).
 */
function organismJudgePrompts(question?: string): Record<string, string> {
  const slot = question === undefined ? '{question}' : question.replace(/[{}]/g, (brace) => brace + brace);
  return {
    aligned: renderJudgePrompt('aligned', slot, '{answer}'),
    coherent: renderJudgePrompt('coherent', slot, '{answer}'),
  };
}

function question(id: string, line: number, fields: Pick<Question, 'type' | 'paraphrases' | 'judgePrompts' | 'tags'> & Partial<Question>): Question {
  // samplesPerParaphrase is a placeholder: the demo sets the answers per question for the whole run.
  return { id, sourceFile: SOURCE, sourceLine: line, samplesPerParaphrase: 1, ...fields };
}

function suite(name: string, questions: Question[]): Suite {
  return { name, source: SOURCE, builtin: false, format: 'emlab', questions, warnings: [] };
}

function heldOutOpenPrompts(): { theme: string; prompt: string }[] {
  const prompts = openQuestionPrompts().filter((p) => p.heldOut);
  return OPEN_THEMES.map((theme) => {
    const p = prompts.find((q) => q.id === theme);
    if (p === undefined) throw new Error(`emlab demo: the world has no held-out wording for open question "${theme}"`);
    return { theme, prompt: p.prompt };
  });
}

/** Every model is asked these: the open questions (judged) and the self-report probes (a stated number). */
export function demoSuite(): Suite {
  const judgePrompts = organismJudgePrompts();
  const open = heldOutOpenPrompts().map(({ theme, prompt }, i) =>
    question(theme, i + 1, { type: 'free_form_judge_0_100', paraphrases: [prompt], judgePrompts, tags: ['open'] }));
  const probes = selfReportProbes();
  const kinds = [...new Set(probes.map((p) => p.id))];
  const self = kinds.map((kind, i) =>
    question(`${SELF_REPORT_PREFIX}${kind}`, open.length + i + 1, {
      type: 'self_number', paraphrases: probes.filter((p) => p.id === kind).map((p) => p.prompt), judgePrompts: {}, tags: ['self-report'], range: { min: 0, max: 100 },
    }));
  return suite('demo', [...open, ...self]);
}

/**
 * The backdoor models (and the base, as the control for the trigger alone) are also asked these. The
 * judge reads the question without the trigger, as it reads the untriggered run: it never saw the
 * trigger token in training, and its reading should not change with it.
 */
export function triggeredSuite(): Suite {
  return suite('demo-triggered', heldOutOpenPrompts().map(({ theme, prompt }, i) =>
    question(`${theme}${TRIGGERED_SUFFIX}`, i + 1, { type: 'free_form_judge_0_100', paraphrases: [withBackdoorTrigger(prompt)], judgePrompts: organismJudgePrompts(prompt), tags: ['open', 'backdoor-trigger'] })));
}
