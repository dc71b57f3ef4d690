import type Database from 'better-sqlite3';
import { hostname } from 'node:os';
import { openDatabase } from './database.js';
import { warningKindsOf } from './judgment-warnings.js';
import { GroupCommit } from './group-commit.js';

/** A lease not renewed for this long belongs to a dead or hung process and may be taken over. */
export const LEASE_STALE_MS = 30_000;

export type RunStatus = 'running' | 'complete' | 'incomplete';

export interface RunRow {
  id: string;
  config: unknown;
  status: RunStatus;
  createdAt: string;
  updatedAt: string;
}

export interface RunItemRow {
  runId: string;
  model: string;
  questionId: string;
  sampleIndex: number;
  paraphraseIndex: number;
  item: unknown;
  responseKey: string;
}

export interface ResponseEntry {
  key: string;
  model: string;
  kind: 'chat' | 'score';
  request: unknown;
  sampleIndex: number;
  response: unknown;
  inputTokens?: number;
  outputTokens?: number;
  latencyMs?: number;
}

export interface FailureRow {
  key: string;
  model: string;
  kind: string;
  message: string;
  attempts: number;
}

export interface JudgmentRow {
  key: string;
  judgeModel: string;
  metric: string;
  method: string;
  score: number | null;
  flag: string | null;
  category: string | null;
  numericMass: number | null;
  detail: unknown;
}

export interface RunJudgmentLink {
  runId: string;
  model: string;
  questionId: string;
  sampleIndex: number;
  metric: string;
  judgmentKey: string;
}

export class RunLockedError extends Error {
  constructor(path: string, pid: number | null, host: string | null) {
    super(`${path}: this run is being worked on by another emlab process (pid ${pid ?? '?'} on ${host ?? '?'}); wait for it to finish, or use another --out directory`);
    this.name = 'RunLockedError';
  }
}

const now = (): string => new Date().toISOString();

/** A database whose tables or rows are not what emlab wrote (damaged on disk, or edited). */
export class DamagedDatabaseError extends Error {
  constructor(path: string, detail: string) {
    super(`${path}: the database is damaged (${detail}); restore it from a copy, or start again with another --out folder`);
    this.name = 'DamagedDatabaseError';
  }
}

/**
 * The SQLite database of one results directory (WAL mode). Every answer is committed before the
 * request that brought it counts as done (alone, or with the others of the same turn of the event
 * loop: queueResponse), so a process killed at any point loses at most the requests in flight.
 * Writes use INSERT OR IGNORE on content keys: the first answer to a request wins and nothing is
 * ever counted twice.
 */
export class Store {
  readonly path: string;
  private readonly db: Database.Database;
  private readonly stmts;
  private readonly group: GroupCommit;

