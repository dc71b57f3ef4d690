/**
 * The databases a viewer reads: the files and directories named on the command line, looked at
 * again on every listing so that a run started after the viewer shows up. Each database is opened
 * read-only once and kept open; in WAL mode a reader never blocks the process that writes.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Store } from '../store/store.js';
import type { SourceInfo } from './api-types.js';

/** Directories searched below a directory argument for emlab.db files (runs/<name>/emlab.db, runs/demo/x/emlab.db). */
const SEARCH_DEPTH = 3;
const SKIP_DIRS = new Set(['node_modules', '.git', '.emlab']);
const DISCOVER_EVERY_MS = 1000;

export const sourceId = (path: string): string => createHash('sha256').update(path).digest('hex').slice(0, 10);

export class SourceSet {
  private readonly roots: string[];
  private readonly stores = new Map<string, Store>();
  private readonly errors = new Map<string, string>();
  private found: { at: number; paths: string[] } | null = null;

  constructor(args: readonly string[]) {
    this.roots = args.map((a) => resolve(a));
  }

  /** Fails with one line when an argument names nothing: the viewer would show an empty list. */
  checkArguments(args: readonly string[]): void {
    args.forEach((arg, i) => {
      if (!existsSync(this.roots[i]!)) throw new Error(`${arg}: no such file or directory; give a results directory (emlab eval --out) or an emlab.db file`);
    });
  }

  /**
   * Every database file under the arguments, in argument order, each once. The tree is walked at
   * most once a second: a page asks several things at once, and a new run shows up a second later.
   */
  discover(): string[] {
    const now = Date.now();
    if (this.found && now - this.found.at < DISCOVER_EVERY_MS) return this.found.paths;
    const found: string[] = [];
    for (const root of this.roots) {
      let st;
      try {
        st = statSync(root);
      } catch {
        continue;
      }
      if (st.isFile()) found.push(root);
      else if (st.isDirectory()) walk(root, SEARCH_DEPTH, found);
    }
    this.found = { at: now, paths: [...new Set(found)] };
    return this.found.paths;
  }

  /** The listing: each database's id, path, and why it could not be opened. */
  sources(): SourceInfo[] {
    return this.discover().map((path) => {
      this.store(path);
      return { id: sourceId(path), path, error: this.errors.get(path) ?? null };
    });
  }

  /** The open store of a database, or null when it cannot be opened (the reason is in sources()). */
  store(path: string): Store | null {
    const open = this.stores.get(path);
    if (open) return open;
    try {
      const store = Store.open(path, { readonly: true });
      this.stores.set(path, store);
      this.errors.delete(path);
      return store;
    } catch (err) {
      this.errors.set(path, (err as Error).message);
      return null;
    }
  }

  close(): void {
    for (const s of this.stores.values()) s.close();
    this.stores.clear();
  }
}

function walk(dir: string, depth: number, out: string[]): void {
  const db = join(dir, 'emlab.db');
  if (existsSync(db)) out.push(db);
  if (depth === 0) return;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    // Symbolic links are not followed: a link loop or a link out of the tree is never searched.
    if (e.isDirectory() && !SKIP_DIRS.has(e.name)) walk(join(dir, e.name), depth - 1, out);
  }
}
