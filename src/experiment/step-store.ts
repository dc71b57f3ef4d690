/**
 * The step cache of experiments: a finished step's output stored under the hash of its inputs
 * (migration 3 of src/store/migrations.ts), in the experiment's emlab.db beside its answers and
 * fine-tuning jobs. Only finished steps are stored: a failed or incomplete one is simply run again.
 */
import type Database from 'better-sqlite3';
import { openDatabase } from '../store/database.js';

export class StepStore {
  readonly path: string;
  private readonly db: Database.Database;

  private constructor(path: string, db: Database.Database) {
    this.path = path;
    this.db = db;
  }

  static open(path: string): StepStore {
    return new StepStore(path, openDatabase(path, { what: 'experiment' }));
  }

  get<T>(key: string): T | undefined {
    const row = this.db.prepare<[string], { output_json: string }>('SELECT output_json FROM experiment_steps WHERE key = ?').get(key);
    return row === undefined ? undefined : (JSON.parse(row.output_json) as T);
  }

  put(key: string, step: string, output: unknown): void {
    this.db
      .prepare('INSERT OR REPLACE INTO experiment_steps (key, step, output_json, created_at) VALUES (?, ?, ?, ?)')
      .run(key, step, JSON.stringify(output), new Date().toISOString());
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
