import { readFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { installRoot } from '../../src/util/paths.js';
import { runOperations } from './support/expectations.js';
import { Harness, repoName, testCacheDir, testEnv, testRepoConfig } from './support/harness.js';

/**
 * A finding of a real storm as the pull request shows it: the check run's annotations point into the
 * pull request's own files, and what a person reads names nothing that exists only on the validating
 * machine. One of the App's end-to-end tests with real storms and real time.
 */
describe('check-run annotations and a report that works anywhere', () => {
  let h: Harness;
  beforeEach(async () => {
    // Up to 60 iterations per side of client-stream-sigterm, where the patch ends the client with an
    // ASan report in nearly every iteration (22 of 22; server-burst: one in six, 60 a side to settle):
    // the sequential test settles at its first look, 22 a side.
    h = await Harness.create({ ...testEnv, SIGSTORM_ITERATIONS_CAP: '60' }, 'storms');
    // The thread census's signal-mask finding left out: it would end the run at its first evidence,
    // which may be a hang before any ASan report; the rates settle it, after many sanitizer reports.
    h.repo.config = `${testRepoConfig
      .replace('workloads: [server-burst]', 'workloads: [client-stream-sigterm]')
      .replace('variants: [plain]', 'variants: [asan]')
      .replace('iterations: 8', 'iterations: 60')}thresholds:\n  findings:\n    kinds: [crash, sanitizer]\n`;
  });
  afterEach(async () => {
    await h.close();
    expect(h.standin.problems).toEqual([]);
  });

  it('an ASan finding of a real short storm is annotated at file:line of the subject’s source; the report names no local path', async () => {
    h.standin.expect(...runOperations);
    await h.startApp();
    const head = await h.fixture.commitPatch('unblocked-worker-signals.patch');
    const done = await h.runPull(31, head, 300_000);
    expect(done.conclusion).toBe('failure');
    expect(done.annotations.length).toBeGreaterThan(0);
    expect(done.annotations.length).toBeLessThanOrEqual(50);
    const asan = done.annotations.find((a) => a.title?.startsWith('asan: '));
    expect(asan, JSON.stringify(done.annotations)).toBeDefined();
    if (!asan) return;
    expect(asan).toMatchObject({ annotation_level: 'failure', start_line: asan.end_line });
    // A file of the pull request's tree (the subject's source), and a line that exists in it.
    expect(asan.path).toMatch(/^src\/[\w-]+\.c$/);
    const lines = readFileSync(join(h.fixture.path, asan.path), 'utf8').split('\n');
    expect(asan.start_line).toBeGreaterThan(0);
    expect(asan.start_line).toBeLessThanOrEqual(lines.length);
    expect(asan.message).toContain(`at ${asan.path}:${asan.start_line}`);

    // The comment and the check name the repository URL and commit, never a local path (ASan names
    // frames without debug info by the binary's path: never this machine's cache).
    const comment = h.model.botComments(repoName, 31)[0]?.body ?? '';
    const texts = { comment, title: done.output.title ?? '', summary: done.output.summary ?? '' };
    expect(texts.summary).toContain('#### New in head');
    const repro = `node bin/sigstorm.js repro --repo https://github.invalid/${repoName}.git --ref ${head} --variant asan --workload client-stream-sigterm --seed `;
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
  }, 360_000);
});
