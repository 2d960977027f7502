import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { prepareCache } from '../../src/publish/executor/prepare-cache.js';
import type { Services } from '../../src/publish/services.js';
import type { NewJob } from '../../src/publish/store/job.js';
import { JobStore } from '../../src/publish/store/job-store.js';
import { mirrorDir } from '../../src/source/repo-mirror.js';

const job = (n: number, repo: string): NewJob => ({
  deliveryId: `delivery-${n}`,
  dedupeKey: `o/${repo}#${n}@${'a'.repeat(40)}:pull_request`,
  kind: 'pull_request',
  trigger: 'opened',
  installationId: 1,
  owner: 'o',
  repo,
  pullNumber: n,
  cloneUrl: `https://github.invalid/o/${repo}.git`,
  baseSha: 'b'.repeat(40),
  baseLabel: 'main',
  headSha: 'a'.repeat(40),
  headLabel: `#${n}`,
  options: { profile: 'pr' },
  checkName: 'sigstorm',
  requestedBy: 'someone',
});

describe('the cache trimmed before each job', () => {
  let dir: string;
  let store: JobStore;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sigstorm-cache-pins-'));
    store = new JobStore(join(dir, 'jobs.sqlite'));
  });
  afterEach(async () => {
    store.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** A mirror-sized entry last used an hour ago: old enough to evict. */
  async function oldEntry(path: string): Promise<void> {
    await mkdir(path, { recursive: true });
    await writeFile(join(path, 'pack'), Buffer.alloc(64 * 1024, 1));
    const at = new Date(Date.now() - 3_600_000);
    await utimes(path, at, at);
  }

  it('keeps the mirrors of repositories with unfinished jobs and evicts the others', async () => {
    const cache = join(dir, 'cache');
    store.insert(job(1, 'queued-repo'));
    const done = store.insert(job(2, 'done-repo')).job;
    store.transition(done.id, ['queued'], 'cancelled', { note: 'closed' });
    const queuedMirror = mirrorDir(cache, 'https://x-access-token:t0k3n@github.invalid/o/queued-repo.git');
    const doneMirror = mirrorDir(cache, 'https://github.invalid/o/done-repo.git');
    await oldEntry(queuedMirror);
    await oldEntry(doneMirror);
    const services = {
      settings: { cacheDir: cache, cacheBudgetBytes: 0, minFreeBytes: 0, repoMap: new Map() },
      store,
      log: pino({ level: 'silent' }),
    } as unknown as Services;
    await prepareCache(services);
    // The queued job's mirror is kept although over budget (a token in the URL names the same mirror).
    expect(await readdir(join(cache, 'repos'))).toEqual([basename(queuedMirror)]);
  });
});
