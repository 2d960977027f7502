import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { z } from 'zod';
import { SigstormError } from '../../util/errors.js';
import { DeliveryStore } from './delivery-store.js';
import {
  ActionsRun,
  type ActionsRunInput,
  type Job,
  JobOptions,
  type JobStatus,
  jobKinds,
  jobStatuses,
  type NewJob,
  StoredResult,
  type StoredResultInput,
  UntrustedReason,
} from './job.js';
import { WarmBaseStore } from './warm-base-store.js';

const schema = `
CREATE TABLE IF NOT EXISTS jobs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  delivery_id TEXT NOT NULL UNIQUE,
  dedupe_key TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  trigger TEXT NOT NULL,
  installation_id INTEGER NOT NULL,
  owner TEXT NOT NULL,
  repo TEXT NOT NULL,
  pull_number INTEGER,
  clone_url TEXT NOT NULL,
  base_sha TEXT NOT NULL,
  base_label TEXT NOT NULL,
  head_sha TEXT NOT NULL,
  head_label TEXT NOT NULL,
  options TEXT NOT NULL,
  check_name TEXT NOT NULL,
  requested_by TEXT NOT NULL,
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  check_run_id INTEGER,
  note TEXT,
  conclusion TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS deliveries (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  payload TEXT NOT NULL,
  received_at TEXT NOT NULL,
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_at TEXT NOT NULL,
  note TEXT
);
CREATE INDEX IF NOT EXISTS deliveries_pending ON deliveries (status, next_at, seq);
CREATE TABLE IF NOT EXISTS effects (
  delivery_id TEXT NOT NULL,
  effect TEXT NOT NULL,
  at TEXT NOT NULL,
  PRIMARY KEY (delivery_id, effect)
);
CREATE INDEX IF NOT EXISTS jobs_status ON jobs (status, id);
CREATE INDEX IF NOT EXISTS jobs_pull ON jobs (owner, repo, pull_number);
CREATE INDEX IF NOT EXISTS jobs_check_run ON jobs (check_run_id);
`;

interface Row {
  id: number;
  delivery_id: string;
  dedupe_key: string;
  kind: string;
  trigger: string;
  installation_id: number;
  owner: string;
  repo: string;
  pull_number: number | null;
  clone_url: string;
  base_sha: string;
  base_label: string;
  head_sha: string;
  head_label: string;
  options: string;
  check_name: string;
  requested_by: string;
  status: string;
  attempts: number;
  check_run_id: number | null;
  note: string | null;
  conclusion: string | null;
  created_at: string;
  updated_at: string;
  order_key: string;
  not_before: string | null;
  started_at: string | null;
  check_final: number;
  result: string | null;
  untrusted: string | null;
  actions_run: string | null;
}

/** Columns added after the first release: added in place to an older store. */
const addedColumns: Readonly<Record<string, string>> = {
  order_key: "TEXT NOT NULL DEFAULT ''",
  not_before: 'TEXT',
  started_at: 'TEXT',
  check_final: 'INTEGER NOT NULL DEFAULT 0',
  result: 'TEXT',
  untrusted: 'TEXT',
  actions_run: 'TEXT',
};

/**
 * The app's jobs in an embedded SQLite file: they outlive the webhook that recorded them and the
 * process that ran them. Every write is one statement or one transaction, so a kill leaves no half state.
 */
export class JobStore {
  readonly #db: Database.Database;

