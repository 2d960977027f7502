import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installRoot } from '../../src/util/paths.js';
import {
  type Context,
  calledInputs,
  callerPath,
  interpolate,
  jobOf,
  readWorkflow,
  reusablePath,
  runStep,
  stepOf,
} from '../support/workflow-steps.js';

const workflow = readWorkflow(reusablePath);
const caller = readWorkflow(callerPath);
const steps = Object.values(workflow.jobs).flatMap((j) => j.steps);
const options = '{"profile":"pr","workloads":"","variants":"","iterations":""}';

describe('re-runs, concurrency and the runners of the reusable workflow', () => {
  it('uploads every artifact with overwrite: a re-run of one job or of all jobs uploads into the same run', () => {
    const uploads = steps.filter((s) => s.uses?.startsWith('actions/upload-artifact@'));
    expect(uploads.map((s) => s.with?.name)).toEqual([
      'sigstorm-source',
      `sigstorm-shard-\${{ matrix.shard }}`,
      'sigstorm-report',
      'sigstorm-repro',
    ]);
    for (const upload of uploads) expect(upload.with?.overwrite, String(upload.with?.name)).toBe(true);
  });

  it('runs one run per pull request: a new push cancels the older run; never the caller’s own group', () => {
    const group = (w: typeof workflow, context: Context) => interpolate(w.concurrency?.group ?? '', context);
    expect(workflow.concurrency?.['cancel-in-progress']).toBe(true);
    expect(caller.concurrency?.['cancel-in-progress']).toBe(true);
    // A direct caller on pull_request: two pushes to #7 share a group, #8 has its own.
    const push = (number: number, head: string): Context => ({
      inputs: { pull: '', head: '' },
      github: {
        repository: 'o/iperf',
        ref: `refs/pull/${number}/merge`,
        event: { pull_request: { number, head: { sha: head } } },
      },
    });
    expect(group(workflow, push(7, 'a'))).toBe(group(workflow, push(7, 'b')));
    expect(group(workflow, push(7, 'a'))).not.toBe(group(workflow, push(8, 'a')));
    // Dispatched by the App (no pull_request event; github.ref is the base branch for every run):
    // by the pull request it passes, in the caller and in the reusable workflow.
    const dispatch = (pull: string, head: string) => {
      const own = { pull, head, options };
      const github = { repository: 'o/iperf', ref: 'refs/heads/main', event: {} };
      return {
        reusable: group(workflow, { inputs: calledInputs(caller, own), github }),
        caller: group(caller, { inputs: own, github }),
      };
    };
    expect(dispatch('7', 'a').reusable).toBe(dispatch('7', 'b').reusable);
    expect(dispatch('7', 'a').reusable).not.toBe(dispatch('8', 'a').reusable);
    expect(dispatch('7', 'a').caller).toBe(dispatch('7', 'b').caller);
    expect(dispatch('7', 'a').caller).not.toBe(dispatch('8', 'a').caller);
    // One group held by the caller and by the workflow it calls would cancel the run as a deadlock.
    expect(dispatch('7', 'a').caller).not.toBe(dispatch('7', 'a').reusable);
  });

  it('plans and merges on the small runner, storms on the big one; a maintained Node everywhere', () => {
    const inputs = calledInputs(caller, { pull: '7', 'runs-on': '["self-hosted","storm-32"]', options });
    const runsOn = (name: string) => interpolate(jobOf(workflow, name)['runs-on'] ?? '', { inputs });
    expect(runsOn('shard')).toEqual(['self-hosted', 'storm-32']);
    expect(runsOn('plan')).toBe('ubuntu-latest');
    expect(runsOn('merge')).toBe('ubuntu-latest');
    const nodes = steps.filter((s) => s.uses?.startsWith('actions/setup-node@'));
    expect(nodes.length).toBe(3);
    expect(nodes.map((node) => node.with?.['node-version'])).toEqual([24, 24, 24]);
  });

  it('keeps the system packages’ downloads between runs, for every job that installs them', () => {
    for (const [name, job] of Object.entries(workflow.jobs)) {
      const install = job.steps.findIndex((s) => s.run === 'bash sigstorm/scripts/setup.sh');
      expect(install, name).toBeGreaterThan(0);
      const cache = job.steps[install - 1];
      expect(cache?.uses, name).toMatch(/^actions\/cache@[0-9a-f]{40}$/);
      expect(job.steps[install]?.env?.SIGSTORM_APT_ARCHIVES, name).toBe(cache?.with?.path);
      expect(String(cache?.with?.key), name).toContain("hashFiles('sigstorm/scripts/setup.sh')");
    }
  });

  it('gives the machine its user-namespace setting back at the end of every job that changed it', () => {
    for (const [name, job] of Object.entries(workflow.jobs)) {
      const allow = job.steps.findIndex((s) => s.name === "Allow the sandbox's user namespaces");
      if (allow < 0) continue;
      expect(job.steps[allow]?.id, name).toBe('userns');
      const restore = job.steps.at(-1);
      expect(restore?.name, name).toBe('Restore the user-namespace setting');
      expect(restore?.if, name).toBe("always() && steps.userns.outputs.before != ''");
      expect(restore?.run, name).toContain('"kernel.apparmor_restrict_unprivileged_userns=$BEFORE"');
    }
    expect(jobOf(workflow, 'plan').steps.some((s) => s.id === 'userns')).toBe(true);
    expect(jobOf(workflow, 'shard').steps.some((s) => s.id === 'userns')).toBe(true);
  });

  it('puts no red check on the base branch for a dispatched run: the gate is for direct callers', () => {
    expect(workflow.on.workflow_call?.inputs.gate).toEqual({
      description: expect.any(String),
      type: 'boolean',
      default: true,
    });
    expect(stepOf(jobOf(workflow, 'merge'), 'Gate').if).toBe('inputs.gate');
    expect(calledInputs(caller, { options }).gate).toBe(false);
  });
});

