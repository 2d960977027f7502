import { rm, writeFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import {
  actionsConfig,
  actionsEnv,
  actionsHarness,
  actionsOperations,
  completed,
  heldByRunner,
  newGateFile,
  openPull,
  workflow,
} from './support/actions-executor.js';
import { lifecycle, runOperations } from './support/expectations.js';
import { Harness, maintainer, repoName } from './support/harness.js';
import { checkRunPayload, issueCommentPayload } from './support/payloads.js';

/**
 * `executor: actions` where no shard storms: the App dispatches the caller workflow to the stand-in's
 * GitHub Actions and follows, cancels, supersedes, resumes or re-dispatches the run; the runner
 * process (test/support/actions-runner.ts) holds its shard jobs behind a gate file, fails them, or is
 * not started. The shards' storms, merge and re-runs end to end: actions-executor.test.ts.
 */
describe('the App as coordinator of GitHub Actions runs (executor: actions), no storm', () => {
  let h: Harness;
  /** Runner jobs wait (in progress, cancellable) until this file exists. */
  let gateFile = '';
  afterEach(async () => {
    await h.close();
    if (gateFile) await rm(gateFile, { force: true });
    gateFile = '';
    expect(h.standin.problems).toEqual([]);
  });

  it('/sigstorm cancel cancels the workflow run (found by name: this GitHub answers the dispatch without it)', async () => {
    gateFile = newGateFile();
    h = await actionsHarness(['--gate', gateFile]);
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
    await openPull(h, 33, head);
    const run = await heldByRunner(h, head);
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
  });

  it('a new push supersedes the dispatched run: the old run is cancelled, the new head dispatched', async () => {
    gateFile = newGateFile();
    h = await actionsHarness(['--gate', gateFile]);
    const first = await h.fixture.commitPatch('help-text.patch');
    await openPull(h, 34, first, 'opened', 30);
    const oldRun = await heldByRunner(h, first);
    const second = await h.fixture.commitEmpty(first, 'amended');
    await openPull(h, 34, second, 'synchronize', 5);
    const newRun = await heldByRunner(h, second);
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
  });

  it('killed while its run is on Actions: the restarted App resumes by polling; a run without any blob fails the check saying why', async () => {
    // Every shard fails (no storm needed): what the restarted App must still find and finish.
    gateFile = newGateFile();
    h = await actionsHarness(['--gate', gateFile, '--fail-shard', '1,2']);
    const head = await h.fixture.commitPatch('help-text.patch');
    await openPull(h, 35, head);
    const run = await heldByRunner(h, head);
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
    const check = await completed(h, head);
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
  });

  it('the Re-run button cancels the dispatched run and dispatches the same commits again', async () => {
    gateFile = newGateFile();
    h = await actionsHarness(['--gate', gateFile]);
    const head = await h.fixture.commitPatch('help-text.patch');
    await openPull(h, 36, head);
    const first = await heldByRunner(h, head);
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
  });

  it('a dispatch whose run GitHub never shows is dispatched again, with back-off, then the check says why it gave up', async () => {
    h = await Harness.create({
      ...actionsEnv,
      SIGSTORM_ACTIONS_DISPATCH_WAIT_MS: '1500',
      SIGSTORM_ACTIONS_DISPATCHES: '3',
    });
    h.repo.config = actionsConfig(2);
    h.actions.addWorkflow(repoName, workflow);
    h.actions.dropDispatches = true;
    h.standin.expect(...runOperations, ...actionsOperations);
    await h.startApp();
    const head = await h.fixture.commitPatch('help-text.patch');
    await openPull(h, 38, head);
    const check = await completed(h, head);
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
  });

  it('/sigstorm cancel stops a dispatch whose run has not shown: no dispatch again', async () => {
    h = await Harness.create({ ...actionsEnv, SIGSTORM_ACTIONS_DISPATCH_WAIT_MS: '8000' });
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
    await openPull(h, 39, head);
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
  });

  it('a repository without the caller workflow: the check fails and the comment says what to add', async () => {
    h = await Harness.create(actionsEnv, 'storms');
    h.repo.config = actionsConfig(2);
    h.standin.expect(...runOperations, ...actionsOperations);
    await h.startApp();
    const head = await h.fixture.commitPatch('help-text.patch');
    await openPull(h, 37, head);
    const check = await completed(h, head);
    expect(lifecycle(check)).toBe('queued → completed:failure');
    expect(check.output.title).toBe(
      `sigstorm could not finish: GitHub has no workflow .github/workflows/${workflow} on branch main to dispatch`,
    );
    expect(check.output.summary).toContain('docs/github-actions.md');
    expect(h.model.botComments(repoName, 37)[0]?.body).toContain(`executor.workflow`);
    expect(h.actions.runs.size).toBe(0);
  });
});
