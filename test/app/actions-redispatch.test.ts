import { rm } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import {
  actionsConfig,
  actionsOperations,
  completed,
  openPull,
  scriptedActionsEnv,
  workflow,
} from './support/actions-executor.js';
import { lifecycle, runOperations } from './support/expectations.js';
import { Harness, maintainer, repoName } from './support/harness.js';
import { issueCommentPayload } from './support/payloads.js';

/**
 * `executor: actions` where no shard storms and GitHub never shows the run (or the workflow is
 * missing): re-dispatch with back-off, a cancel of a pending dispatch, the missing caller workflow.
 * The run found and followed, cancelled, superseded, resumed: actions-dispatch.test.ts (the two files
 * run side by side). The App is the scripted one (nothing validates on it; its Actions executor is
 * the real one, its waits short).
 */
describe('the App dispatching to GitHub Actions when the run does not show (executor: actions), no storm', () => {
  let h: Harness;
  /** Runner jobs wait (in progress, cancellable) until this file exists. */
  let gateFile = '';
  afterEach(async () => {
    await h.close();
    if (gateFile) await rm(gateFile, { force: true });
    gateFile = '';
    expect(h.standin.problems).toEqual([]);
  });

  it('a dispatch whose run GitHub never shows is dispatched again, with back-off, then the check says why it gave up', async () => {
    // The first dispatch waits 0.5 s for its run, the second 1 s, the third 2 s (polled every 0.25 s).
    const waitMs = 500;
    h = await Harness.create({
      ...scriptedActionsEnv,
      SIGSTORM_ACTIONS_DISPATCH_WAIT_MS: String(waitMs),
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
    expect(gaps[0]).toBeGreaterThanOrEqual(waitMs);
    expect(gaps[1]).toBeGreaterThanOrEqual(2 * waitMs);
    for (const i of inputs) expect(check.output.text ?? check.output.summary).toContain(i['sigstorm-job']);
    await h.settle();
    expect(h.standin.callsOf('actions/create-workflow-dispatch')).toHaveLength(3);
  });

  it('/sigstorm cancel stops a dispatch whose run has not shown: no dispatch again', async () => {
    // Long enough for the cancel to be processed first, even on a loaded machine.
    const waitMs = 4000;
    h = await Harness.create({ ...scriptedActionsEnv, SIGSTORM_ACTIONS_DISPATCH_WAIT_MS: String(waitMs) });
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
    // Past the wait after which the dispatch would have been made again (and a few polls more).
    await new Promise((done) => setTimeout(done, Math.max(0, first.at + waitMs + 2000 - Date.now())));
    await h.settle();
    expect(h.standin.callsOf('actions/create-workflow-dispatch')).toHaveLength(1);
  });

  it('a repository without the caller workflow: the check fails and the comment says what to add', async () => {
    h = await Harness.create(scriptedActionsEnv);
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
