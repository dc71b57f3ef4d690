/**
 * Untrusted text (answers, prompts, model and question ids) as text: Preact writes it as text
 * nodes, never markup, and control and bidi characters are written out as `\u001b` (marked), with
 * the same rule as report.html.
 */
import { splitInvisible } from '../../report/escape.js';

export function Inert({ text, class: cls }: { text: string; class?: string }) {
  const parts = splitInvisible(text);
  return (
    <span class={cls} dir="ltr">
      {parts.map((p, i) => (p.invisible ? <span key={i} class="ctl" title="an invisible or control character, written out">{p.text}</span> : p.text))}
    </span>
  );
}

/** An id (model, question, run), in monospace. */
export function Id({ text }: { text: string }) {
  return <Inert class="mono" text={text} />;
}

/** Untrusted text where only a string fits (an <option>, a title): the escapes are written out, unmarked. */
export function visible(text: string): string {
  return splitInvisible(text).map((p) => p.text).join('');
}
