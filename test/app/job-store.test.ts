import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
    const first = store.insert(newJob(), 'queued');
    expect(first.created).toBe(true);
    const redelivered = store.insert(newJob({ trigger: 'again' }), 'queued');
    expect(redelivered).toEqual({ job: first.job, created: false });
    const sameRequest = store.insert(newJob({ deliveryId: 'delivery-2' }), 'queued');
    expect(sameRequest.created).toBe(false);
    expect(sameRequest.job.id).toBe(first.job.id);
    const otherRequest = store.insert(
      newJob({ deliveryId: 'delivery-3', dedupeKey: 'o/r#1@bbb:pull_request' }),
      'queued',
    );
    expect(otherRequest.created).toBe(true);
  });

  it('claims only queued jobs that have their check run, oldest first, counting attempts', () => {
    const a = store.insert(newJob(), 'queued').job;
    const b = store.insert(newJob({ deliveryId: 'd2', dedupeKey: 'k2' }), 'queued').job;
    store.insert(newJob({ deliveryId: 'd3', dedupeKey: 'k3' }), 'awaiting_approval');
    expect(store.claimNext()).toBeUndefined();
    store.setCheckRun(b.id, 20);
    store.setCheckRun(a.id, 10);
    expect(store.claimNext()).toMatchObject({ id: a.id, status: 'running', attempts: 1, checkRunId: 10 });
    expect(store.claimNext()).toMatchObject({ id: b.id, status: 'running', attempts: 1 });
    expect(store.claimNext()).toBeUndefined();
  });

  it('moves a job on only from the states named (a cancelled job is never marked done)', () => {
    const job = store.insert(newJob(), 'queued').job;
    store.setCheckRun(job.id, 1);
    store.claimNext();
    expect(store.transition(job.id, ['queued', 'running'], 'cancelled', { note: 'superseded' })).toBe(true);
    expect(store.transition(job.id, ['running'], 'done', { conclusion: 'success' })).toBe(false);
    expect(store.get(job.id)).toMatchObject({ status: 'cancelled', note: 'superseded', conclusion: null });
  });

  it('requeues a running job, refunding the attempt only for a deliberate stop', () => {
    const job = store.insert(newJob(), 'queued').job;
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
    const job = store.insert(
      newJob({ options: { profile: 'pr', iterations: 200, variants: ['asan'] } }),
      'queued',
    ).job;
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
    const job = store.insert(newJob(), 'queued').job;
    expect(store.queuedWithoutCheckRun(new Date(Date.now() - 60_000))).toEqual([]);
    expect(store.queuedWithoutCheckRun(new Date(Date.now() + 1000)).map((j) => j.id)).toEqual([job.id]);
  });
});
