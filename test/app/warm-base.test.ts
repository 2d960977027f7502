import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { subjectBuild, testCacheDir } from '../support/subject.js';
import { runOperations } from './support/expectations.js';
import { Harness, maintainer, repoName, testEnv } from './support/harness.js';
import { branchPushPayload } from './support/payloads.js';

interface WarmRow {
  sha: string;
  status: string;
  ran: number | null;
  already_cached: number | null;
  note: string | null;
}

describe('base warm-up on a push to the default branch', () => {
  let h: Harness;
  let cacheDir: string;
  beforeEach(async () => {
    // A cache of its own: the shared test cache may hold this base's results from other tests,
    // and then a reuse would prove nothing about the warm-up. Its builds (base and head, plain) are
    // the shared cache's, hard-linked as actions/cache restores files: building is not what this
    // test is about.
    cacheDir = await mkdtemp(join(tmpdir(), 'sigstorm-warm-cache-'));
    await subjectBuild('plain');
    await subjectBuild('plain', ['help-text.patch']);
    await execa('cp', ['-al', join(testCacheDir, 'builds'), join(cacheDir, 'builds')]);
    h = await Harness.create({ ...testEnv, SIGSTORM_CACHE_DIR: cacheDir }, 'storms');
    h.standin.expect(...runOperations);
    await h.startApp();
  });
  afterEach(async () => {
    await h.close();
    await rm(cacheDir, { recursive: true, force: true });
    expect(h.standin.problems).toEqual([]);
  });

  it('a push to main warms its base in the background; a later pull request against it storms head only', async () => {
    const base = h.fixture.baseSha;
    // Pushes elsewhere warm nothing.
    await h.deliver('push', branchPushPayload(h.where, 'feature', base, maintainer));
    await h.deliver('push', branchPushPayload(h.where, 'main', base, maintainer));
    // A redelivery of the same push records nothing new.
    await h.deliver('push', branchPushPayload(h.where, 'main', base, maintainer));
    const warm = await h.standin.waitFor(
      'the warm-up to finish',
      () => h.query<WarmRow>('SELECT * FROM warm_bases').find((w) => w.status === 'done'),
      240_000,
    );
    expect(h.query<WarmRow>('SELECT * FROM warm_bases')).toHaveLength(1);
    // The repository's config caps the pull requests at 8 iterations per side: the warm-up's share too.
    expect(warm).toMatchObject({ sha: base, ran: 8, already_cached: 0 });
    expect(warm.note).toBe('1 cells × 8 base iterations');
    // No check run and no comment: background work is not shown on GitHub.
    expect(h.checkRuns()).toEqual([]);

    const head = await h.fixture.commitPatch('help-text.patch');
    const done = await h.runPull(3, head, 300_000);
    // Every base iteration came from the warm-up: the report says so, and base ran none.
    const summary = done.output.summary ?? '';
    expect(summary).toContain('8 base iterations');
    expect(summary).toContain('reused from an earlier validation against the same base build');
    expect(h.model.botComments(repoName, 3)).toHaveLength(1);
  }, 600_000);
});