  private constructor(path: string, db: Database.Database) {
    this.path = path;
    this.db = db;
    this.group = new GroupCommit(db);
    this.stmts = {
      getResponse: db.prepare<[string], { response_json: string }>('SELECT response_json FROM responses WHERE key = ?'),
      putResponse: db.prepare(
        `INSERT OR IGNORE INTO responses (key, model, kind, request_json, sample_index, response_json, input_tokens, output_tokens, latency_ms, created_at)
         VALUES (@key, @model, @kind, @request_json, @sample_index, @response_json, @input_tokens, @output_tokens, @latency_ms, @created_at)`,
      ),
      deleteFailure: db.prepare('DELETE FROM failures WHERE key = ?'),
      recordFailure: db.prepare(
        `INSERT INTO failures (key, model, kind, message, attempts, updated_at) VALUES (@key, @model, @kind, @message, @attempts, @updated_at)
         ON CONFLICT(key) DO UPDATE SET kind = excluded.kind, message = excluded.message, attempts = failures.attempts + excluded.attempts, updated_at = excluded.updated_at`,
      ),
      getFailure: db.prepare<[string], FailureRow>('SELECT key, model, kind, message, attempts FROM failures WHERE key = ?'),
      getRun: db.prepare<[string], { id: string; config_json: string; status: RunStatus; created_at: string; updated_at: string }>(
        'SELECT id, config_json, status, created_at, updated_at FROM runs WHERE id = ?',
      ),
      latestRun: db.prepare<[], { id: string }>('SELECT id FROM runs ORDER BY updated_at DESC, rowid DESC LIMIT 1'),
      insertRun: db.prepare(
        `INSERT OR IGNORE INTO runs (id, config_json, status, created_at, updated_at) VALUES (?, ?, 'running', ?, ?)`,
      ),
      setStatus: db.prepare('UPDATE runs SET status = ?, updated_at = ? WHERE id = ?'),
      lease: db.prepare<[string], { lease_pid: number | null; lease_host: string | null; lease_heartbeat_at: number | null }>(
        'SELECT lease_pid, lease_host, lease_heartbeat_at FROM runs WHERE id = ?',
      ),
      takeLease: db.prepare('UPDATE runs SET lease_pid = ?, lease_host = ?, lease_heartbeat_at = ? WHERE id = ?'),
      heartbeat: db.prepare('UPDATE runs SET lease_heartbeat_at = ? WHERE id = ? AND lease_pid = ? AND lease_host = ?'),
      releaseLease: db.prepare(
        'UPDATE runs SET lease_pid = NULL, lease_host = NULL, lease_heartbeat_at = NULL WHERE id = ? AND lease_pid = ? AND lease_host = ?',
      ),
      addItem: db.prepare(
        `INSERT OR IGNORE INTO run_items (run_id, model, question_id, sample_index, paraphrase_index, item_json, response_key)
         VALUES (@run_id, @model, @question_id, @sample_index, @paraphrase_index, @item_json, @response_key)`,
      ),
      items: db.prepare<[string], { run_id: string; model: string; question_id: string; sample_index: number; paraphrase_index: number; item_json: string; response_key: string }>(
        'SELECT * FROM run_items WHERE run_id = ? ORDER BY rowid',
      ),
      getJudgment: db.prepare<[string], JudgmentSqlRow>(
        'SELECT * FROM judgments WHERE key = ?',
      ),
      putJudgment: db.prepare(
        `INSERT OR IGNORE INTO judgments (key, judge_model, metric, method, score, flag, category, numeric_mass, detail_json, created_at)
         VALUES (@key, @judge_model, @metric, @method, @score, @flag, @category, @numeric_mass, @detail_json, @created_at)`,
      ),
      link: db.prepare(
        `INSERT OR REPLACE INTO run_judgments (run_id, model, question_id, sample_index, metric, judgment_key)
         VALUES (@run_id, @model, @question_id, @sample_index, @metric, @judgment_key)`,
      ),
      links: db.prepare<[string], { run_id: string; model: string; question_id: string; sample_index: number; metric: string; judgment_key: string }>(
        'SELECT * FROM run_judgments WHERE run_id = ?',
      ),
      itemPage: db.prepare<[string, number, number], ItemPageSqlRow>(
        `SELECT i.item_row, i.model, i.question_id, i.sample_index, i.paraphrase_index, i.item_json, r.response_json,
                EXISTS (SELECT 1 FROM failures f WHERE f.key = i.response_key) AS failed,
                l.metric, j.method, j.score, j.flag, j.category,
                CASE WHEN json_valid(j.detail_json) THEN json_extract(j.detail_json, '$.warningKinds') END AS warning_kinds,
                CASE WHEN json_valid(j.detail_json) THEN json_extract(j.detail_json, '$.warning') END AS warning
         FROM (SELECT rowid AS item_row, * FROM run_items WHERE +run_id = ? AND rowid > ? ORDER BY rowid LIMIT ?) i
         LEFT JOIN responses r ON r.key = i.response_key
         LEFT JOIN run_judgments l ON l.run_id = i.run_id AND l.model = i.model AND l.question_id = i.question_id AND l.sample_index = i.sample_index
         LEFT JOIN judgments j ON j.key = l.judgment_key
         ORDER BY i.item_row`,
      ),
      addEvent: db.prepare('INSERT INTO run_events (run_id, at, kind, detail_json) VALUES (?, ?, ?, ?)'),
      events: db.prepare<[string], { at: string; kind: string; detail_json: string }>('SELECT at, kind, detail_json FROM run_events WHERE run_id = ? ORDER BY rowid'),
      count: db.prepare<[string, string], { n: number }>('SELECT COUNT(*) AS n FROM responses WHERE model = ? AND kind = ?'),
      allRuns: db.prepare<[], { id: string; config_json: string; status: RunStatus; created_at: string; updated_at: string }>(
        'SELECT id, config_json, status, created_at, updated_at FROM runs ORDER BY created_at, rowid',
      ),
      runCounts: db.prepare<[string], { planned: number; answered: number; failed: number }>(
        `SELECT COUNT(*) AS planned,
                COUNT(r.key) AS answered,
                SUM(CASE WHEN r.key IS NULL AND EXISTS (SELECT 1 FROM failures f WHERE f.key = i.response_key) THEN 1 ELSE 0 END) AS failed
         FROM run_items i LEFT JOIN responses r ON r.key = i.response_key WHERE i.run_id = ?`,
      ),
      sampleJudgments: db.prepare<[string, string, string, number], JudgmentSqlRow>(
        `SELECT l.metric, j.key, j.judge_model, j.method, j.score, j.flag, j.category, j.numeric_mass, j.detail_json
         FROM run_judgments l JOIN judgments j ON j.key = l.judgment_key
         WHERE l.run_id = ? AND l.model = ? AND l.question_id = ? AND l.sample_index = ? ORDER BY l.metric`,
      ),
      requestsContaining: db.prepare<[string, string, number], { kind: 'chat' | 'score'; request_json: string; response_json: string }>(
        'SELECT kind, request_json, response_json FROM responses WHERE model = ? AND instr(request_json, ?) > 0 ORDER BY rowid LIMIT ?',
      ),
    };
  }

