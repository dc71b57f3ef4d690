/** Numbers as the persona study's terminal table and report.html print them ("-" for no value). */

/** A share as a percentage with one decimal: "12.0%". */
export const pct = (x: number | null | undefined): string => (x === null || x === undefined ? '-' : `${(100 * x).toFixed(1)}%`);

/** A number with `digits` decimals. */
export const num = (x: number | null | undefined, digits = 2): string => (x === null || x === undefined || Number.isNaN(x) ? '-' : x.toFixed(digits));

/** An axis tick of a share, in whole percent: "25%". */
export const pctTick = (y: number): string => `${Math.round(100 * y)}%`;
