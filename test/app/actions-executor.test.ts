import { afterEach, describe, expect, it } from 'vitest';
import { lifecycle, runOperations } from './support/expectations.js';
import { Harness, maintainer, repoName, testEnv, testRepoConfig } from './support/harness.js';
import { pullRequestPayload } from './support/payloads.js';

/**
 * `executor: actions`: the App dispatches the caller workflow to the stand-in's GitHub Actions, a
 * runner process (test/support/actions-runner.ts) runs the shard jobs as real `sigstorm validate
 * --shard` processes and uploads their blobs as zipped artifacts, and the App follows the run
 * (webhooks and polling), downloads, merges and publishes. Two shards of one batch (20 iterations
 * per side) each: short but real storms.
 */
const workflow = 'sigstorm-shards.yml';
const actionsConfig = [
  ...testRepoConfig.split('\n').filter((line) => !line.startsWith('iterations:')),
  'iterations: 40',
  'executor:',
  '  kind: actions',
  `  workflow: ${workflow}`,
  '  runsOn: [self-hosted, storm-16]',
  '  shards: 2',
  '',
].join('\n');

const actionsOperations = [
  'actions/create-workflow-dispatch',
  'actions/list-workflow-runs',
  'actions/get-workflow-run',
  'actions/list-jobs-for-workflow-run',
  'actions/list-workflow-run-artifacts',
  'actions/download-artifact',
  'actions/cancel-workflow-run',
] as const;

const env = { ...testEnv, SIGSTORM_ACTIONS_POLL_INTERVAL_MS: '1000' };

describe('the App as coordinator of GitHub Actions shards (executor: actions)', () => {
  let h: Harness;
  afterEach(async () => {
    await h.close();
    expect(h.standin.problems).toEqual([]);
  });

  async function setUp(runnerArgs: string[] = []): Promise<void> {
    h = await Harness.create(env);
    h.repo.config = actionsConfig;
    h.actions.addWorkflow(repoName, workflow);
    h.standin.expect(...runOperations, ...actionsOperations);
    await h.startApp();
    h.startRunner(runnerArgs);
  }

  function openPull(number: number, head: string) {
    return h.deliver(
      'pull_request',
      pullRequestPayload('opened', h.where, {
        number,
        headSha: head,
        baseSha: h.fixture.baseSha,
        author: maintainer,
      }),
    );
  }

  async function completed(head: string) {
    const check = await h.standin.waitFor(
      `the check of ${head.slice(0, 7)} to complete (runner: ${h.runnerOutput.slice(-2000)})`,
      () => h.checkRuns().find((c) => c.headSha === head && c.status === 'completed'),
      240_000,
    );
    await h.settle();
    return check;
  }

  it('dispatches the exact commits, shows shards done of N, merges the blobs into one check and one comment', async () => {
    await setUp();
    const head = await h.fixture.commitPatch('help-text.patch');
    await openPull(31, head);
    const check = await completed(head);

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
      shards: '2',
      'runs-on': '["self-hosted","storm-16"]',
      profile: 'pr',
    });
    expect(body.inputs['sigstorm-job']).toMatch(/^sigstorm-\d+-[0-9a-f]{8}$/);
    const [run] = h.actions.runs.values();
    expect(run?.conclusion).toBe('success');

    expect(lifecycle(check)).toBe('queued → in_progress → completed:neutral');
    const titles = check.history.map((s) => s.title);
    expect(titles).toContain('On GitHub Actions: 0 of 2 shards done');
    expect(titles).toContain('On GitHub Actions: 2 of 2 shards done');
    expect(check.output.summary).not.toContain('missing');
    // Every shard's blob arrived: 2 × 20 iterations per side, as one machine would have run them.
    expect(check.output.summary).toMatch(/\b40\b/);

    const comments = h.model.botComments(repoName, 31);
    expect(comments).toHaveLength(1);
    expect(comments[0]?.body).toContain(check.output.title ?? '<no title>');
    // The artifacts came through the redirect to storage, and the events woke the App.
    expect(h.standin.callsOf('actions/download-artifact').map((c) => c.status)).toEqual([302, 302]);
    const events = h.query<{ n: number }>(
      `SELECT COUNT(*) AS n FROM deliveries WHERE name IN ('workflow_run', 'workflow_job')`,
    );
    expect(events[0]?.n).toBeGreaterThan(0);
  }, 300_000);
});
