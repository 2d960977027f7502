import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NewJob } from '../../src/publish/store/job.js';
import { JobStore } from '../../src/publish/store/job-store.js';

function newJob(overrides: Partial<NewJob> = {}): NewJob {
  return {
    deliveryId: 'delivery-1',
    dedupeKey: 'o/r#1@aaa:pull_request',
    kind: 'pull_request',
    trigger: 'opened',
    installationId: 1,
    owner: 'o',
    repo: 'r',
    pullNumber: 1,
    cloneUrl: 'https://github.invalid/o/r.git',
    baseSha: 'b'.repeat(40),
    baseLabel: 'main',
    headSha: 'a'.repeat(40),
    headLabel: '#1',
    options: { profile: 'pr' },
    checkName: 'sigstorm',
    requestedBy: 'someone',
    ...overrides,
  };
}

describe('the job store (SQLite file)', () => {
  let dir: string;
  let file: string;
  let store: JobStore;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sigstorm-store-'));
    file = join(dir, 'nested', 'jobs.sqlite');
    store = new JobStore(file);
  });
  afterEach(async () => {
    store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('records a request once: the same delivery, or the same request in another delivery, finds the first job', () => {
    const first = store.insert(newJob());
    expect(first.created).toBe(true);
    const redelivered = store.insert(newJob({ trigger: 'again' }));
    expect(redelivered).toEqual({ job: first.job, created: false });
    const sameRequest = store.insert(newJob({ deliveryId: 'delivery-2' }));
    expect(sameRequest.created).toBe(false);
    expect(sameRequest.job.id).toBe(first.job.id);
    const otherRequest = store.insert(
      newJob({ deliveryId: 'delivery-3', dedupeKey: 'o/r#1@bbb:pull_request' }),
    );
    expect(otherRequest.created).toBe(true);
  });

  it('claims only queued jobs that have their check run, oldest first, counting attempts', () => {
    const a = store.insert(newJob()).job;
    const b = store.insert(newJob({ deliveryId: 'd2', dedupeKey: 'k2' })).job;
    store.insert(newJob({ deliveryId: 'd3', dedupeKey: 'k3' }), { kind: 'fork', repo: 'x/y' });
    expect(store.claimNext()).toBeUndefined();
    store.setCheckRun(b.id, 20);
    store.setCheckRun(a.id, 10);
    expect(store.claimNext()).toMatchObject({ id: a.id, status: 'running', attempts: 1, checkRunId: 10 });
    expect(store.claimNext()).toMatchObject({ id: b.id, status: 'running', attempts: 1 });
    expect(store.claimNext()).toBeUndefined();
  });

  it('moves a job on only from the states named (a cancelled job is never marked done)', () => {
    const job = store.insert(newJob()).job;
    store.setCheckRun(job.id, 1);
    store.claimNext();
    expect(store.transition(job.id, ['queued', 'running'], 'cancelled', { note: 'superseded' })).toBe(true);
    expect(store.transition(job.id, ['running'], 'done', { conclusion: 'success' })).toBe(false);
    expect(store.get(job.id)).toMatchObject({ status: 'cancelled', note: 'superseded', conclusion: null });
  });

  it('requeues a running job, refunding the attempt only for a deliberate stop', () => {
    const job = store.insert(newJob()).job;
    store.setCheckRun(job.id, 1);
    store.claimNext();
    expect(store.requeue(job.id, 'shutdown', true)).toBe(true);
    expect(store.get(job.id)).toMatchObject({ status: 'queued', attempts: 0 });
    store.claimNext();
    expect(store.requeue(job.id, 'crash', false)).toBe(true);
    expect(store.get(job.id)).toMatchObject({ status: 'queued', attempts: 1, note: 'crash' });
    expect(store.requeue(job.id, 'not running', false)).toBe(false);
  });

  it('keeps everything across a reopen (a restart of the app)', () => {
    const job = store.insert(newJob({ options: { profile: 'pr', iterations: 200, variants: ['asan'] } })).job;
    store.setCheckRun(job.id, 5);
    store.claimNext();
    store.close();
    store = new JobStore(file);
    expect(store.withStatus('running')).toEqual([
      expect.objectContaining({ id: job.id, checkRunId: 5, attempts: 1 }),
    ]);
    expect(store.byCheckRun(5)?.options).toEqual({ profile: 'pr', iterations: 200, variants: ['asan'] });
    expect(store.activeForPull('o', 'r', 1).map((j) => j.id)).toEqual([job.id]);
    expect(store.latestForPull('o', 'r', 1)?.id).toBe(job.id);
  });

  it('finds queued jobs left without a check run after a grace period', () => {
    const job = store.insert(newJob()).job;
    expect(store.withoutCheckRun(new Date(Date.now() - 60_000))).toEqual([]);
    expect(store.withoutCheckRun(new Date(Date.now() + 1000)).map((j) => j.id)).toEqual([job.id]);
  });

  it('serves release gates first, then repositories in turn, each its oldest job; a retry waits for its time', () => {
    const add = (id: string, repo: string, kind: 'pull_request' | 'release' = 'pull_request') => {
      const job = store.insert(newJob({ deliveryId: id, dedupeKey: id, repo, kind })).job;
      store.setCheckRun(job.id, job.id + 100);
      return job.id;
    };
    const a1 = add('a1', 'busy');
    const a2 = add('a2', 'busy');
    const a3 = add('a3', 'busy');
    const b1 = add('b1', 'quiet');
    const c1 = add('c1', 'other');
    const gate = add('g1', 'other', 'release');
    const order: number[] = [];
    const t0 = Date.now();
    for (let i = 0; i < 6; i++) {
      const job = store.claimNext(new Date(t0 + i * 1000));
      if (!job) break;
      order.push(job.id);
      store.transition(job.id, ['running'], 'done');
    }
    // The gate first; then each repository once before any gets a second turn.
    expect(order).toEqual([gate, a1, b1, c1, a2, a3]);
    const retried = add('r1', 'solo');
    const claimed = store.claimNext(new Date(t0 + 10_000));
    expect(claimed?.id).toBe(retried);
    expect(store.retryLater(retried, 'GitHub 502', new Date(t0 + 20_000))).toBe(true);
    expect(store.claimNext(new Date(t0 + 15_000))).toBeUndefined();
    expect(store.claimNext(new Date(t0 + 20_000))).toMatchObject({ id: retried, attempts: 2 });
  });

  it('keeps a finished validation: a failed publish goes back to publishing, never to the storms', () => {
    const job = store.insert(newJob()).job;
    store.setCheckRun(job.id, 1);
    store.claimNext();
    const result = { conclusion: 'success' as const, headline: 'h', markdown: 'm', outDir: '/x/runs/1' };
    expect(store.saveResult(job.id, result)).toBe(true);
    expect(store.get(job.id)).toMatchObject({ status: 'running', result, attempts: 0 });
    expect(store.runDirsInUse()).toEqual(['/x/runs/1']);
    expect(store.retryLater(job.id, 'GitHub 502', new Date(0))).toBe(true);
    expect(store.get(job.id)?.status).toBe('validated');
    expect(store.claimNext()).toMatchObject({ id: job.id, status: 'running', result, attempts: 1 });
    expect(store.retryLater(job.id, 'GitHub 502', new Date(0))).toBe(true);
    expect(store.get(job.id)?.status).toBe('validated');
    store.claimNext();
    expect(store.requeue(job.id, 'crash', false)).toBe(true);
    expect(store.get(job.id)?.status).toBe('validated');
  });

  it('lists ended jobs whose check is still open, until it is marked final', () => {
    const job = store.insert(newJob()).job;
    store.setCheckRun(job.id, 1);
    store.transition(job.id, ['queued'], 'cancelled', { note: 'closed' });
    expect(store.endedWithOpenCheck().map((j) => j.id)).toEqual([job.id]);
    store.markCheckFinal(job.id);
    expect(store.endedWithOpenCheck()).toEqual([]);
  });

  it('stores a delivery once, hands pending ones out in order, and retries a failed one at its time only', () => {
    const { deliveries } = store;
    const t0 = new Date('2026-01-01T00:00:00Z');
    expect(deliveries.receive('d1', 'pull_request', { n: 1 }, t0)).toBe(true);
    expect(deliveries.receive('d1', 'pull_request', { n: 1 }, t0)).toBe(false);
    expect(deliveries.receive('d2', 'issue_comment', { n: 2 }, t0)).toBe(true);
    expect(deliveries.next(t0)?.id).toBe('d1');
    deliveries.failed('d1', 'GitHub 502', new Date(t0.getTime() + 5000));
    // d1 waits for its retry; d2 is not held up.
    expect(deliveries.next(t0)).toMatchObject({ id: 'd2', payload: { n: 2 } });
    deliveries.done('d2');
    expect(deliveries.next(t0)).toBeUndefined();
    expect(deliveries.next(new Date(t0.getTime() + 5000))).toMatchObject({ id: 'd1', attempts: 1 });
    deliveries.failed('d1', 'GitHub 502 again', undefined);
    expect(deliveries.get('d1')).toMatchObject({ status: 'failed', attempts: 2, note: 'GitHub 502 again' });
    expect(deliveries.count('pending')).toBe(0);
  });

  it('runs an effect of a delivery once, however often the delivery is retried', async () => {
    let posted = 0;
    const post = async () => {
      posted++;
    };
    expect(await store.deliveries.once('d1', 'reply', post)).toBe(true);
    expect(await store.deliveries.once('d1', 'reply', post)).toBe(false);
    expect(await store.deliveries.once('d2', 'reply', post)).toBe(true);
    await expect(
      store.deliveries.once('d3', 'reply', () => Promise.reject(new Error('502'))),
    ).rejects.toThrow('502');
    expect(await store.deliveries.once('d3', 'reply', post)).toBe(true);
    expect(posted).toBe(3);
  });

  it('opens a store written before the durable intake: the new columns are added, the old jobs kept', () => {
    store.close();
    const old = join(dir, 'old.sqlite');
    const db = new Database(old);
    db.exec(`CREATE TABLE jobs (
      id INTEGER PRIMARY KEY AUTOINCREMENT, delivery_id TEXT NOT NULL UNIQUE, dedupe_key TEXT NOT NULL UNIQUE,
      kind TEXT NOT NULL, trigger TEXT NOT NULL, installation_id INTEGER NOT NULL, owner TEXT NOT NULL,
      repo TEXT NOT NULL, pull_number INTEGER, clone_url TEXT NOT NULL, base_sha TEXT NOT NULL,
      base_label TEXT NOT NULL, head_sha TEXT NOT NULL, head_label TEXT NOT NULL, options TEXT NOT NULL,
      check_name TEXT NOT NULL, requested_by TEXT NOT NULL, status TEXT NOT NULL,
      attempts INTEGER NOT NULL DEFAULT 0, check_run_id INTEGER, note TEXT, conclusion TEXT,
      created_at TEXT NOT NULL, updated_at TEXT NOT NULL)`);
    db.prepare(
      `INSERT INTO jobs (delivery_id, dedupe_key, kind, trigger, installation_id, owner, repo, pull_number, clone_url,
        base_sha, base_label, head_sha, head_label, options, check_name, requested_by, status, check_run_id,
        created_at, updated_at)
       VALUES ('d', 'k', 'pull_request', 'opened', 1, 'o', 'r', 1, 'u', 'b', 'main', 'h', '#1', '{"profile":"pr"}',
        'sigstorm', 'x', 'queued', 7, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')`,
    ).run();
    db.close();
    store = new JobStore(old);
    expect(store.claimNext()).toMatchObject({
      deliveryId: 'd',
      checkRunId: 7,
      result: null,
      checkFinal: false,
      orderKey: '',
    });
    expect(store.deliveries.receive('d2', 'push', {})).toBe(true);
  });

  it('a job dispatched to Actions holds no executor slot, stays active, survives a crash while merging, and can be dispatched anew', () => {
    const job = store.insert(newJob()).job;
    store.setCheckRun(job.id, 10);
    expect(store.claimNext()?.id).toBe(job.id);
    const run = {
      workflow: 'sigstorm-shards.yml',
      correlation: 'sigstorm-1-00000000',
      runId: 77,
      htmlUrl: null,
      shards: 2,
      done: 0,
      iterations: {},
      dispatchedAt: new Date().toISOString(),
    };
    store.setActionsRun(job.id, run);
    expect(store.transition(job.id, ['running'], 'dispatched')).toBe(true);
    // Not the executor's to claim; still an active job of its pull request (cancel and supersede find it).
    expect(store.claimNext()).toBeUndefined();
    expect(store.activeForPull('o', 'r', 1).map((j) => j.status)).toEqual(['dispatched']);
    // A record an older App kept reads back with one dispatch made and no earlier ones.
    expect(store.withStatus('dispatched')[0]?.actionsRun).toEqual({ ...run, dispatches: 1, earlier: [] });
    // Merging (running) when the App died: back to following the run, not to a new dispatch.
    expect(store.transition(job.id, ['dispatched'], 'running')).toBe(true);
    expect(store.requeue(job.id, 'interrupted', false)).toBe(true);
    expect(store.get(job.id)?.status).toBe('dispatched');
    // A dispatch whose run never appeared: queued again, without the run.
    expect(store.undispatch(job.id, 'never showed')).toBe(true);
    expect(store.get(job.id)).toMatchObject({ status: 'queued', actionsRun: null });
  });
});
