import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { lifecycle, runOperations } from './support/expectations.js';
import { Harness, maintainer, repoName, testEnv, testRepoConfig } from './support/harness.js';
import { checkRunPayload, issueCommentPayload, pullRequestPayload } from './support/payloads.js';

/**
 * `executor: actions`: the App dispatches the caller workflow to the stand-in's GitHub Actions, a
 * runner process (test/support/actions-runner.ts) runs the shard jobs as real `sigstorm validate
 * --shard` processes and uploads their blobs as zipped artifacts, and the App follows the run
 * (webhooks and polling), downloads, merges and publishes. Two shards of one batch (20 iterations
 * per side) each: short but real storms.
 */
const workflow = 'sigstorm-shards.yml';
/** The test config on Actions: `shards` shards of one batch each (20 iterations per side and batch). */
function actionsConfig(shards: number): string {
  return [
    ...testRepoConfig.split('\n').filter((line) => !line.startsWith('iterations:')),
    `iterations: ${20 * shards}`,
    'executor:',
    '  kind: actions',
    `  workflow: ${workflow}`,
    '  runsOn: [self-hosted, storm-16]',
    `  shards: ${shards}`,
    '',
  ].join('\n');
}

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
/** Runner jobs wait (in progress, cancellable) until this file exists: `gate()` opens it. */
let gateFile = '';

