import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { subjectBuild } from '../support/subject.js';
import { actionsHarness, batchSize, completed, openPull, workflow } from './support/actions-executor.js';
import { lifecycle } from './support/expectations.js';
import { type Harness, repoName } from './support/harness.js';

/**
 * `executor: actions` end to end with real shard storms: the App dispatches the caller workflow to
 * the stand-in's GitHub Actions, a runner process (test/support/actions-runner.ts) runs the shard
 * jobs as the workflow's own steps (real `sigstorm validate --shard` processes, one batch of 10
 * iterations per side each) and uploads their blobs as zipped artifacts, and the App follows the run
 * (webhooks and polling), downloads, merges and publishes. What needs no storm (cancel, supersede,
 * restart, re-dispatch) is in actions-dispatch.test.ts and actions-redispatch.test.ts.
 */
describe('the App as coordinator of GitHub Actions shards (executor: actions), real shard storms', () => {
  let h: Harness;
  beforeAll(async () => {
    // What the plan job builds and saves for the shards (the runner restores it from the test cache).
    await subjectBuild('plain');
    await subjectBuild('plain', ['help-text.patch']);
  });
  afterEach(async () => {
    await h.close();
    expect(h.standin.problems).toEqual([]);
  });

  it('dispatches the exact commits, shows shards done of N, merges the blobs into one check and one comment', async () => {
    // One runner: the shards run one after the other, so the first one's blob shows as progress.
    h = await actionsHarness(['--runners', '1']);
    const head = await h.fixture.commitPatch('help-text.patch');
    await openPull(h, 31, head);
    const check = await completed(h, head);

    const [dispatch, ...more] = h.standin.callsOf('actions/create-workflow-dispatch');
    expect(more).toEqual([]);
    expect(dispatch?.params.workflow_id).toBe(workflow);
    const body = dispatch?.body as {
      ref: string;
      inputs: Record<string, string>;
      return_run_details: boolean;
    };
    expect(body.ref).toBe('main');
    expect(body.return_run_details).toBe(true);
    expect(body.inputs).toMatchObject({
      base: h.fixture.baseSha,
      head,
      pull: '31',
      shards: '2',
      'runs-on': '["self-hosted","storm-16"]',
    });
    expect(JSON.parse(body.inputs.options ?? '')).toMatchObject({ profile: 'pr' });
    // The one config of the run: the App's reading of .github/sigstorm.yml, which the shards used.
    const config = /^base64:(.*)$/.exec(body.inputs.config ?? '')?.[1] ?? '';
    expect(parse(Buffer.from(config, 'base64').toString('utf8'))).toEqual(parse(h.repo.config ?? ''));
    expect(body.inputs['sigstorm-job']).toMatch(/^sigstorm-\d+-[0-9a-f]{8}$/);
    const [run] = h.actions.runs.values();
    expect(run?.conclusion).toBe('success');

    expect(lifecycle(check)).toBe('queued → in_progress → completed:neutral');
    const titles = check.history.map((s) => s.title);
    expect(titles).toContain('On GitHub Actions: 0 of 2 shards done');
    // The first shard's blob, read while the second one storms: its one batch per side.
    expect(titles).toContain(
      `On GitHub Actions: 1 of 2 shards done · ${batchSize} + ${batchSize} iterations so far`,
    );
    expect(titles.some((t) => t?.startsWith('On GitHub Actions: 2 of 2 shards done'))).toBe(true);
    expect(check.output.summary).not.toContain('missing');
    // Every shard's blob arrived: 2 × 10 iterations per side, as one machine would have run them.
    expect(check.output.summary).toMatch(new RegExp(`\\b${2 * batchSize}\\b`));

    const comments = h.model.botComments(repoName, 31);
    expect(comments).toHaveLength(1);
    expect(comments[0]?.body).toContain(check.output.title ?? '<no title>');
    // The artifacts came through the redirect to storage, each once (shard 1's for the progress while
    // shard 2 ran, kept for the merge), and the events woke the App.
    const downloads = h.standin.callsOf('actions/download-artifact');
    expect(downloads.map((c) => c.status)).toEqual([302, 302]);
    expect(new Set(downloads.map((c) => c.params.artifact_id)).size).toBe(2);
    const events = h.query<{ n: number }>(
      `SELECT COUNT(*) AS n FROM deliveries WHERE name IN ('workflow_run', 'workflow_job')`,
    );
    expect(events[0]?.n).toBeGreaterThan(0);

    // Re-run one shard job, then all jobs, in GitHub's interface: each attempt uploads its blob
    // again under the same name (overwrite), so every job succeeds and each shard keeps one artifact.
    if (!run) throw new Error('no run');
    const artifactIds = () => new Map(run.artifacts.map((a) => [a.name, a.id]));
    const first = artifactIds();
    h.actions.rerun(run.id, 2);
    await h.standin.waitFor(
      'the re-run of shard 2',
      () => run.status === 'completed' && run.attempt === 2,
      240_000,
    );
    expect(run.conclusion, h.runnerOutput.slice(-3000)).toBe('success');
    expect(artifactIds().get('sigstorm-shard-1')).toBe(first.get('sigstorm-shard-1'));
    expect(artifactIds().get('sigstorm-shard-2')).not.toBe(first.get('sigstorm-shard-2'));
    // A second runner machine comes online: the re-run's two jobs storm side by side.
    await h.startRunner(['--runners', '1']);
    h.actions.rerun(run.id);
    await h.standin.waitFor(
      'the re-run of all jobs',
      () => run.status === 'completed' && run.attempt === 3,
      240_000,
    );
    expect(run.conclusion, h.runnerOutput.slice(-3000)).toBe('success');
    expect(run.artifacts.map((a) => a.name).sort()).toEqual(['sigstorm-shard-1', 'sigstorm-shard-2']);
    // The App published once: the events of later attempts find no job of its to follow.
    await h.settle();
    expect(h.model.botComments(repoName, 31)).toHaveLength(1);
    expect(h.standin.callsOf('actions/create-workflow-dispatch')).toHaveLength(1);
  }, 600_000);

  it('a failed shard and a tampered blob are named as missing with their iterations; the verdict stays inconclusive', async () => {
    h = await actionsHarness(['--fail-shard', '2', '--tamper-shard', '3'], 3);
    const head = await h.fixture.commitPatch('help-text.patch');
    await openPull(h, 32, head);
    const check = await completed(h, head);
    expect(lifecycle(check)).toBe('queued → in_progress → completed:neutral');
    const summary = check.output.summary ?? '';
    expect(summary).toContain('shard 2/3');
    expect(summary).toContain(
      'its job "sigstorm / shard (2)" ended failure without an artifact sigstorm-shard-2',
    );
    expect(summary).toContain('shard 3/3');
    expect(summary).toContain('its plan does not match its plan id');
    expect(summary).toContain('count as missing, not clean');
    expect(h.model.botComments(repoName, 32)).toHaveLength(1);
    // A hostile blob is data: the App is still serving.
    expect(h.app.exited).toBe(false);
    expect((await fetch(`http://127.0.0.1:${h.app.port}/ping`)).ok).toBe(true);
  }, 300_000);
});
