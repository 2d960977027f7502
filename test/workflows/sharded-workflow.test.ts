import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { installRoot } from '../../src/util/paths.js';

interface Step {
  readonly name?: string;
  readonly id?: string;
  readonly run?: string;
  readonly uses?: string;
  readonly if?: string;
  readonly env?: Record<string, string>;
  readonly with?: Record<string, string | number | boolean>;
}
interface Job {
  readonly needs?: string | string[];
  readonly if?: string;
  readonly 'runs-on': string;
  readonly strategy?: { 'fail-fast'?: boolean; matrix?: Record<string, unknown> };
  readonly outputs?: Record<string, string>;
  readonly steps: Step[];
}
interface Workflow {
  readonly on: {
    workflow_call: {
      inputs: Record<string, { type: string; default?: unknown }>;
      outputs: Record<string, { value: string }>;
    };
  };
  readonly jobs: Record<string, Job>;
}

const workflow = parse(
  readFileSync(join(installRoot, '.github', 'workflows', 'validate.yml'), 'utf8'),
) as Workflow;
const e = (inner: string) => `\${{ ${inner} }}`;
const job = (name: string): Job => {
  const found = workflow.jobs[name];
  if (!found) throw new Error(`no job ${name}`);
  return found;
};
const step = (j: Job, name: string): Step => {
  const found = j.steps.find((s) => s.name === name);
  if (!found) throw new Error(`no step ${name}`);
  return found;
};

describe('the reusable workflow, sharded', () => {
  it('plans N shards, runs one matrix job per shard on the runner asked for, and merges whatever arrived', () => {
    expect(workflow.on.workflow_call.inputs.shards).toEqual(
      expect.objectContaining({ type: 'number', default: 1 }),
    );
    const { plan, shard, merge } = { plan: job('plan'), shard: job('shard'), merge: job('merge') };
    // One label as given, or a JSON array of labels (what the App passes for several). Only the
    // shards storm on the big runner; plan and merge take the small one.
    const runsOn = (input: string) =>
      e(`startsWith(inputs.${input}, '[') && fromJSON(inputs.${input}) || inputs.${input}`);
    expect(shard['runs-on']).toBe(runsOn('runs-on'));
    expect(plan['runs-on']).toBe(runsOn('plan-runs-on'));
    expect(merge['runs-on']).toBe(runsOn('plan-runs-on'));
    expect(workflow.on.workflow_call.inputs['plan-runs-on']?.default).toBe('ubuntu-latest');
    expect(shard.strategy?.['fail-fast']).toBe(false);
    expect(shard.strategy?.matrix?.shard).toBe(e('fromJSON(needs.plan.outputs.shards)'));
    const storm = step(shard, 'Storm shard');
    expect(storm.env?.SHARD).toBe(`${e('matrix.shard')}/${e('inputs.shards')}`);
    expect(storm.run).toContain('--shard "$SHARD" --blob "$BLOB"');
    expect(storm.run).toContain(
      'bash sigstorm/scripts/actions/resolve-config.sh fork "$BASE" "$RUNNER_TEMP/sigstorm.yml"',
    );
    const upload = shard.steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'));
    expect(upload?.with?.name).toBe(`sigstorm-shard-${e('matrix.shard')}`);
    // The merge runs when shards failed (their iterations are missing, never clean), not when the plan did.
    expect(merge.needs).toEqual(['plan', 'shard']);
    expect(merge.if).toBe(e("always() && needs.plan.result == 'success'"));
    const download = merge.steps.find((s) => s.with?.pattern === 'sigstorm-shard-*');
    expect(download?.uses).toMatch(/^actions\/download-artifact@[0-9a-f]{40}$/);
    expect(step(merge, 'Validate').run).toMatch(/sigstorm\.js merge "\$\{blobs\[@\]\}"/);
    expect(workflow.on.workflow_call.outputs.stability?.value).toBe(e('jobs.merge.outputs.stability'));
  });

  it('builds once: the plan saves base and head builds under a key of trees, sigstorm commit and compiler; shards restore it', () => {
    const plan = job('plan');
    const key = step(plan, 'Build key').run ?? '';
    expect(key).toContain('rev-parse "$BASE^{tree}"');
    expect(key).toContain('rev-parse "$HEAD^{tree}"');
    expect(key).toContain('git -C sigstorm rev-parse HEAD');
    expect(key).toMatch(/cc --version/);
    expect(plan.outputs?.['build-key']).toBe(e('steps.key.outputs.key'));
    const save = plan.steps.find((s) => s.uses?.startsWith('actions/cache/save@'));
    const restore = job('shard').steps.find((s) => s.uses?.startsWith('actions/cache/restore@'));
    expect(save?.with?.key).toBe(e('steps.key.outputs.key'));
    expect(restore?.with?.key).toBe(e('needs.plan.outputs.build-key'));
    expect(restore?.with?.path).toBe(save?.with?.path);
    expect(step(job('shard'), 'Storm shard').env?.SIGSTORM_CACHE_DIR).toBe(
      `${e('runner.temp')}/sigstorm-cache`,
    );
  });

  it('runs in every job the sigstorm files the pinned checkout packed, resolved once', () => {
    const pack = step(job('plan'), 'Pack sigstorm');
    expect(pack.run).toContain('git -C sigstorm archive');
    for (const name of ['shard', 'merge']) {
      const got = job(name).steps.find((s) => s.with?.name === 'sigstorm-source');
      expect(got?.uses, name).toMatch(/^actions\/download-artifact@/);
      expect(step(job(name), 'Unpack sigstorm').run).toContain('tar -xzf');
      expect(
        job(name).steps.some((s) => s.with?.path === 'sigstorm'),
        name,
      ).toBe(false);
    }
  });

  it("turns the shard count into the matrix, and refuses a count a matrix cannot run (the plan's own script, run)", async () => {
    const script = step(job('plan'), 'Shards').run ?? '';
    const run = async (shards: string) => {
      const out = join(tmpdir(), `sigstorm-shards-output-${process.pid}`);
      const result = await execa('bash', ['-c', script], {
        env: { SHARDS: shards, GITHUB_OUTPUT: out },
        reject: false,
      });
      const output = result.exitCode === 0 ? readFileSync(out, 'utf8') : '';
      await execa('rm', ['-f', out]);
      return { code: result.exitCode, output, stdout: result.stdout };
    };
    expect(await run('3')).toEqual(expect.objectContaining({ code: 0, output: 'list=[1,2,3]\n' }));
    expect((await run('1')).output).toBe('list=[1]\n');
    for (const bad of ['0', '257', 'four', '']) {
      const result = await run(bad);
      expect(result.code, bad).toBe(1);
      expect(result.stdout).toMatch(/shards must be a whole number from 1 to 256/);
    }
  });
});
