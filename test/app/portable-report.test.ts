import { homedir, tmpdir } from 'node:os';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { installRoot } from '../../src/util/paths.js';
import { runOperations } from './support/expectations.js';
import { Harness, repoName, testCacheDir, testEnv, testRepoConfig } from './support/harness.js';

/** What a person reads on the pull request names nothing that exists only on the validating machine. */
describe('a report that works anywhere', () => {
  let h: Harness;
  beforeEach(async () => {
    // Up to 60 iterations per side: the patch crashes about one in six, so a crash is all but certain
    // (the sequential test stops as soon as it settles).
    h = await Harness.create({ ...testEnv, SIGSTORM_ITERATIONS_CAP: '60' }, 'storms');
    h.repo.config = testRepoConfig.replace('iterations: 8', 'iterations: 60');
  });
  afterEach(async () => {
    await h.close();
    expect(h.standin.problems).toEqual([]);
  });

  it('a crash found on a real storm: the comment and the check name the repository URL and commit, never a local path', async () => {
    h.standin.expect(...runOperations);
    await h.startApp();
    const head = await h.fixture.commitPatch('unblocked-worker-signals.patch');
    const done = await h.runPull(21, head);
    const comment = h.model.botComments(repoName, 21)[0]?.body ?? '';
    const texts = { comment, title: done.output.title ?? '', summary: done.output.summary ?? '' };
    // The worker-signal crash of the patch: one finding with a repro line by URL and commit.
    expect(texts.summary).toContain('#### New in head');
    const repro = `node bin/sigstorm.js repro --repo https://github.invalid/${repoName}.git --ref ${head} --variant plain --workload server-burst --seed `;
    expect(texts.summary).toContain(repro);
    expect(texts.comment).toContain(repro);
    for (const [where, text] of Object.entries(texts)) {
      for (const local of [
        testCacheDir,
        installRoot,
        h.fixture.path,
        tmpdir(),
        `${homedir()}/.cache`,
        '~/.cache',
      ])
        expect(text, `${where} names ${local}`).not.toContain(local);
      expect(text, where).not.toMatch(/--binary /);
    }
  });
});
