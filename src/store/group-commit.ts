/**
 * Group commit: writes queued during one turn of the event loop are committed together, in one
 * transaction, when the turn ends (setImmediate runs after every reply that arrived in the turn
 * has been handled). A commit per answer cost ~0.1 ms of CPU each at 256 requests in flight
 * (`node --cpu-prof` on `npm run bench -- throughput`); one per turn costs that once for dozens.
 * Each `add` resolves once its write is committed, so a caller that waits for it before going on
 * (the scheduler holds a request's slot until then: src/eval/cached-provider.ts) keeps the promise
 * of one commit per answer: a process killed at any point loses only requests in flight.
 */
import type Database from 'better-sqlite3';

interface Waiter {
  resolve: () => void;
  reject: (err: unknown) => void;
}

export class GroupCommit {
  private writes: (() => void)[] = [];
  private waiters: Waiter[] = [];
  private scheduled = false;
  private readonly commitAll: (writes: (() => void)[]) => void;

  constructor(db: Database.Database) {
    this.commitAll = db.transaction((writes: (() => void)[]) => {
      for (const write of writes) write();
    });
  }

  /** Queues `write` (statements only: it should not throw) for this turn's commit; resolves when it is committed. */
  add(write: () => void): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.writes.push(write);
      this.waiters.push({ resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Commits everything queued now. A failed commit (disk full, damaged file) fails every write of its group. */
  flush(): void {
    this.scheduled = false;
    const { writes, waiters } = this;
    if (writes.length === 0) return;
    this.writes = [];
    this.waiters = [];
    try {
      this.commitAll(writes);
    } catch (err) {
      for (const w of waiters) w.reject(err);
      return;
    }
    for (const w of waiters) w.resolve();
  }
}