  constructor(file: string) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    try {
      this.#db = new Database(file);
    } catch (error) {
      throw new SigstormError(`Cannot open the job store ${file}`, {
        cause: error,
        hint: 'Set SIGSTORM_DB to a writable file path (its directory is created if missing).',
      });
    }
    // WAL: readers never wait for the executor's writes; NORMAL sync is durable enough with WAL.
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('synchronous = NORMAL');
    this.#db.pragma('busy_timeout = 5000');
    this.#db.exec(schema);
    const present = new Set(
      (this.#db.prepare('PRAGMA table_info(jobs)').all() as { name: string }[]).map((c) => c.name),
    );
    for (const [column, type] of Object.entries(addedColumns)) {
      if (!present.has(column)) this.#db.exec(`ALTER TABLE jobs ADD COLUMN ${column} ${type}`);
    }
    this.deliveries = new DeliveryStore(this.#db);
    this.warmBases = new WarmBaseStore(this.#db);
  }

  /** Webhook deliveries, stored before they are answered and processed from here. */
  readonly deliveries: DeliveryStore;
  /** Base commits to warm ahead of pull requests, run when no job waits. */
  readonly warmBases: WarmBaseStore;

  close(): void {
    this.#db.close();
  }

  /** Records a job unless one exists for the same delivery or the same request: then returns that one. */
  insert(job: NewJob, untrusted?: UntrustedReason): { job: Job; created: boolean } {
    const status = untrusted ? 'awaiting_approval' : 'queued';
    const now = new Date().toISOString();
    const info = this.#db
      .prepare(
        `INSERT INTO jobs (delivery_id, dedupe_key, kind, trigger, installation_id, owner, repo, pull_number,
           clone_url, base_sha, base_label, head_sha, head_label, options, check_name, requested_by, status,
           created_at, updated_at, order_key, untrusted)
         VALUES (@deliveryId, @dedupeKey, @kind, @trigger, @installationId, @owner, @repo, @pullNumber,
           @cloneUrl, @baseSha, @baseLabel, @headSha, @headLabel, @options, @checkName, @requestedBy, @status,
           @now, @now, @orderKey, @untrusted)
         ON CONFLICT DO NOTHING`,
      )
      .run({
        ...job,
        status,
        options: JSON.stringify(JobOptions.parse(job.options)),
        now,
        orderKey: job.orderKey ?? now,
        untrusted: untrusted ? JSON.stringify(untrusted) : null,
      });
    if (info.changes === 1) return { job: this.#get(Number(info.lastInsertRowid)), created: true };
    const existing = this.#db
      .prepare('SELECT * FROM jobs WHERE delivery_id = ? OR dedupe_key = ? ORDER BY id LIMIT 1')
      .get(job.deliveryId, job.dedupeKey) as Row | undefined;
    if (!existing) throw new Error(`job insert for ${job.dedupeKey} neither inserted nor found`);
    return { job: toJob(existing), created: false };
  }

  get(id: number): Job | undefined {
    const row = this.#db.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as Row | undefined;
    return row ? toJob(row) : undefined;
  }

  #get(id: number): Job {
    const job = this.get(id);
    if (!job) throw new Error(`job ${id} vanished from the store`);
    return job;
  }

  setCheckRun(id: number, checkRunId: number): void {
    this.#update(id, { check_run_id: checkRunId });
  }

  /**
   * Takes the next job and marks it running (one attempt more), atomically. Only jobs whose check run
   * exists (the handler that recorded a job may still be creating it) and whose retry time has come.
   * Release gates first; then the repositories in turn (the one served longest ago first), each
   * with its oldest job; a validated job (only its publishing left) before a queued one.
   */
  claimNext(now = new Date()): Job | undefined {
    const at = now.toISOString();
    const row = this.#db
      .prepare(
        `UPDATE jobs SET status = 'running', attempts = attempts + 1, updated_at = @at, started_at = @at
         WHERE id = (
           SELECT j.id FROM jobs j
           WHERE j.status IN ('queued', 'validated') AND j.check_run_id IS NOT NULL
             AND (j.not_before IS NULL OR j.not_before <= @at)
           ORDER BY j.kind = 'release' DESC,
             (SELECT MAX(s.started_at) FROM jobs s WHERE s.owner = j.owner AND s.repo = j.repo) IS NOT NULL,
             (SELECT MAX(s.started_at) FROM jobs s WHERE s.owner = j.owner AND s.repo = j.repo),
             j.status = 'validated' DESC,
             j.id
           LIMIT 1)
         RETURNING *`,
      )
      .get({ at }) as Row | undefined;
    return row ? toJob(row) : undefined;
  }

  /** Some job waits to run or to publish (background work yields to it). */
  hasWaitingJob(): boolean {
    return (
      this.#db.prepare(`SELECT 1 FROM jobs WHERE status IN ('queued', 'validated') LIMIT 1`).get() !==
      undefined
    );
  }

  /** Jobs waiting in a repository's queue (not running, not waiting for approval). */
  queuedCount(owner: string, repo: string): number {
    const row = this.#db
      .prepare(`SELECT COUNT(*) AS n FROM jobs WHERE owner = ? AND repo = ? AND status = 'queued'`)
      .get(owner, repo) as { n: number };
    return row.n;
  }

  /**
   * The validation finished: its result is kept before publishing starts. The job stays running; if
   * publishing fails (or the app dies), it goes back to `validated`, and only publishing is retried,
   * with attempts counted afresh.
   */
  saveResult(id: number, result: StoredResultInput): boolean {
    const info = this.#db
      .prepare(
        `UPDATE jobs SET result = ?, attempts = 0, not_before = NULL, updated_at = ?
         WHERE id = ? AND status = 'running'`,
      )
      .run(JSON.stringify(StoredResult.parse(result)), new Date().toISOString(), id);
    return info.changes === 1;
  }

  /**
   * A running job failed on GitHub's side: back to where it was (validated when its result is kept,
   * dispatched when it has an Actions run, else queued), not before `notBefore`; other jobs run meanwhile.
   */
  retryLater(id: number, note: string, notBefore: Date): boolean {
    const info = this.#db
      .prepare(
        `UPDATE jobs SET status = CASE WHEN result IS NOT NULL THEN 'validated'
             WHEN actions_run IS NOT NULL THEN 'dispatched' ELSE 'queued' END,
           note = ?, not_before = ?, updated_at = ?
         WHERE id = ? AND status = 'running'`,
      )
      .run(note, notBefore.toISOString(), new Date().toISOString(), id);
    return info.changes === 1;
  }

  /** The job's check run reached its final state on GitHub. */
  markCheckFinal(id: number): void {
    this.#db.prepare('UPDATE jobs SET check_final = 1 WHERE id = ?').run(id);
  }

  /** Ended jobs whose check run is not final yet (GitHub failed when they ended). */
  endedWithOpenCheck(): Job[] {
    const rows = this.#db
      .prepare(
        `SELECT * FROM jobs WHERE status IN ('done', 'failed', 'cancelled') AND check_final = 0
         AND check_run_id IS NOT NULL ORDER BY id`,
      )
      .all() as Row[];
    return rows.map(toJob);
  }

  /** Jobs recorded whose check run was never created (GitHub or the app failed right after recording). */
  withoutCheckRun(before: Date): Job[] {
    const rows = this.#db
      .prepare(
        `SELECT * FROM jobs WHERE status IN ('queued', 'awaiting_approval', 'done', 'failed', 'cancelled')
         AND check_run_id IS NULL AND created_at < ? ORDER BY id`,
      )
      .all(before.toISOString()) as Row[];
    return rows.map(toJob);
  }

  /** Output directories of runs whose results are not published yet, or are being made: never evicted. */
  runDirsInUse(): string[] {
    const rows = this.#db
      .prepare(`SELECT result FROM jobs WHERE status IN ('validated', 'running') AND result IS NOT NULL`)
      .all() as { result: string }[];
    return rows.map((r) => StoredResult.parse(JSON.parse(r.result)).outDir);
  }

  /** The newest job of a pull request for a commit (any status), e.g. the one waiting for approval. */
  latestForHead(owner: string, repo: string, pullNumber: number, headSha: string): Job | undefined {
    const row = this.#db
      .prepare(
        'SELECT * FROM jobs WHERE owner = ? AND repo = ? AND pull_number = ? AND head_sha = ? ORDER BY id DESC LIMIT 1',
      )
      .get(owner, repo, pullNumber, headSha) as Row | undefined;
    return row ? toJob(row) : undefined;
  }

  /** Moves a job on, only from the states given: a job cancelled meanwhile is not marked done. */
  transition(
    id: number,
    from: readonly JobStatus[],
    to: JobStatus,
    fields: { note?: string | null; conclusion?: string | null } = {},
  ): boolean {
    const marks = from.map(() => '?').join(', ');
    const info = this.#db
      .prepare(
        `UPDATE jobs SET status = ?, note = COALESCE(?, note), conclusion = COALESCE(?, conclusion), updated_at = ?
         WHERE id = ? AND status IN (${marks})`,
      )
      .run(to, fields.note ?? null, fields.conclusion ?? null, new Date().toISOString(), id, ...from);
    return info.changes === 1;
  }

  /**
   * Puts a running job back in the queue (or back to validated, when only publishing was left; to
   * dispatched, when its Actions run is to be followed or merged again). `refund`: the run was stopped on purpose (shutdown), so it
   * does not count against the job's attempts; a crash found at startup does count.
   */
  requeue(id: number, note: string, refund: boolean): boolean {
    const info = this.#db
      .prepare(
        `UPDATE jobs SET status = CASE WHEN result IS NOT NULL THEN 'validated'
             WHEN actions_run IS NOT NULL THEN 'dispatched' ELSE 'queued' END,
           note = ?, attempts = attempts - ?, updated_at = ?
         WHERE id = ? AND status = 'running'`,
      )
      .run(note, refund ? 1 : 0, new Date().toISOString(), id);
    return info.changes === 1;
  }

  /** The repositories of every unfinished job (queued, waiting for approval, running, or validated and not yet published). */
  activeRepositories(): { owner: string; repo: string; cloneUrl: string }[] {
    return this.#db
      .prepare(
        `SELECT DISTINCT owner, repo, clone_url AS cloneUrl FROM jobs
         WHERE status IN ('queued', 'running', 'awaiting_approval', 'dispatched', 'validated')`,
      )
      .all() as { owner: string; repo: string; cloneUrl: string }[];
  }

  /** Unfinished jobs of a pull request, oldest first. */
  activeForPull(owner: string, repo: string, pullNumber: number): Job[] {
    const rows = this.#db
      .prepare(
        `SELECT * FROM jobs WHERE owner = ? AND repo = ? AND pull_number = ?
         AND status IN ('queued', 'running', 'awaiting_approval', 'dispatched', 'validated') ORDER BY id`,
      )
      .all(owner, repo, pullNumber) as Row[];
    return rows.map(toJob);
  }

  /** The newest validation of a pull request (bisections aside): whose settings `/sigstorm rerun` repeats. */
  latestForPull(owner: string, repo: string, pullNumber: number): Job | undefined {
    const row = this.#db
      .prepare(
        `SELECT * FROM jobs WHERE owner = ? AND repo = ? AND pull_number = ? AND kind != 'bisect'
         ORDER BY id DESC LIMIT 1`,
      )
      .get(owner, repo, pullNumber) as Row | undefined;
    return row ? toJob(row) : undefined;
  }

  /**
   * The pull request's last approved commit: the newest validation recorded to run (queued by a trusted
   * event, an approval or a command), never one only waiting for approval.
   */
  lastApproved(owner: string, repo: string, pullNumber: number): Job | undefined {
    const row = this.#db
      .prepare(
        `SELECT * FROM jobs WHERE owner = ? AND repo = ? AND pull_number = ? AND untrusted IS NULL
         AND kind != 'bisect' ORDER BY id DESC LIMIT 1`,
      )
      .get(owner, repo, pullNumber) as Row | undefined;
    return row ? toJob(row) : undefined;
  }

  /** Every job of a pull request, oldest first (every head that arrived, and when). */
  forPull(owner: string, repo: string, pullNumber: number): Job[] {
    const rows = this.#db
      .prepare('SELECT * FROM jobs WHERE owner = ? AND repo = ? AND pull_number = ? ORDER BY id')
      .all(owner, repo, pullNumber) as Row[];
    return rows.map(toJob);
  }

  /** Jobs of a pull request for a commit, oldest first (when the app first saw that head, and how). */
  forHead(owner: string, repo: string, pullNumber: number, headSha: string): Job[] {
    const rows = this.#db
      .prepare(
        'SELECT * FROM jobs WHERE owner = ? AND repo = ? AND pull_number = ? AND head_sha = ? ORDER BY id',
      )
      .all(owner, repo, pullNumber, headSha) as Row[];
    return rows.map(toJob);
  }

  /** Repositories the app has recorded jobs for, with their installation: what reconciliation looks at. */
  knownRepos(): { installationId: number; owner: string; repo: string }[] {
    const rows = this.#db
      .prepare(
        `SELECT installation_id, owner, repo FROM jobs WHERE id IN (SELECT MAX(id) FROM jobs GROUP BY owner, repo)`,
      )
      .all() as { installation_id: number; owner: string; repo: string }[];
    return rows.map((r) => ({ installationId: r.installation_id, owner: r.owner, repo: r.repo }));
  }

  byCheckRun(checkRunId: number): Job | undefined {
    const row = this.#db.prepare('SELECT * FROM jobs WHERE check_run_id = ?').get(checkRunId) as
      | Row
      | undefined;
    return row ? toJob(row) : undefined;
  }

  withStatus(status: JobStatus): Job[] {
    const rows = this.#db.prepare('SELECT * FROM jobs WHERE status = ? ORDER BY id').all(status) as Row[];
    return rows.map(toJob);
  }

  /**
   * Records (or updates) the Actions run of a job that runs or waits on one. Saved before the
   * dispatch itself, so a crash right after it leaves the run findable by its correlation id.
   */
  setActionsRun(id: number, run: ActionsRunInput): void {
    this.#db
      .prepare(
        `UPDATE jobs SET actions_run = ?, updated_at = ? WHERE id = ? AND status IN ('running', 'dispatched')`,
      )
      .run(JSON.stringify(ActionsRun.parse(run)), new Date().toISOString(), id);
  }

  /** A dispatched job whose run never appeared: queued again to be dispatched anew. */
  undispatch(id: number, note: string): boolean {
    const info = this.#db
      .prepare(
        `UPDATE jobs SET status = 'queued', actions_run = NULL, note = ?, updated_at = ?
         WHERE id = ? AND status = 'dispatched'`,
      )
      .run(note, new Date().toISOString(), id);
    return info.changes === 1;
  }

  #update(id: number, fields: { check_run_id: number }): void {
    this.#db
      .prepare('UPDATE jobs SET check_run_id = ?, updated_at = ? WHERE id = ?')
      .run(fields.check_run_id, new Date().toISOString(), id);
  }
}

function toJob(row: Row): Job {
  return {
    id: row.id,
    deliveryId: row.delivery_id,
    dedupeKey: row.dedupe_key,
    kind: z.enum(jobKinds).parse(row.kind),
    trigger: row.trigger,
    installationId: row.installation_id,
    owner: row.owner,
    repo: row.repo,
    pullNumber: row.pull_number,
    cloneUrl: row.clone_url,
    baseSha: row.base_sha,
    baseLabel: row.base_label,
    headSha: row.head_sha,
    headLabel: row.head_label,
    options: JobOptions.parse(JSON.parse(row.options)),
    checkName: row.check_name,
    requestedBy: row.requested_by,
    status: z.enum(jobStatuses).parse(row.status),
    attempts: row.attempts,
    checkRunId: row.check_run_id,
    note: row.note,
    conclusion: row.conclusion,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    orderKey: row.order_key,
    result: row.result === null ? null : StoredResult.parse(JSON.parse(row.result)),
    checkFinal: row.check_final === 1,
    untrusted: row.untrusted === null ? null : UntrustedReason.parse(JSON.parse(row.untrusted)),
    actionsRun: row.actions_run ? ActionsRun.parse(JSON.parse(row.actions_run)) : null,
  };
}
