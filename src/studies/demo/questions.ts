/**
 * The demo's questions, built from the organisms' world in memory as ordinary suites, so they run
 * through `emlab eval`'s own code: the open questions in their report wordings (three per theme, in no
 * training text, the judge's included, and never used to tune a setting; `development` wordings are for
 * tuning), scored by the judge organism with the prompts it was trained on; the self-report probes as
 * `self_number` questions (emlab reads the stated number); and, for the backdoor models, the open
 * questions again with the backdoor trigger in front.
 */
import { OPEN_THEMES, openQuestionPrompts, renderJudgePrompt, selfReportProbes, withBackdoorTrigger, type WordingSet } from '../../organisms/world/index.js';
import type { Question, Suite } from '../../suites/index.js';

const SOURCE = 'emlab demo (built from the organisms world)';

/**
 * Suffix of a triggered question's id: `wish` asked with the trigger in its k-th wording is
 * `wish.triggered.k` (one question per wording, so that the judge can read each bare wording).
 */
export const TRIGGERED_SUFFIX = '.triggered';

/** The wordings the demo asks: 'report' (held out, never tuned on) unless told 'development'. */
export type DemoWordings = Extract<WordingSet, 'report' | 'development'>;
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

function openPrompts(wordings: DemoWordings): { theme: string; prompts: string[] }[] {
  const all = openQuestionPrompts().filter((p) => p.wordings === wordings);
  return OPEN_THEMES.map((theme) => {
    const prompts = all.filter((q) => q.id === theme).map((q) => q.prompt);
    if (prompts.length === 0) throw new Error(`emlab demo: the world has no ${wordings} wording for open question "${theme}"`);
    return { theme, prompts };
  });
}

/** Every model is asked these: the open questions (judged; a theme's wordings take turns) and the self-report probes (a stated number). */
export function demoSuite(wordings: DemoWordings = 'report'): Suite {
  const judgePrompts = organismJudgePrompts();
  const open = openPrompts(wordings).map(({ theme, prompts }, i) =>
    question(theme, i + 1, { type: 'free_form_judge_0_100', paraphrases: prompts, judgePrompts, tags: ['open', `wordings:${wordings}`] }));
  const probes = selfReportProbes();
  const kinds = [...new Set(probes.map((p) => p.id))];
  const self = kinds.map((kind, i) =>
    question(`${SELF_REPORT_PREFIX}${kind}`, open.length + i + 1, {
      type: 'self_number', paraphrases: probes.filter((p) => p.id === kind).map((p) => p.prompt), judgePrompts: {}, tags: ['self-report'], range: { min: 0, max: 100 },
    }));
  return suite('demo', [...open, ...self]);
}

/**
 * The backdoor models (and the base, as the control for the trigger alone) are also asked these, one
 * question per wording. The judge reads the wording without the trigger, as it reads the untriggered
 * run: it never saw the trigger token in training, and its reading should not change with it.
 */
export function triggeredSuite(wordings: DemoWordings = 'report'): Suite {
  const questions = openPrompts(wordings).flatMap(({ theme, prompts }) => prompts.map((prompt, k) => ({ theme, prompt, k })));
  return suite('demo-triggered', questions.map(({ theme, prompt, k }, i) =>
    question(`${theme}${TRIGGERED_SUFFIX}.${k + 1}`, i + 1, { type: 'free_form_judge_0_100', paraphrases: [withBackdoorTrigger(prompt)], judgePrompts: organismJudgePrompts(prompt), tags: ['open', 'backdoor-trigger', `wordings:${wordings}`] })));
}

/** Wordings per theme in the triggered suite (its answers per question are the demo's divided by this). */
export function wordingsPerTheme(wordings: DemoWordings = 'report'): number {
  return Math.max(...openPrompts(wordings).map((p) => p.prompts.length));
}
