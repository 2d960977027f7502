import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installRoot } from '../../src/util/paths.js';
import {
  type Context,
  jobOf,
  readWorkflow,
  reusablePath,
  runStep,
  stepOf,
} from '../support/workflow-steps.js';

/**
 * A pull request from a fork, as the base repository on GitHub holds it: the base on `main`, the
 * head on no branch, only at refs/pull/7/head. The checkout is made as actions/checkout makes it
 * with fetch-depth 0 (branches and tags only), and the repository answers wants as GitHub does
 * (any commit its refs reach, nothing else). Then the workflow's own steps, read from the YAML, run.
 */
const workflow = readWorkflow(reusablePath);
const git = (cwd: string, ...args: string[]) =>
  execa('git', args, {
    cwd,
    env: {
      GIT_AUTHOR_NAME: 'Fork',
      GIT_AUTHOR_EMAIL: 'fork@example.invalid',
      GIT_COMMITTER_NAME: 'Fork',
      GIT_COMMITTER_EMAIL: 'fork@example.invalid',
    },
  });

let dir = '';
let origin = '';
let base = '';
let head = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sigstorm-fork-pull-'));
  origin = join(dir, 'origin');
  await mkdir(join(origin, '.github'), { recursive: true });
  await git(origin, 'init', '-q', '-b', 'main');
  await writeFile(join(origin, 'README'), 'base\n');
  await writeFile(join(origin, '.github', 'sigstorm.yml'), 'iterations: 40\n');
  await git(origin, 'add', '-A');
  await git(origin, 'commit', '-q', '-m', 'base');
  base = (await git(origin, 'rev-parse', 'HEAD')).stdout.trim();
  await git(origin, 'checkout', '-q', '--detach');
  await writeFile(join(origin, 'README'), 'head from a fork\n');
  await git(origin, 'commit', '-q', '-am', 'head');
  head = (await git(origin, 'rev-parse', 'HEAD')).stdout.trim();
  await git(origin, 'update-ref', 'refs/pull/7/head', head);
  await git(origin, 'checkout', '-q', 'main');
  // GitHub serves a want for any commit its refs reach (refs/pull/* included), and nothing else.
  await git(origin, 'config', 'uploadpack.allowReachableSHA1InWant', 'true');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A job's workspace: sigstorm (this checkout) and the fork as actions/checkout leaves it. */
async function workspace(name: string) {
  const root = join(dir, name);
  const fork = join(root, 'fork');
  await mkdir(fork, { recursive: true });
  await mkdir(join(dir, `${name}-temp`), { recursive: true });
  await symlink(installRoot, join(root, 'sigstorm'));
  await git(fork, 'init', '-q');
  // Protocol v0: the one in which a local repository refuses wants its refs do not reach, as GitHub does.
  await git(fork, 'config', 'protocol.version', '0');
  await git(fork, 'remote', 'add', 'origin', origin);
  await git(fork, 'fetch', '-q', 'origin', '+refs/heads/*:refs/remotes/origin/*', '+refs/tags/*:refs/tags/*');
  await git(fork, 'checkout', '-q', '--detach', 'origin/main');
  return { workspace: root, temp: join(dir, `${name}-temp`) };
}

const pullRequestEvent = (headSha: string): Context => ({
  inputs: { base: '', head: '', pull: '', config: '', profile: 'pr' },
  github: {
    event_name: 'pull_request',
    sha: 'f'.repeat(40),
    event: { pull_request: { number: 7, base: { sha: base }, head: { sha: headSha } } },
  },
});

describe("a fork's pull request in the reusable workflow", () => {
  it('plans it: the head is fetched by its sha, then the build key names both trees', async () => {
    const where = await workspace('plan');
    const plan = jobOf(workflow, 'plan');
    const context = pullRequestEvent(head);
    // What the workflow did before: the head is on no branch, so the plan could not name its tree.
    const early = await runStep(stepOf(plan, 'Build key'), context, where);
    expect(early.exitCode).not.toBe(0);
    expect(early.output).toContain(head);

    const fetched = await runStep(stepOf(plan, 'Fetch the commits'), context, where);
    expect(fetched.exitCode, fetched.output).toBe(0);
    expect(fetched.output).toContain(`sigstorm: fetched ${head} by its sha`);
    const key = await runStep(stepOf(plan, 'Build key'), context, where);
    expect(key.exitCode, key.output).toBe(0);
    const trees = await Promise.all(
      [base, head].map(async (c) => (await git(origin, 'rev-parse', `${c}^{tree}`)).stdout.trim()),
    );
    expect(key.outputs.key).toContain(`-${trees[0]}-${trees[1]}-`);
  });

  it('every job that storms or merges fetches the commits first, with the same step', () => {
    for (const name of ['plan', 'shard', 'merge']) {
      const steps = jobOf(workflow, name).steps;
      const fetch = steps.findIndex((s) => s.name === 'Fetch the commits');
      const checkout = steps.findIndex(
        (s) => s.uses?.startsWith('actions/checkout@') && s.with?.path === 'fork',
      );
      expect(fetch, name).toBeGreaterThan(checkout);
      expect(steps[fetch]?.run, name).toMatch(
        /^bash sigstorm\/scripts\/actions\/fetch-commits\.sh fork "\$BASE"/,
      );
      expect(steps[fetch]?.env?.PULL, name).toBe(`\${{ inputs.pull || github.event.pull_request.number }}`);
      const user = steps.findIndex(
        (s) => /\$BASE|"\$HEAD/.test(s.run ?? '') && s.name !== 'Fetch the commits',
      );
      expect(user, name).toBeGreaterThan(fetch);
    }
  });

  it('says which commit it cannot find, and where it looked', async () => {
    const where = await workspace('missing');
    const missing = '0123456789abcdef0123456789abcdef01234567';
    const result = await runStep(
      stepOf(jobOf(workflow, 'shard'), 'Fetch the commits'),
      pullRequestEvent(missing),
      where,
    );
    expect(result.exitCode).toBe(1);
    expect(result.output).toContain(
      `::error::sigstorm: ${missing} is not a commit of ${origin} (not by its sha, not on a branch or tag, not at refs/pull/7/head); pass base and head as commit shas`,
    );
  });
});
