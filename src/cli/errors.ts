import { SuiteError } from '../suites/issues.js';
import { terminalSafe } from './terminal-text.js';

/** A mistake in how emlab was called: printed as one line, exit code 1. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Exit codes, documented in the README. */
export const EXIT = {
  ok: 0,
  error: 1,
  /** The run stopped with samples missing (failures to retry, or a fatal model error); re-run to finish. */
  incomplete: 2,
  /** `emlab gate`: the candidate is shown to be more misaligned than its base by more than the margin. */
  regression: 3,
  interrupted: 130,
} as const;

/**
 * The first line of an error's message, safe to print: what a user sees (stack traces only with
 * EMLAB_DEBUG=1). Messages may quote servers and files, so control characters are escaped.
 */
export function oneLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return terminalSafe(message.split('\n')[0] ?? message);
}

/**
 * What the CLI prints for an error that ends it: one line, except that a suite file with several
 * problems gets one line for each (every SuiteError line is a complete error naming file and line).
 */
export function errorLines(err: unknown): string[] {
  if (err instanceof SuiteError) return err.message.split('\n').map(terminalSafe);
  return [oneLine(err)];
}