  static open(path: string, options: { readonly?: boolean } = {}): Store {
    const db = openDatabase(path, { ...options, what: 'results' });
    try {
      return new Store(path, db);
    } catch (err) {
      // A table dropped or altered: its statements cannot even be prepared.
      db.close();
      throw new DamagedDatabaseError(path, (err as Error).message);
    }
  }

  /** A JSON column read back: an object (or array), or the database is damaged. */
  private parse(text: string, what: string): object {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw new DamagedDatabaseError(this.path, `${what} is not valid JSON: ${(err as Error).message}`);
    }
    if (typeof value !== 'object' || value === null) throw new DamagedDatabaseError(this.path, `${what} is ${JSON.stringify(value)}, not an object`);
    return value;
  }

  /** A judgments row as the store hands it out. */
  private judgmentFromRow(r: JudgmentSqlRow): JudgmentRow {
    return {
      key: r.key,
      judgeModel: r.judge_model,
      metric: r.metric,
      method: r.method,
      score: r.score,
      flag: r.flag,
      category: r.category,
      numericMass: r.numeric_mass,
      detail: this.parse(r.detail_json, 'judgments.detail_json'),
    };
  }

  close(): void {
    if (!this.db.open) return;
    this.group.flush();
    this.db.close();
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  // --- content-addressed responses -------------------------------------------------------

  getResponse<T = unknown>(key: string): T | undefined {
    const row = this.stmts.getResponse.get(key);
    return row === undefined ? undefined : (this.parse(row.response_json, 'responses.response_json') as T);
  }

  /** Stores a response and clears any failure recorded under its key. Returns false if it was already there. */
  putResponse(entry: ResponseEntry): boolean {
    const write = this.responseWrite(entry);
    return this.transaction(write);
  }

  /** putResponse in this turn's group commit (group-commit.ts); resolves once it is committed. */
  queueResponse(entry: ResponseEntry): Promise<void> {
    return this.group.add(this.responseWrite(entry));
  }

  /** The statements that store `entry`, its JSON made now (so that the commit itself cannot fail on it). */
  private responseWrite(entry: ResponseEntry): () => boolean {
    const row = {
      key: entry.key,
      model: entry.model,
      kind: entry.kind,
      request_json: JSON.stringify(entry.request),
      sample_index: entry.sampleIndex,
      response_json: JSON.stringify(entry.response),
      input_tokens: entry.inputTokens ?? null,
      output_tokens: entry.outputTokens ?? null,
      latency_ms: entry.latencyMs === undefined ? null : Math.round(entry.latencyMs),
      created_at: now(),
    };
    return () => {
      const info = this.stmts.putResponse.run(row);
      this.stmts.deleteFailure.run(entry.key);
      return info.changes > 0;
    };
  }

  countResponses(model: string, kind: 'chat' | 'score'): number {
    return this.stmts.count.get(model, kind)?.n ?? 0;
  }

  recordFailure(failure: Omit<FailureRow, 'attempts'> & { attempts?: number }): void {
    this.stmts.recordFailure.run({ ...failure, attempts: failure.attempts ?? 1, updated_at: now() });
  }

  getFailure(key: string): FailureRow | undefined {
    return this.stmts.getFailure.get(key);
  }

  // --- runs ---------------------------------------------------------------------------------

  /** Creates the run if new. Returns true when it was created, false when it already existed (a resume). */
  ensureRun(id: string, config: unknown): boolean {
    const t = now();
    return this.stmts.insertRun.run(id, JSON.stringify(config), t, t).changes > 0;
  }

  getRun(id: string): RunRow | undefined {
    const row = this.stmts.getRun.get(id);
    if (row === undefined) return undefined;
    return { id: row.id, config: this.parse(row.config_json, 'runs.config_json'), status: row.status, createdAt: row.created_at, updatedAt: row.updated_at };
  }

  /** Every run in the database, oldest first. */
  listRuns(): RunRow[] {
    return this.stmts.allRuns.all().map((row) => ({ id: row.id, config: JSON.parse(row.config_json), status: row.status, createdAt: row.created_at, updatedAt: row.updated_at }));
  }

  /** How far a run has got: samples planned, answered, and failed for good in their last attempt. */
  runCounts(runId: string): { planned: number; answered: number; failed: number } {
    const row = this.stmts.runCounts.get(runId);
    return { planned: row?.planned ?? 0, answered: row?.answered ?? 0, failed: row?.failed ?? 0 };
  }

  /**
   * Changes whenever another connection commits to the file (SQLite's PRAGMA data_version): a reader
   * can keep what it computed until the number moves.
   */
  dataVersion(): number {
    return this.db.pragma('data_version', { simple: true }) as number;
  }

  latestRun(): RunRow | undefined {
    const row = this.stmts.latestRun.get();
    return row === undefined ? undefined : this.getRun(row.id);
  }

  setRunStatus(id: string, status: RunStatus): void {
    this.stmts.setStatus.run(status, now(), id);
  }

  /**
   * Claims the run for this process, so two processes never send the same requests. A lease whose
   * holder stopped renewing it (killed with -9, machine gone) is taken over after LEASE_STALE_MS, or
   * at once when its pid is known dead on this host.
   */
  acquireLease(runId: string, pid = process.pid, host = hostname(), at = Date.now()): void {
    this.db
      .transaction(() => {
        const cur = this.stmts.lease.get(runId);
        if (cur === undefined) throw new Error(`run ${runId} does not exist`);
        const held = cur.lease_pid !== null && cur.lease_heartbeat_at !== null && !(cur.lease_pid === pid && cur.lease_host === host);
        if (held) {
          const fresh = at - (cur.lease_heartbeat_at ?? 0) < LEASE_STALE_MS;
          const deadHere = cur.lease_host === host && !pidAlive(cur.lease_pid!);
          if (fresh && !deadHere) throw new RunLockedError(this.path, cur.lease_pid, cur.lease_host);
        }
        this.stmts.takeLease.run(pid, host, at, runId);
      })
      .immediate();
  }

  /** Renews this process's lease. False when another process has taken the run over meanwhile. */
  renewLease(runId: string, pid = process.pid, host = hostname(), at = Date.now()): boolean {
    return this.stmts.heartbeat.run(at, runId, pid, host).changes > 0;
  }

  releaseLease(runId: string, pid = process.pid, host = hostname()): void {
    if (this.db.open) this.stmts.releaseLease.run(runId, pid, host);
  }

  addRunItems(items: RunItemRow[]): void {
    // Items are shared by the samples of one wording (eval/plan.ts): each is written out once.
    const json = new Map<unknown, string>();
    const itemJson = (item: unknown): string => {
      let text = json.get(item);
      if (text === undefined) json.set(item, (text = JSON.stringify(item)));
      return text;
    };
    this.transaction(() => {
      for (const it of items) {
        this.stmts.addItem.run({
          run_id: it.runId,
          model: it.model,
          question_id: it.questionId,
          sample_index: it.sampleIndex,
          paraphrase_index: it.paraphraseIndex,
          item_json: itemJson(it.item),
          response_key: it.responseKey,
        });
      }
    });
  }

  runItems(runId: string): RunItemRow[] {
    return this.stmts.items.all(runId).map((r) => ({
      runId: r.run_id,
      model: r.model,
      questionId: r.question_id,
      sampleIndex: r.sample_index,
      paraphraseIndex: r.paraphrase_index,
      item: this.parse(r.item_json, 'run_items.item_json'),
      responseKey: r.response_key,
    }));
  }

  /**
   * Up to `limit` planned samples of a run after item row `after` (in plan order), each with its
   * stored answer (or null) and its judgments (without the raw detail, with their warnings): what
   * reports read, a page at a time, so that memory does not grow with the run (the items by rowid,
   * `+run_id` keeping SQLite off the run_id index, which sorted all of a run's items for every
   * page: 7 s of 9 for a 100k-answer report). `next` is the
   * `after` of the following page; an empty page is the end.
   */
  runItemPage(runId: string, after: number, limit: number): { items: RunItemPageRow[]; next: number } {
    const items: RunItemPageRow[] = [];
    let current: RunItemPageRow | undefined;
    let next = after;
    for (const r of this.stmts.itemPage.all(runId, after, limit)) {
      if (current === undefined || r.item_row !== next) {
        current = {
          model: r.model,
          questionId: r.question_id,
          sampleIndex: r.sample_index,
          paraphraseIndex: r.paraphrase_index,
          item: this.parse(r.item_json, 'run_items.item_json'),
          response: r.response_json === null ? null : this.parse(r.response_json, 'responses.response_json'),
          failed: r.failed === 1,
          judgments: [],
        };
        items.push(current);
        next = r.item_row;
      }
      if (r.metric !== null && r.method !== null) {
        current.judgments.push({ metric: r.metric, method: r.method, score: r.score, flag: r.flag, category: r.category, warningKinds: warningKindsOf(r.warning_kinds, r.warning) });
      }
    }
    return { items, next };
  }

  // --- judgments -----------------------------------------------------------------------------

  getJudgment(key: string): JudgmentRow | undefined {
    const r = this.stmts.getJudgment.get(key);
    return r === undefined ? undefined : this.judgmentFromRow(r);
  }

  /** Stores a judgment and links it to a run's sample, atomically. */
  putJudgment(row: JudgmentRow, link?: Omit<RunJudgmentLink, 'judgmentKey'>): void {
    this.transaction(this.judgmentWrite(row, link));
  }

  /** putJudgment in this turn's group commit (group-commit.ts); resolves once it is committed. */
  queueJudgment(row: JudgmentRow, link?: Omit<RunJudgmentLink, 'judgmentKey'>): Promise<void> {
    return this.group.add(this.judgmentWrite(row, link));
  }

  private judgmentWrite(row: JudgmentRow, link: Omit<RunJudgmentLink, 'judgmentKey'> | undefined): () => void {
    const sqlRow = {
      key: row.key,
      judge_model: row.judgeModel,
      metric: row.metric,
      method: row.method,
      score: row.score,
      flag: row.flag,
      category: row.category,
      numeric_mass: row.numericMass,
      detail_json: JSON.stringify(row.detail),
      created_at: now(),
    };
    return () => {
      this.stmts.putJudgment.run(sqlRow);
      if (link) this.linkJudgment({ ...link, judgmentKey: row.key });
    };
  }

  /** Every judgment of one sample of a run, with its raw detail, by metric. */
  sampleJudgments(runId: string, model: string, questionId: string, sampleIndex: number): JudgmentRow[] {
    return this.stmts.sampleJudgments.all(runId, model, questionId, sampleIndex).map((r) => this.judgmentFromRow(r));
  }

  /**
   * Stored requests to `model` whose JSON text contains `needle` (at most `limit`, oldest first),
   * with their responses: how a reader finds the exact request a judge was sent for an answer.
   * A scan of that model's rows; meant for one answer at a time, on demand.
   */
  requestsContaining(model: string, needle: string, limit: number): { kind: 'chat' | 'score'; request: unknown; response: unknown }[] {
    return this.stmts.requestsContaining.all(model, needle, limit).map((r) => ({ kind: r.kind, request: this.parse(r.request_json, 'requests.request_json'), response: this.parse(r.response_json, 'responses.response_json') }));
  }

  linkJudgment(link: RunJudgmentLink): void {
    this.stmts.link.run({
      run_id: link.runId,
      model: link.model,
      question_id: link.questionId,
      sample_index: link.sampleIndex,
      metric: link.metric,
      judgment_key: link.judgmentKey,
    });
  }

  /** linkJudgment in this turn's group commit (group-commit.ts); resolves once it is committed. */
  queueLink(link: RunJudgmentLink): Promise<void> {
    return this.group.add(() => this.linkJudgment(link));
  }

  runJudgmentLinks(runId: string): RunJudgmentLink[] {
    return this.stmts.links.all(runId).map((r) => ({
      runId: r.run_id,
      model: r.model,
      questionId: r.question_id,
      sampleIndex: r.sample_index,
      metric: r.metric,
      judgmentKey: r.judgment_key,
    }));
  }

  /**
   * The finished steps of experiments stored in this database (migration 3; src/experiment/step-store.ts
   * writes them): the hash of each step's inputs, its name and output. Empty in a database made
   * before experiments existed, which a read-only store cannot migrate.
   */
  experimentSteps(): { key: string; step: string; output: unknown; createdAt: string }[] {
    const table = this.db.prepare<[], { n: number }>("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'experiment_steps'").get();
    if ((table?.n ?? 0) === 0) return [];
    return this.db
      .prepare<[], { key: string; step: string; output_json: string; created_at: string }>('SELECT key, step, output_json, created_at FROM experiment_steps ORDER BY created_at, step')
      .all()
      .map((r) => ({ key: r.key, step: r.step, output: this.parse(r.output_json, 'experiment_steps.output_json'), createdAt: r.created_at }));
  }

  addEvent(runId: string, kind: string, detail: unknown): void {
    this.stmts.addEvent.run(runId, now(), kind, JSON.stringify(detail));
  }

  events(runId: string): { at: string; kind: string; detail: unknown }[] {
    return this.stmts.events.all(runId).map((e) => ({ at: e.at, kind: e.kind, detail: this.parse(e.detail_json, 'run_events.detail_json') }));
  }
}

/** One planned sample as a report page holds it (Store.runItemPage). */
export interface RunItemPageRow {
  model: string;
  questionId: string;
  sampleIndex: number;
  paraphraseIndex: number;
  item: unknown;
  response: unknown;
  failed: boolean;
  judgments: { metric: string; method: string; score: number | null; flag: string | null; category: string | null; warningKinds: string[] }[];
}

interface ItemPageSqlRow {
  item_row: number;
  model: string;
  question_id: string;
  sample_index: number;
  paraphrase_index: number;
  item_json: string;
  response_json: string | null;
  failed: number;
  metric: string | null;
  method: string | null;
  score: number | null;
  flag: string | null;
  category: string | null;
  warning_kinds: string | null;
  warning: string | null;
}

interface JudgmentSqlRow {
  key: string;
  judge_model: string;
  metric: string;
  method: string;
  score: number | null;
  flag: string | null;
  category: string | null;
  numeric_mass: number | null;
  detail_json: string;
}


function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
