import { rm, writeFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import {
  actionsHarness,
  completed,
  heldByRunner,
  newGateFile,
  openPull,
} from './support/actions-executor.js';
import { lifecycle } from './support/expectations.js';
import { type Harness, maintainer, repoName, scriptedShortRun } from './support/harness.js';
import { checkRunPayload, issueCommentPayload } from './support/payloads.js';

/**
 * `executor: actions` where no shard storms: the App dispatches the caller workflow to the stand-in's
 * GitHub Actions and follows, cancels, supersedes, resumes or re-dispatches the run; the runner
 * process (test/support/actions-runner.ts) holds its shard jobs behind a gate file, fails them, or is
 * not started. The App is the scripted one (nothing validates on it: its Actions executor is the
 * real one, its waits short). The shards' storms, merge and re-runs end to end: actions-executor.test.ts.
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
    h = await actionsHarness(['--gate', gateFile], 2, scriptedShortRun);
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
    h = await actionsHarness(['--gate', gateFile], 2, scriptedShortRun);
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
    h = await actionsHarness(['--gate', gateFile, '--fail-shard', '1,2'], 2, scriptedShortRun);
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
    h = await actionsHarness(['--gate', gateFile], 2, scriptedShortRun);
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
});
