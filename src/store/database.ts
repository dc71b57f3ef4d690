import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { migrate } from './migrations.js';

export interface OpenOptions {
  readonly?: boolean;
  /** Named in errors: "cannot open the <what> database". */
  what: string;
  /** Appended to errors, e.g. "; check --db". */
  hint?: string;
}

/**
 * Opens (creating if needed) an emlab SQLite database in WAL mode and brings its schema up to
 * date. Every emlab database (results, fine-tuning jobs) shares the one schema history, so one
 * file can hold them all. Errors are one line naming the file.
 */
export function openDatabase(path: string, options: OpenOptions): Database.Database {
  const hint = options.hint ?? '';
  if (!options.readonly) mkdirSync(dirname(path), { recursive: true });
  let db: Database.Database;
  try {
    db = new Database(path, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false, timeout: 10_000 });
  } catch (err) {
    throw new Error(`${path}: cannot open the ${options.what} database (${(err as Error).message})${hint}`);
  }
  try {
    withBusyRetry(() => {
      if (!options.readonly) {
        db.pragma('journal_mode = WAL');
        // NORMAL is durable against a killed process (only power loss can drop the last commits).
        db.pragma('synchronous = NORMAL');
      }
      db.pragma('foreign_keys = ON');
      if (!options.readonly) migrate(db);
    });
    const probe = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'responses'").get();
    if (probe === undefined) throw new Error('it is not an emlab database');
  } catch (err) {
    db.close();
    const msg = (err as Error).message;
    throw new Error(`${path}: ${/not a database|file is not/i.test(msg) ? 'not an SQLite database' : msg}${hint}`);
  }
  return db;
}

/** How long a new connection keeps retrying its set-up while other processes hold the file. */
const SETUP_RETRY_MS = 10_000;

/**
 * Runs `setup` again while SQLite answers "database is locked". Switching a brand-new file to WAL
 * takes an exclusive lock, and SQLite reports SQLITE_BUSY at once, without its busy handler, when
 * another process is switching or recovering the same file at that instant: seen with four processes
 * creating one database together on a loaded machine. Every step of `setup` is idempotent.
 */
function withBusyRetry(setup: () => void): void {
  const deadline = Date.now() + SETUP_RETRY_MS;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let attempt = 0; ; attempt++) {
    try {
      setup();
      return;
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      const busy = (typeof code === 'string' && code.startsWith('SQLITE_BUSY')) || /database is locked/i.test((err as Error).message);
      if (!busy || Date.now() >= deadline) throw err;
      // A short, growing, jittered pause (synchronous: opening a database is synchronous everywhere).
      Atomics.wait(pause, 0, 0, Math.min(200, 10 * 2 ** Math.min(attempt, 5)) * (0.5 + Math.random() / 2));
    }
  }
}
