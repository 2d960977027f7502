/**
 * `sigstorm repro` as a user runs it: the command a report prints, pasted into a shell at the root
 * of a sigstorm checkout, in a real process against the real bundled subject and patch.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { portableReproCommand } from '../../src/storm/repro.js';
import { installRoot } from '../../src/util/paths.js';
import { testCacheDir } from '../support/subject.js';

const cli = join(installRoot, 'bin', 'sigstorm.js');
let elsewhere = '';
beforeAll(async () => {
  elsewhere = await mkdtemp(join(tmpdir(), 'sigstorm-repro-'));
});
afterAll(async () => {
  await rm(elsewhere, { recursive: true, force: true });
});

const run = (args: readonly string[]) =>
  execa('node', [cli, ...args], {
    cwd: elsewhere,
    env: { SIGSTORM_CACHE_DIR: testCacheDir },
    reject: false,
    timeout: 300_000,
  });

describe('sigstorm repro', () => {
  it('reruns the iteration a report names, pasted as printed, then N times, and says how often it failed', async () => {
    const line = portableReproCommand({
      // A head that no longer ignores SIGPIPE, against a peer stalled until its buffers are full and
      // then killed: the server dies of SIGPIPE in every iteration (test/storm/thread-directed.test.ts),
      // so the first run and both reruns have one outcome.
      source: { repo: null, commit: null, patches: ['patches/sigpipe-not-ignored.patch'] },
      variant: 'plain',
      workloadRef: 'peer-stalled',
      seed: 7,
      iteration: 3,
      cpuCount: 1,
    });
    // Runnable as printed, and never through npx (which may resolve another package of the name).
    expect(line).toMatch(/^node bin\/sigstorm\.js repro /);
    const result = await execa('sh', ['-c', `${line} --times 2 --json --quiet`], {
      cwd: installRoot,
      env: { SIGSTORM_CACHE_DIR: testCacheDir },
      reject: false,
      timeout: 300_000,
    });
    expect(result.exitCode, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout) as {
      first: { kind: string; failed: boolean } | null;
      reruns: number;
      failed: number;
      sameSignature: number;
    };
    expect(out.first).toMatchObject({ kind: 'crash', failed: true });
    expect(out.reruns).toBe(2);
    expect(out.failed).toBe(2);
    expect(out.sameSignature).toBe(2);
  }, 320_000);

  it('refuses, before building, an iteration that needs more CPUs than this process has', async () => {
    const result = await run([
      'repro',
      '--workload',
      'server-burst',
      '--seed',
      '1',
      '--iteration',
      '0',
      '--cpu-count',
      '4096',
    ]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/The iteration ran on 4096 CPUs; this process may use \d+/);
    expect(result.stderr).not.toContain('build');
  });

  it('names a missing required flag and the help to run', async () => {
    const result = await run(['repro', '--workload', 'server-burst', '--iteration', '0']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('--seed');
    expect(result.stderr).toContain('sigstorm repro --help');
  });
});
