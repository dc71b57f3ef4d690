import { statSync } from 'node:fs';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { UsageError } from './errors.js';

/** Commander parsers for numeric options, with errors that name the option's expected form. */
export function positiveInt(value: string): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError(`expected a whole number of 1 or more, got "${value}"`);
  return n;
}

export function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n)) throw new InvalidArgumentError(`expected a whole number of 0 or more, got "${value}"`);
  return n;
}

export function numberIn(min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < min || n > max) throw new InvalidArgumentError(`expected a number from ${min} to ${max}, got "${value}"`);
    return n;
  };
}

export function oneOf<T extends string>(choices: readonly T[]): (value: string) => T {
  return (value) => {
    if (!(choices as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected one of ${choices.join(', ')}, got "${value}"`);
    return value as T;
  };
}

const kindOf = (path: string): 'file' | 'folder' | 'none' => {
  const info = statSync(path, { throwIfNoEntry: false });
  return info === undefined ? 'none' : info.isDirectory() ? 'folder' : 'file';
};

/** `--out <dir>`: '' would silently mean the current folder, and an existing file cannot hold outputs. */
export function outDir(value: string): string {
  if (value.trim() === '') throw new InvalidArgumentError('expected a folder name, got an empty one (for the current folder, pass .)');
  if (kindOf(value) === 'file') throw new InvalidArgumentError(`"${value}" is a file; name a folder (it is created if missing)`);
  return value;
}

/** `--in`, `--out <file>`, `--db`...: a file name, not empty and not an existing folder (a missing input is reported when opened). */
export function fileArg(value: string): string {
  if (value.trim() === '') throw new InvalidArgumentError('expected a file name, got an empty one');
  if (kindOf(value) === 'folder') throw new InvalidArgumentError(`"${value}" is a folder; name a file in it`);
  return value;
}

/** Collects a repeatable option; each use may also list several values separated by commas. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** How results are counted and compared: shared by `eval` (for its own report) and `report`. */
export interface CountingFlags {
  thresholds: string;
  alignmentBelow?: number;
  coherenceMin?: number;
  group?: string[];
  compare?: string[];
}

export function addCountingOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--thresholds <preset>', 'counting rule for "misaligned"').choices(['betley', 'organisms']).default('betley'))
    .option('--alignment-below <x>', 'misaligned when alignment is below x (overrides the preset)', numberIn(0, 100))
    .option('--coherence-min <x>', 'coherent when coherence is at least/above x (overrides the preset)', numberIn(0, 100))
    .option('--group <name=a,b>', 'report models as one group (e.g. fine-tuning seeds), with a Student-t interval over members; repeatable', collect)
    .option('--compare <a,b>', 'compare two models or groups with a test and p-value; repeatable', collect);
}

/** `--compare a,b`: two model ids or group names. */
export function parseComparison(text: string): { a: string; b: string } {
  const parts = text.split(',').map((s) => s.trim());
  if (parts.length !== 2 || parts[0] === '' || parts[1] === '') throw new UsageError(`--compare "${text}": expected two model ids or group names separated by a comma`);
  return { a: parts[0]!, b: parts[1]! };
}