describe('the one config of a run (scripts/actions/resolve-config.sh, as the shard step calls it)', () => {
  let dir = '';
  let base = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sigstorm-config-'));
    const fork = join(dir, 'fork');
    await mkdir(join(fork, '.github'), { recursive: true });
    await writeFile(join(fork, '.github', 'sigstorm.yml'), 'iterations: 40\n');
    const git = (...args: string[]) =>
      execa('git', args, {
        cwd: fork,
        env: {
          GIT_AUTHOR_NAME: 'F',
          GIT_AUTHOR_EMAIL: 'f@x.invalid',
          GIT_COMMITTER_NAME: 'F',
          GIT_COMMITTER_EMAIL: 'f@x.invalid',
        },
      });
    await git('init', '-q', '-b', 'main');
    await git('add', '-A');
    await git('commit', '-q', '-m', 'base');
    base = (await git('rev-parse', 'HEAD')).stdout.trim();
    await symlink(installRoot, join(dir, 'sigstorm'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  // The config lines of the shard's own step, run alone (the rest starts a storm).
  const shardStep = stepOf(jobOf(workflow, 'shard'), 'Storm shard');
  const configLines = (shardStep.run ?? '')
    .split('\n')
    .filter((line) => /resolve-config|sigstorm\.yml|--no-config|^\s*(if|else|fi)\b/.test(line))
    .concat(`echo "args=\${args[*]}" >> "$GITHUB_OUTPUT"`)
    .join('\n');

  async function resolve(config: string) {
    const temp = join(dir, 'temp');
    await mkdir(temp, { recursive: true });
    const result = await runStep(
      { run: `args=()\n${configLines}`, env: { BASE: base, CONFIG: config } },
      {},
      { workspace: dir, temp },
    );
    const text = await readFile(join(temp, 'sigstorm.yml'), 'utf8').catch(() => undefined);
    return { ...result, text };
  }

  it('uses the config the App passed, else the base commit’s, else none; refuses what it cannot read', async () => {
    expect(configLines).toContain('resolve-config.sh');
    const given = 'iterations: 80\npolicy:\n  stability:\n    regression: neutral\n';
    const passed = await resolve(`base64:${Buffer.from(given).toString('base64')}`);
    expect(passed.exitCode, passed.output).toBe(0);
    expect(passed.text).toBe(given);
    expect(passed.outputs.args).toContain('--config');
    expect(passed.output).toMatch(/config from the config input, sha256 [0-9a-f]{64}/);

    const fromBase = await resolve('');
    expect(fromBase.text).toBe('iterations: 40\n');
    expect(fromBase.output).toContain(`config from .github/sigstorm.yml at ${base}`);

    const none = await resolve('none');
    expect(none.exitCode).toBe(0);
    expect(none.text).toBeUndefined();
    expect(none.outputs.args).toBe('--no-config');

    const bad = await resolve('iterations: 80');
    expect(bad.exitCode).toBe(1);
    expect(bad.output).toContain('::error::sigstorm: the config input must be base64:<text>, none or empty');
  });
});
