/**
 * Takes an API key out of text that came from a server. Servers echo the key they were sent (in
 * errors, in a reply's `model` field); they may also cut it, or emlab may cut their text to one
 * line. So not only the whole key goes but every run of text made of pieces of the key of
 * `MIN_PIECE` characters or more: no cut, anywhere, can leave a usable prefix or suffix behind.
 */
export const REDACTED = '[redacted]';

/** Shorter pieces are too likely to be ordinary text (and too short to help an attacker). */
export const MIN_PIECE = 8;

let cachedSecret: string | undefined;
let cachedPieces: Set<string> = new Set();

function piecesOf(secret: string): Set<string> {
  if (secret !== cachedSecret) {
    cachedPieces = new Set();
    for (let i = 0; i + MIN_PIECE <= secret.length; i++) cachedPieces.add(secret.slice(i, i + MIN_PIECE));
    cachedSecret = secret;
  }
  return cachedPieces;
}

export function redact(text: string, secret: string | undefined): string {
  if (secret === undefined || secret.length < 4) return text;
  const whole = text.split(secret).join(REDACTED);
  if (secret.length < MIN_PIECE || whole.length < MIN_PIECE) return whole;
  const pieces = piecesOf(secret);
  // Every character inside some window of MIN_PIECE characters that occurs in the key is hidden;
  // neighbouring hidden characters become one marker.
  let out = '';
  let kept = 0;
  let hidden = false;
  for (let i = 0; i + MIN_PIECE <= whole.length; i++) {
    if (!pieces.has(whole.slice(i, i + MIN_PIECE))) continue;
    if (!hidden || i > kept) out += whole.slice(kept, i) + REDACTED;
    hidden = true;
    kept = i + MIN_PIECE;
  }
  return hidden ? out + whole.slice(kept) : whole;
}

/**
 * Whether `text` holds the key or any piece of it that `redact` would take out: a scan per piece
 * in native code, several times faster than `redact` on text that holds none (every reply).
 */
export function holdsSecret(text: string, secret: string | undefined): boolean {
  if (secret === undefined || secret.length < 4) return false;
  if (secret.length < MIN_PIECE) return text.includes(secret);
  for (const piece of piecesOf(secret)) if (text.includes(piece)) return true;
  return false;
}

/** `value` with every string in it (object keys included) redacted; other values unchanged. */
export function redactDeep<T>(value: T, secret: string | undefined): T {
  if (secret === undefined || secret.length < 4) return value;
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return redact(v, secret);
    if (Array.isArray(v)) return v.map(walk);
    if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [redact(k, secret), walk(x)]));
    return v;
  };
  return walk(value) as T;
}
