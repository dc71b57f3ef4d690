/**
 * Text from outside emlab (server error bodies, model answers quoted in errors, file paths) is
 * printed to a terminal. Control characters in it could clear the screen (ESC [2J), rewrite the
 * line (CR), retitle the window or hide text; bidi overrides could reorder what is read. They
 * are shown as visible escapes instead.
 */
const UNSAFE = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Characters JSON.stringify leaves raw that still act on a terminal: DEL, C1 controls, bidi controls. */
const RAW_IN_JSON = /[\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** JSON text for a terminal: the same value, with those characters written as \\u escapes (they occur only inside strings). */
export function terminalSafeJson(json: string): string {
  return json.replace(RAW_IN_JSON, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
