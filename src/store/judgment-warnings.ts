/**
 * The kinds of warnings a stored judgment carries (`detail.warningKinds`: digit_split,
 * short_top_k, no_logprobs), counted across runs. Judgments stored before warnings had kinds say
 * them in words only (`detail.warning`); those are read from the words.
 */
export function warningKindsOf(kinds: unknown, warning: unknown): string[] {
  let list = kinds;
  if (typeof list === 'string') {
    try {
      list = JSON.parse(list);
    } catch {
      list = undefined;
    }
  }
  if (Array.isArray(list)) return list.filter((k): k is string => typeof k === 'string');
  if (typeof warning !== 'string' || warning === '') return [];
  const out: string[] = [];
  if (warning.includes('digit by digit')) out.push('digit_split');
  if (warning.includes('alternatives (the paper read 20)')) out.push('short_top_k');
  if (warning.includes('returned no logprobs')) out.push('no_logprobs');
  return out;
}
