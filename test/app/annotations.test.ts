import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { installRoot } from '../../src/util/paths.js';
import { runOperations } from './support/expectations.js';
import { Harness, testCacheDir, testEnv, testRepoConfig } from './support/harness.js';

/** Findings at source lines: the check run's annotations point into the pull request's own files. */
describe('check-run annotations', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.create({ ...testEnv, SIGSTORM_ITERATIONS_CAP: '60' }, 'storms');
    h.repo.config = testRepoConfig
      .replace('variants: [plain]', 'variants: [asan]')
      .replace('iterations: 8', 'iterations: 60');
  });
  afterEach(async () => {
    await h.close();
    expect(h.standin.problems).toEqual([]);
  });

  it('an ASan finding of a real short storm is annotated at file:line of the subject’s source', async () => {
    h.standin.expect(...runOperations);
    await h.startApp();
    const head = await h.fixture.commitPatch('unblocked-worker-signals.patch');
    const done = await h.runPull(31, head, 300_000);
    expect(done.conclusion).toBe('failure');
    // ASan names frames without debug info by the binary's path: never this machine's cache.
    expect(done.output.summary).not.toContain(testCacheDir);
    expect(done.output.summary).not.toContain(installRoot);
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
  }, 360_000);
});
