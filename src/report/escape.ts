/**
 * HTML escaping for everything that did not come from emlab's own code: model answers, prompts,
 * model ids, question ids, suite names. Safe in element content and in quoted attribute values.
 */
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Characters a reader cannot see but that act on them: C0/C1 controls (a raw ESC [2J still
 * clears the terminal of anyone who `cat`s the page; a lone CR overprints) and bidi overrides
 * (they reorder the text around them, so an answer could read other than it is). They are
 * written out as `\u001b`, so the page shows what the model really sent. CRLF line ends stay.
 */
const INVISIBLE = /\r(?!\n)|[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** How an invisible character is written out: `\u001b`. */
export function visibleEscape(c: string): string {
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** `text` with every invisible character that acts on its reader written out as `\u001b`. */
export function showInvisible(text: string): string {
  return text.replace(INVISIBLE, visibleEscape);
}

export function escapeHtml(text: string): string {
  return showInvisible(text.replace(/[&<>"']/g, (c) => ENTITIES[c]!));
}

/**
 * Text cut into plain runs and invisible characters (each written out as `\u001b`), for views
 * that render text as text (the viewer's pages) and mark the escapes so that they stand out.
 */
export function splitInvisible(text: string): { text: string; invisible: boolean }[] {
  const parts: { text: string; invisible: boolean }[] = [];
  let last = 0;
  for (const m of text.matchAll(INVISIBLE)) {
    if (m.index > last) parts.push({ text: text.slice(last, m.index), invisible: false });
    parts.push({ text: visibleEscape(m[0]), invisible: true });
    last = m.index + m[0].length;
  }
  if (last < text.length) parts.push({ text: text.slice(last), invisible: false });
  return parts;
}

/** A fragment of HTML known to be safe: built only from escaped text and emlab's own markup. */
export interface SafeHtml {
  readonly html: string;
}

/**
 * Template tag that escapes every interpolated value unless it is already SafeHtml (or an array
 * of them), so that forgetting to escape is not possible by construction.
 */
export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0]!;
  values.forEach((value, i) => {
    out += toHtml(value) + strings[i + 1]!;
  });
  return { html: out };
}

function toHtml(value: unknown): string {
  if (value === null || value === undefined || value === false) return '';
  if (Array.isArray(value)) return value.map(toHtml).join('');
  if (typeof value === 'object' && 'html' in value && typeof (value as SafeHtml).html === 'string') return (value as SafeHtml).html;
  return escapeHtml(String(value));
}

/** Marks emlab-generated markup (e.g. an SVG chart serialised by linkedom, which escapes its text) as safe. */
export function trusted(markup: string): SafeHtml {
  return { html: markup };
}
