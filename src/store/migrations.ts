import type Database from 'better-sqlite3';

/**
 * Schema history. Each entry runs once, in order, inside one transaction; `PRAGMA user_version`
 * records how many have run. Never edit an entry that has shipped: append a new one.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: content-addressed results of model calls, the run plan, judgments.
  `
  CREATE TABLE responses (
    key TEXT PRIMARY KEY,            -- contentHash({model, request, sampleIndex})
    model TEXT NOT NULL,
    kind TEXT NOT NULL,              -- 'chat' | 'score'
    request_json TEXT NOT NULL,
    sample_index INTEGER NOT NULL,
    response_json TEXT NOT NULL,
    input_tokens INTEGER,
    output_tokens INTEGER,
    latency_ms INTEGER,
    created_at TEXT NOT NULL
  );
  CREATE TABLE failures (
    key TEXT PRIMARY KEY,            -- the same key the response would have had
    model TEXT NOT NULL,
    kind TEXT NOT NULL,              -- ProviderError kind
    message TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE TABLE runs (
    id TEXT PRIMARY KEY,             -- contentHash of the run's configuration
    config_json TEXT NOT NULL,
    status TEXT NOT NULL,            -- 'running' | 'complete' | 'incomplete'
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    lease_pid INTEGER,
    lease_host TEXT,
    lease_heartbeat_at INTEGER       -- ms since epoch; a lease older than LEASE_STALE_MS is free
  );
  CREATE TABLE run_items (
    run_id TEXT NOT NULL REFERENCES runs(id),
    model TEXT NOT NULL,
    question_id TEXT NOT NULL,
    sample_index INTEGER NOT NULL,
    paraphrase_index INTEGER NOT NULL,
    item_json TEXT NOT NULL,         -- prompt, tags, metric kind, judge metrics: what the report needs
    response_key TEXT NOT NULL,
    PRIMARY KEY (run_id, model, question_id, sample_index)
  );
  CREATE TABLE judgments (
    key TEXT PRIMARY KEY,            -- contentHash({judge, metric, prompt, method options})
    judge_model TEXT NOT NULL,
    metric TEXT NOT NULL,
    method TEXT NOT NULL,
    score REAL,
    flag TEXT,
    category TEXT,
    numeric_mass REAL,
    detail_json TEXT NOT NULL,       -- raw top-k / samples, warnings: enough to recompute the score
    created_at TEXT NOT NULL
  );
  CREATE TABLE run_judgments (
    run_id TEXT NOT NULL REFERENCES runs(id),
    model TEXT NOT NULL,
    question_id TEXT NOT NULL,
    sample_index INTEGER NOT NULL,
    metric TEXT NOT NULL,
    judgment_key TEXT NOT NULL,
    PRIMARY KEY (run_id, model, question_id, sample_index, metric)
  );
  CREATE TABLE run_events (
    run_id TEXT NOT NULL,
    at TEXT NOT NULL,
    kind TEXT NOT NULL,              -- e.g. limit_changed, resumed, gave_up
    detail_json TEXT NOT NULL
  );
  `,
  // 2: fine-tuning jobs (src/finetune). Uploads and jobs are keyed by content hashes, so that a
  // re-run after a crash attaches to what exists instead of paying for a second job. Keys never
  // hold API keys. owner_* is a lease: the process working on the row, renewed while it works.
  `
  CREATE TABLE finetune_files (
    key TEXT PRIMARY KEY,            -- contentHash({endpoint, account, sha256})
    endpoint TEXT NOT NULL,
    sha256 TEXT NOT NULL,            -- of the file's bytes
    bytes INTEGER NOT NULL,
    filename TEXT NOT NULL,          -- the name uploaded (emlab-<sha>-...), looked up after a crash mid-upload
    file_id TEXT,                    -- null until the upload is confirmed
    owner_pid INTEGER,
    owner_host TEXT,
    heartbeat_at INTEGER,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE TABLE finetune_jobs (
    key TEXT PRIMARY KEY,            -- contentHash of the job spec (endpoint, base model, file hashes, hyper-parameters, seed, suffix)
    spec_json TEXT NOT NULL,
    attempt INTEGER NOT NULL,        -- 1, then +1 for each job re-created by --retry-failed
    job_id TEXT,                     -- null while the job is being created
    status TEXT NOT NULL,            -- 'creating', the server's status, or 'lost' (the server no longer knows the job)
    fine_tuned_model TEXT,
    trained_tokens INTEGER,
    error_json TEXT,
    last_event_id TEXT,              -- the newest event already shown
    history_json TEXT NOT NULL,      -- earlier attempts: job id, status, error
    owner_pid INTEGER,
    owner_host TEXT,
    heartbeat_at INTEGER,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  `,
  // 3: steps of experiments (src/experiment): each step's output under the hash of its inputs, so a
  // re-run of a finished experiment repeats nothing.
  `
  CREATE TABLE experiment_steps (
    key TEXT PRIMARY KEY,            -- contentHash of the step's kind and inputs
    step TEXT NOT NULL,              -- e.g. finetune:insecure#s1, for people reading the database
    output_json TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
  `,
  // 4: Batch API (src/eval/batching-provider.ts). A batch is recorded before it is created (its
  // key is sent as metadata), then its id; each request waiting on it points at it, so a restarted
  // run attaches to the batches it made instead of paying for the same requests again.
  `
  CREATE TABLE batches (
    key TEXT PRIMARY KEY,            -- contentHash of (model, request keys, attempt): metadata emlab_key
    model TEXT NOT NULL,
    batch_id TEXT,                   -- null until the server confirmed the batch
    status TEXT NOT NULL,            -- 'creating', the server's status, or 'read' once its results are stored
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE TABLE batch_items (
    request_key TEXT PRIMARY KEY,    -- the custom_id: the key the answer is stored under
    batch_key TEXT NOT NULL REFERENCES batches(key),
    request_json TEXT NOT NULL,
    attempts INTEGER NOT NULL        -- batches this request was sent in, this one included
  );
  `,
];

export function migrate(db: Database.Database): void {
  const version = (): number => db.pragma('user_version', { simple: true }) as number;
  const check = (current: number): void => {
    if (current > MIGRATIONS.length) {
      throw new Error(`database schema version ${current} is newer than this emlab knows (${MIGRATIONS.length}); upgrade emlab`);
    }
  };
  const before = version();
  check(before);
  if (before === MIGRATIONS.length) return;
  // Several processes may open a new database at once: the version is read again under the write
  // lock (BEGIN IMMEDIATE waits for it), so only the first one migrates and the others see its work.
  db.transaction(() => {
    const current = version();
    check(current);
    for (let v = current; v < MIGRATIONS.length; v++) {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    }
  }).immediate();
}
