import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  defaultActionsWorkflow,
  type ExecutorConfig,
  RepoConfig,
} from '../../src/config/repo-config.schema.js';
import { formatConfigProblem, parseRepoConfigText } from '../../src/config/repo-config-parse.js';
import { shardArtifact } from '../../src/publish/actions/collect-blobs.js';
import { dispatchInputs } from '../../src/publish/actions/dispatch-run.js';
import type { Job } from '../../src/publish/store/job.js';
import { installRoot } from '../../src/util/paths.js';

const caller = parse(
  readFileSync(join(installRoot, 'docs', 'examples', `${defaultActionsWorkflow}`), 'utf8'),
) as {
  'run-name': string;
  on: { workflow_dispatch: { inputs: Record<string, { required?: boolean }> } };
  jobs: { sigstorm: { with: Record<string, string | boolean> } };
};
const reusable = parse(readFileSync(join(installRoot, '.github', 'workflows', 'validate.yml'), 'utf8')) as {
  on: { workflow_call: { inputs: Record<string, unknown> } };
  jobs: { shard: { steps: { uses?: string; with?: { name?: string; path?: string } }[] } };
};

describe('the executor setting and the caller workflow it dispatches', () => {
  it('is local unless the config says actions; actions has defaults for workflow, runners and shards', () => {
    expect(RepoConfig.parse({}).executor).toEqual({ kind: 'local' });
    expect(RepoConfig.parse({ executor: { kind: 'actions' } }).executor).toEqual({
      kind: 'actions',
      workflow: defaultActionsWorkflow,
      runsOn: ['ubuntu-24.04'],
      shards: 4,
    });
  });

  it('refuses what a workflow run cannot do, saying where', () => {
    const result = parseRepoConfigText(
      'executor:\n  kind: actions\n  shards: 300\n  workflow: ../../evil.yml\n',
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map(formatConfigProblem)).toEqual([
      ".github/sigstorm.yml:3:11: executor.shards: shards may be at most 256 (a matrix's job limit)",
      '.github/sigstorm.yml:4:13: executor.workflow: workflow must be a file name in .github/workflows/, like sigstorm-shards.yml',
    ]);
  });

  it('passes exactly the inputs the documented caller declares, and the caller hands them on to validate.yml', () => {
    const job = {
      baseSha: 'a'.repeat(40),
      headSha: 'b'.repeat(40),
      pullNumber: 12,
      options: { profile: 'pr', iterations: 200 },
    } as unknown as Job;
    const executor = {
      kind: 'actions' as const,
      workflow: defaultActionsWorkflow,
      runsOn: ['self-hosted', 'x64'],
      shards: 8,
    } as ExecutorConfig & { kind: 'actions' };
    const config = 'iterations: 200\npolicy:\n  stability:\n    regression: neutral\n';
    const inputs = dispatchInputs(job, executor, 'sigstorm-7-abcdef01', config);
    expect(Object.keys(inputs).sort()).toEqual(Object.keys(caller.on.workflow_dispatch.inputs).sort());
    expect(inputs).toMatchObject({ shards: '8', 'runs-on': '["self-hosted","x64"]', pull: '12' });
    expect(JSON.parse(inputs.options ?? '')).toEqual({
      profile: 'pr',
      workloads: '',
      variants: '',
      iterations: '200',
    });
    // GitHub takes at most 10 inputs for a workflow_dispatch.
    expect(Object.keys(inputs).length).toBeLessThanOrEqual(10);
    // The one config of the run, as the App read it, byte for byte.
    expect(inputs.config).toBe(`base64:${Buffer.from(config).toString('base64')}`);
    // The run is found by its name when GitHub does not return it from the dispatch.
    expect(caller['run-name']).toMatch(/\$\{\{ inputs\.sigstorm-job \}\}/);
    for (const name of Object.keys(caller.jobs.sigstorm.with)) {
      expect(reusable.on.workflow_call.inputs, name).toHaveProperty(name);
    }
    // Every input reaches validate.yml, `options` as its four fields.
    const handed = Object.values(caller.jobs.sigstorm.with).join(' ');
    expect(Object.keys(inputs).filter((name) => !handed.includes(`inputs.${name}`))).toEqual([
      'sigstorm-job',
    ]);
    for (const field of ['profile', 'workloads', 'variants', 'iterations']) {
      expect(caller.jobs.sigstorm.with[field]).toBe(`\${{ fromJSON(inputs.options).${field} }}`);
    }
    // The App's check is the gate of a dispatched run; the run's own merge job does not fail on main.
    expect(caller.jobs.sigstorm.with.gate).toBe(false);
  });

  it('collects the artifact each shard job of validate.yml uploads, and the blob file in it', () => {
    const upload = reusable.jobs.shard.steps.find((step) =>
      step.uses?.startsWith('actions/upload-artifact@'),
    );
    const fill = (text: string | undefined, shard: number, shards: number) =>
      text
        ?.replace(/\$\{\{ matrix\.shard \}\}/g, String(shard))
        .replace(/\$\{\{ inputs\.shards \}\}/g, String(shards));
    expect(shardArtifact(3, 8)).toEqual({
      artifact: fill(upload?.with?.name, 3, 8),
      entry: fill(upload?.with?.path, 3, 8),
    });
  });
});
