import type Database from 'better-sqlite3';

/**
 * A base commit to warm: the base side of every cell stormed once, ahead of the pull requests
 * against it (pipeline/warm-base.ts). Recorded on a push to the default branch; run by the
 * executor only when no pull-request or release job is waiting.
 */
export interface WarmBase {
  readonly id: number;
  readonly installationId: number;
  readonly owner: string;
  readonly repo: string;
  readonly cloneUrl: string;
  readonly sha: string;
  readonly branch: string;
  readonly status: WarmBaseStatus;
  /** Base iterations run by the warm-up, and found already in the cache; null before it ended. */
  readonly ran: number | null;
  readonly alreadyCached: number | null;
  readonly note: string | null;
}

export const warmBaseStatuses = ['queued', 'running', 'done', 'failed'] as const;
export type WarmBaseStatus = (typeof warmBaseStatuses)[number];

export type NewWarmBase = Pick<WarmBase, 'installationId' | 'owner' | 'repo' | 'cloneUrl' | 'sha' | 'branch'>;

const schema = `
CREATE TABLE IF NOT EXISTS warm_bases (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  dedupe_key TEXT NOT NULL UNIQUE,
  installation_id INTEGER NOT NULL,
  owner TEXT NOT NULL,
  repo TEXT NOT NULL,
  clone_url TEXT NOT NULL,
  sha TEXT NOT NULL,
  branch TEXT NOT NULL,
  status TEXT NOT NULL,
  ran INTEGER,
  already_cached INTEGER,
  note TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
`;

interface Row {
  id: number;
  installation_id: number;
  owner: string;
  repo: string;
  clone_url: string;
  sha: string;
  branch: string;
  status: string;
  ran: number | null;
  already_cached: number | null;
  note: string | null;
}

/** Warm-base requests in the job store's database: one per repository and commit. */
export class WarmBaseStore {
  readonly #db: Database.Database;

  constructor(db: Database.Database) {
    this.#db = db;
    this.#db.exec(schema);
  }

  /** Records a commit to warm; false when it was recorded before (a redelivery, a second push of it). */
  enqueue(w: NewWarmBase, now = new Date()): boolean {
    const at = now.toISOString();
    const info = this.#db
      .prepare(
        `INSERT INTO warm_bases (dedupe_key, installation_id, owner, repo, clone_url, sha, branch, status, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?) ON CONFLICT (dedupe_key) DO NOTHING`,
      )
      .run(
        `${w.owner}/${w.repo}@${w.sha}`,
        w.installationId,
        w.owner,
        w.repo,
        w.cloneUrl,
        w.sha,
        w.branch,
        at,
        at,
      );
    return info.changes === 1;
  }

  /**
   * The oldest queued warm-up, marked running, but only while no job waits to run or publish: a
   * warm-up is background work, behind every pull request and release gate.
   */
  claimNext(now = new Date()): WarmBase | undefined {
    const row = this.#db
      .prepare(
        `UPDATE warm_bases SET status = 'running', updated_at = @at
         WHERE id = (SELECT id FROM warm_bases WHERE status = 'queued' ORDER BY id LIMIT 1)
           AND NOT EXISTS (SELECT 1 FROM jobs WHERE status IN ('queued', 'validated'))
         RETURNING *`,
      )
      .get({ at: now.toISOString() }) as Row | undefined;
    return row && toWarmBase(row);
  }

  finish(id: number, result: { ran: number; alreadyCached: number; note: string }): void {
    this.#db
      .prepare(
        `UPDATE warm_bases SET status = 'done', ran = ?, already_cached = ?, note = ?, updated_at = ? WHERE id = ?`,
      )
      .run(result.ran, result.alreadyCached, result.note, new Date().toISOString(), id);
  }

  fail(id: number, note: string): void {
    this.#db
      .prepare(`UPDATE warm_bases SET status = 'failed', note = ?, updated_at = ? WHERE id = ?`)
      .run(note, new Date().toISOString(), id);
  }

  /** Back in the queue: a job arrived (it goes first) or the app stopped; what ran is in the cache. */
  requeue(id: number, note: string): void {
    this.#db
      .prepare(`UPDATE warm_bases SET status = 'queued', note = ?, updated_at = ? WHERE id = ?`)
      .run(note, new Date().toISOString(), id);
  }

  /** At startup: a warm-up left running by a process that died is queued again. */
  recover(): number {
    return this.#db
      .prepare(`UPDATE warm_bases SET status = 'queued', note = 'interrupted' WHERE status = 'running'`)
      .run().changes;
  }

  get(id: number): WarmBase | undefined {
    const row = this.#db.prepare('SELECT * FROM warm_bases WHERE id = ?').get(id) as Row | undefined;
    return row && toWarmBase(row);
  }
}

function toWarmBase(row: Row): WarmBase {
  return {
    id: row.id,
    installationId: row.installation_id,
    owner: row.owner,
    repo: row.repo,
    cloneUrl: row.clone_url,
    sha: row.sha,
    branch: row.branch,
    status: (warmBaseStatuses as readonly string[]).includes(row.status)
      ? (row.status as WarmBaseStatus)
      : 'failed',
    ran: row.ran,
    alreadyCached: row.already_cached,
    note: row.note,
  };
}