describe('the App as coordinator of GitHub Actions shards (executor: actions)', () => {
  let h: Harness;
  afterEach(async () => {
    await h.close();
    if (gateFile) await rm(gateFile, { force: true });
    expect(h.standin.problems).toEqual([]);
  });

  async function setUp(runnerArgs: string[] = [], shards = 2): Promise<void> {
    h = await Harness.create(env, 'storms');
    h.repo.config = actionsConfig(shards);
    h.actions.addWorkflow(repoName, workflow);
    h.standin.expect(...runOperations, ...actionsOperations);
    await h.startApp();
    h.startRunner(runnerArgs);
  }

  async function openPull(
    number: number,
    head: string,
    action: 'opened' | 'synchronize' = 'opened',
    agoS = 20,
  ) {
    const updatedAt = new Date(Date.now() - agoS * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
    // Every head is on no branch, only at refs/pull/N/head: shaped like a fork's pull request.
    await h.fixture.pullRef(number, head);
    return h.deliver(
      'pull_request',
      pullRequestPayload(action, h.where, {
        number,
        headSha: head,
        baseSha: h.fixture.baseSha,
        author: maintainer,
        updatedAt,
      }),
    );
  }

  /** Waits until the job is dispatched and the runner holds its shard jobs (behind the gate). */
  async function heldByRunner(head: string) {
    return h.standin.waitFor(`the run of ${head.slice(0, 7)} to be on the runner`, () =>
      [...h.actions.runs.values()].find(
        (r) => r.inputs.head === head && r.jobs.some((j) => j.status === 'in_progress'),
      ),
    );
  }

  async function gatedSetUp(): Promise<void> {
    gateFile = join(tmpdir(), `sigstorm-gate-${process.pid}-${Date.now()}`);
    await setUp(['--gate', gateFile]);
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
    // One runner: the shards run one after the other, so the first one's blob shows as progress.
    await setUp(['--runners', '1']);
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
    // The first shard's blob, read while the second one storms: its 20 iterations per side.
    expect(titles).toContain('On GitHub Actions: 1 of 2 shards done · 20 + 20 iterations so far');
    expect(titles.some((t) => t?.startsWith('On GitHub Actions: 2 of 2 shards done'))).toBe(true);
    expect(check.output.summary).not.toContain('missing');
    // Every shard's blob arrived: 2 × 20 iterations per side, as one machine would have run them.
    expect(check.output.summary).toMatch(/\b40\b/);

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
    await setUp(['--fail-shard', '2', '--tamper-shard', '3'], 3);
    const head = await h.fixture.commitPatch('help-text.patch');
    await openPull(32, head);
    const check = await completed(head);
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

  it('/sigstorm cancel cancels the workflow run (found by name: this GitHub answers the dispatch without it)', async () => {
    await gatedSetUp();
    h.actions.answerWithoutRun = true;
    const head = await h.fixture.commitPatch('help-text.patch');
    h.repo.pulls.set(33, {
      number: 33,
      headSha: head,
      baseSha: h.fixture.baseSha,
      headRef: 'feature',
      baseRef: 'main',
      headRepo: repoName,
      author: maintainer,
    });
    h.standin.expect('pulls/get', 'reactions/create-for-issue-comment');
    await openPull(33, head);
    const run = await heldByRunner(head);
    await h.standin.waitFor('the App to find its run by name', () =>
      h.checkRuns().find((c) => c.output.summary?.includes(`actions/runs/${run.id}`)),
    );
    expect(h.standin.callsOf('actions/list-workflow-runs').length).toBeGreaterThan(0);
    const stored = h.model.addUserComment(repoName, 33, maintainer, '/sigstorm cancel');
    await h.deliver(
      'issue_comment',
      issueCommentPayload(h.where, { number: 33, commentId: stored.id, body: stored.body, user: maintainer }),
    );
    const check = await h.standin.waitFor('the check to be cancelled', () =>
      h.checkRuns().find((c) => c.status === 'completed'),
    );
    expect(lifecycle(check)).toBe('queued → in_progress → completed:cancelled');
    expect(h.standin.callsOf('actions/cancel-workflow-run').map((c) => Number(c.params.run_id))).toEqual([
      run.id,
    ]);
    await h.standin.waitFor('the runner to stop the shards', () => run.status === 'completed');
    expect(run.conclusion).toBe('cancelled');
    await h.settle();
    // Nothing merged, nothing published: the blobs were never asked for.
    expect(h.standin.callsOf('actions/list-workflow-run-artifacts')).toEqual([]);
    expect(h.model.botComments(repoName, 33).every((c) => !c.body.includes('sigstorm-report'))).toBe(true);
  }, 120_000);

  it('a new push supersedes the dispatched run: the old run is cancelled, the new head dispatched', async () => {
    await gatedSetUp();
    const first = await h.fixture.commitPatch('help-text.patch');
    await openPull(34, first, 'opened', 30);
    const oldRun = await heldByRunner(first);
    const second = await h.fixture.commitEmpty(first, 'amended');
    await openPull(34, second, 'synchronize', 5);
    const newRun = await heldByRunner(second);
    await h.standin.waitFor('the old run to be cancelled', () => oldRun.status === 'completed');
    expect(oldRun.conclusion).toBe('cancelled');
    expect(newRun.status).not.toBe('completed');
    const old = h.checkRuns().find((c) => c.headSha === first);
    expect(old && lifecycle(old)).toBe('queued → in_progress → completed:cancelled');
    expect(old?.output.summary).toContain(`Superseded by commit \`${second.slice(0, 7)}\``);
    expect(
      h.standin
        .callsOf('actions/create-workflow-dispatch')
        .map((c) => (c.body as { inputs: { head: string } }).inputs.head),
    ).toEqual([first, second]);
  }, 120_000);

  it('killed while its run is on Actions: the restarted App resumes by polling; a run without any blob fails the check saying why', async () => {
    // Every shard fails (no storm needed): what the restarted App must still find and finish.
    gateFile = join(tmpdir(), `sigstorm-gate-${process.pid}-${Date.now()}`);
    await setUp(['--gate', gateFile, '--fail-shard', '1,2']);
    const head = await h.fixture.commitPatch('help-text.patch');
    await openPull(35, head);
    const run = await heldByRunner(head);
    await h.standin.waitFor('the check to show the run', () =>
      h.checkRuns().find((c) => c.output.title === 'On GitHub Actions: 0 of 2 shards done'),
    );
    await h.app.kill('SIGKILL');
    h.app.killGroup();
    // The shards end while the App is down: their events are lost.
    await writeFile(gateFile, '');
    await h.standin.waitFor('the run to complete', () => run.status === 'completed');
    expect(h.failedDeliveries).toContain('workflow_run');
    await h.startApp();
    const check = await completed(head);
    expect(lifecycle(check)).toBe('queued → in_progress → completed:failure');
    expect(check.output.title).toBe(
      'sigstorm could not finish: No shard of the GitHub Actions run uploaded a readable blob (run failure)',
    );
    expect(check.output.summary).toContain(
      'shard 2/2: its job "sigstorm / shard (2)" ended failure without an artifact sigstorm-shard-2',
    );
    expect(h.standin.callsOf('actions/create-workflow-dispatch')).toHaveLength(1);
    const comments = h.model.botComments(repoName, 35);
    expect(comments).toHaveLength(1);
    expect(comments[0]?.body).toContain('/sigstorm rerun');
  }, 120_000);

  it('the Re-run button cancels the dispatched run and dispatches the same commits again', async () => {
    await gatedSetUp();
    const head = await h.fixture.commitPatch('help-text.patch');
    await openPull(36, head);
    const first = await heldByRunner(head);
    const check = await h.standin.waitFor('the check to show the run', () =>
      h.checkRuns().find((c) => c.output.title === 'On GitHub Actions: 0 of 2 shards done'),
    );
    await h.deliver(
      'check_run',
      checkRunPayload('rerequested', h.where, { checkRunId: check.id, headSha: head, user: maintainer }),
    );
    await h.standin.waitFor('the first run to be cancelled', () => first.status === 'completed');
    expect(first.conclusion).toBe('cancelled');
    const again = await h.standin.waitFor('a second run', () =>
      [...h.actions.runs.values()].find((r) => r.id !== first.id),
    );
    expect(again.inputs).toMatchObject({ base: h.fixture.baseSha, head });
    expect(lifecycle(check)).toBe('queued → in_progress → completed:cancelled');
  }, 120_000);

  it('a dispatch whose run GitHub never shows is dispatched again, with back-off, then the check says why it gave up', async () => {
    h = await Harness.create({
      ...env,
      SIGSTORM_ACTIONS_DISPATCH_WAIT_MS: '1500',
      SIGSTORM_ACTIONS_DISPATCHES: '3',
    });
    h.repo.config = actionsConfig(2);
    h.actions.addWorkflow(repoName, workflow);
    h.actions.dropDispatches = true;
    h.standin.expect(...runOperations, ...actionsOperations);
    await h.startApp();
    const head = await h.fixture.commitPatch('help-text.patch');
    await openPull(38, head);
    const check = await completed(head);
    expect(lifecycle(check)).toBe('queued → in_progress → completed:failure');
    expect(check.output.title).toMatch(
      /^sigstorm could not finish: GitHub showed no run of sigstorm-shards\.yml in 3 dispatches \(\d+ s\); stopped$/,
    );
    const dispatches = h.standin.callsOf('actions/create-workflow-dispatch');
    const inputs = dispatches.map((c) => (c.body as { inputs: Record<string, string> }).inputs);
    expect(inputs).toHaveLength(3);
    // The same commits and config each time, under a new correlation id.
    expect(new Set(inputs.map((i) => i['sigstorm-job'])).size).toBe(3);
    const { 'sigstorm-job': _, ...same } = inputs[0] ?? {};
    for (const i of inputs) expect(i).toMatchObject(same);
    // Back-off: each dispatch waited about twice as long as the one before it.
    const at = dispatches.map((c) => c.at);
    const gaps = [(at[1] ?? 0) - (at[0] ?? 0), (at[2] ?? 0) - (at[1] ?? 0)];
    expect(gaps[0]).toBeGreaterThanOrEqual(1500);
    expect(gaps[1]).toBeGreaterThanOrEqual(3000);
    for (const i of inputs) expect(check.output.text ?? check.output.summary).toContain(i['sigstorm-job']);
    await h.settle();
    expect(h.standin.callsOf('actions/create-workflow-dispatch')).toHaveLength(3);
  }, 120_000);

  it('/sigstorm cancel stops a dispatch whose run has not shown: no dispatch again', async () => {
    h = await Harness.create({ ...env, SIGSTORM_ACTIONS_DISPATCH_WAIT_MS: '8000' });
    h.repo.config = actionsConfig(2);
    h.actions.addWorkflow(repoName, workflow);
    h.actions.dropDispatches = true;
    h.standin.expect(
      ...runOperations,
      ...actionsOperations,
      'pulls/get',
      'reactions/create-for-issue-comment',
    );
    await h.startApp();
    const head = await h.fixture.commitPatch('help-text.patch');
    h.repo.pulls.set(39, {
      number: 39,
      headSha: head,
      baseSha: h.fixture.baseSha,
      headRef: 'feature',
      baseRef: 'main',
      headRepo: repoName,
      author: maintainer,
    });
    await openPull(39, head);
    const first = await h.standin.waitFor(
      'the dispatch',
      () => h.standin.callsOf('actions/create-workflow-dispatch')[0],
    );
    const stored = h.model.addUserComment(repoName, 39, maintainer, '/sigstorm cancel');
    await h.deliver(
      'issue_comment',
      issueCommentPayload(h.where, { number: 39, commentId: stored.id, body: stored.body, user: maintainer }),
    );
    const check = await h.standin.waitFor('the check to be cancelled', () =>
      h.checkRuns().find((c) => c.headSha === head && c.status === 'completed'),
    );
    expect(lifecycle(check)).toBe('queued → in_progress → completed:cancelled');
    // Past the wait after which the dispatch would have been made again.
    await new Promise((done) => setTimeout(done, Math.max(0, first.at + 8000 + 3000 - Date.now())));
    await h.settle();
    expect(h.standin.callsOf('actions/create-workflow-dispatch')).toHaveLength(1);
  }, 120_000);

  it('a repository without the caller workflow: the check fails and the comment says what to add', async () => {
    h = await Harness.create(env, 'storms');
    h.repo.config = actionsConfig(2);
    h.standin.expect(...runOperations, ...actionsOperations);
    await h.startApp();
    const head = await h.fixture.commitPatch('help-text.patch');
    await openPull(37, head);
    const check = await completed(head);
    expect(lifecycle(check)).toBe('queued → completed:failure');
    expect(check.output.title).toBe(
      `sigstorm could not finish: GitHub has no workflow .github/workflows/${workflow} on branch main to dispatch`,
    );
    expect(check.output.summary).toContain('docs/github-actions.md');
    expect(h.model.botComments(repoName, 37)[0]?.body).toContain(`executor.workflow`);
    expect(h.actions.runs.size).toBe(0);
  }, 120_000);
});
