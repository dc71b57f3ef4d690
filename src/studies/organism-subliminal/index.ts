/**
 * The organism subliminal-learning study's parts that need only the organisms: owl-rate measures,
 * teacher completions, results and table. The run itself (trainer, number filter) sits above, in
 * src/cli/commands/study-organism-run.ts. Design and measured results: README.md here.
 */
export { measureOwlRate } from './measure.js';
export type { OwlRate, OwlMeasureOptions } from './measure.js';
export { teacherCompletions, owlNumberShare } from './numbers.js';
export { ARMS, ARM_LABELS, summarise, formatTable, writeResults } from './results.js';
export type { Arm, ArmSummary, FilterCounts, OrganismSubliminalResults, PairedDifference, SeedRecord, Verdict } from './results.js';
