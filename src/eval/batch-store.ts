/**
 * The records of Batch API work (migration 4 of src/store/migrations.ts), in the run's database:
 * which batch each waiting request was sent in. Written before the batch is created, so that a
 * process killed at any point leaves enough to find the batch again.
 */
import type Database from 'better-sqlite3';
import { openDatabase } from '../store/database.js';
import type { ChatRequest } from '../providers/types.js';

export interface BatchRecord {
  key: string;
  model: string;
  batchId: string | null;
  status: string;
}

export interface BatchItem {
  requestKey: string;
  batchKey: string;
  request: ChatRequest;
  attempts: number;
}

export class BatchStore {
  private readonly db: Database.Database;

  private constructor(db: Database.Database) {
    this.db = db;
  }

  static open(path: string): BatchStore {
    return new BatchStore(openDatabase(path, { what: 'results' }));
  }

  /** Records a batch about to be created with its requests, in one transaction. */
  addBatch(key: string, model: string, items: { requestKey: string; request: ChatRequest; attempts: number }[]): void {
    const now = new Date().toISOString();
    const insertBatch = this.db.prepare("INSERT OR IGNORE INTO batches (key, model, batch_id, status, created_at, updated_at) VALUES (?, ?, NULL, 'creating', ?, ?)");
    const upsertItem = this.db.prepare(
      `INSERT INTO batch_items (request_key, batch_key, request_json, attempts) VALUES (?, ?, ?, ?)
       ON CONFLICT(request_key) DO UPDATE SET batch_key = excluded.batch_key, attempts = excluded.attempts`,
    );
    this.db.transaction(() => {
      insertBatch.run(key, model, now, now);
      for (const it of items) upsertItem.run(it.requestKey, key, JSON.stringify(it.request), it.attempts);
    })();
  }

  setBatch(key: string, batchId: string | null, status: string): void {
    this.db.prepare('UPDATE batches SET batch_id = ?, status = ?, updated_at = ? WHERE key = ?').run(batchId, status, new Date().toISOString(), key);
  }

  batchOf(requestKey: string): (BatchRecord & { attempts: number }) | undefined {
    const row = this.db
      .prepare<[string], { key: string; model: string; batch_id: string | null; status: string; attempts: number }>(
        'SELECT b.key, b.model, b.batch_id, b.status, i.attempts FROM batch_items i JOIN batches b ON b.key = i.batch_key WHERE i.request_key = ?',
      )
      .get(requestKey);
    return row === undefined ? undefined : { key: row.key, model: row.model, batchId: row.batch_id, status: row.status, attempts: row.attempts };
  }

  items(batchKey: string): BatchItem[] {
    return this.db
      .prepare<[string], { request_key: string; batch_key: string; request_json: string; attempts: number }>('SELECT * FROM batch_items WHERE batch_key = ?')
      .all(batchKey)
      .map((r) => ({ requestKey: r.request_key, batchKey: r.batch_key, request: JSON.parse(r.request_json) as ChatRequest, attempts: r.attempts }));
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
