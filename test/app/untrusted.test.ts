import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lifecycle, runOperations, shortRunConclusion } from './support/expectations.js';
import {
  Harness,
  maintainer,
  outsider,
  repoName,
  scriptedQuietMs,
  scriptedShortRun,
  scriptedUntilStopped,
  testEnv,
  type Validation,
} from './support/harness.js';
import { checkRunPayload, issueCommentPayload, pullRequestPayload } from './support/payloads.js';

const forkName = 'oscar-outsider/iperf3-fork';

describe('untrusted code', () => {
  let h: Harness;
  let head: string;
  async function setUp(validation: Validation = scriptedShortRun) {
    h = await Harness.create(testEnv, validation);
    head = await h.fixture.commitPatch('help-text.patch');
    h.standin.expect(...runOperations, 'pulls/get', 'reactions/create-for-issue-comment');
    await h.startApp();
  }
  beforeEach(() => setUp());
  afterEach(async () => {
    await h.close();
    expect(h.standin.problems).toEqual([]);
  });

  function openPull(number: number, author: string, headRepo: string) {
    h.repo.pulls.set(number, {
      number,
      headSha: head,
      baseSha: h.fixture.baseSha,
      headRef: 'patch-1',
      baseRef: 'main',
      headRepo,
      author,
    });
    return h.deliver(
      'pull_request',
      pullRequestPayload('opened', h.where, {
        number,
        headSha: head,
        baseSha: h.fixture.baseSha,
        author,
        headRepo,
      }),
    );
  }

  it("a fork's pull request waits for approval; a maintainer's /sigstorm run builds and runs it", async () => {
    await openPull(11, outsider, forkName);
    const waiting = h.checkRuns()[0];
    expect(waiting && lifecycle(waiting)).toBe('completed:action_required');
    expect(waiting?.output.title).toBe("Waiting for a maintainer's approval");
    expect(waiting?.output.summary).toContain(`This pull request comes from a fork (\`${forkName}\`)`);
    expect(waiting?.actions).toEqual([
      { label: 'Approve and run', description: 'Build and storm this commit', identifier: 'approve-run' },
    ]);
    // Nothing runs: no check goes in progress, the pipeline is never asked.
    await h.settle(scriptedQuietMs);
    expect(h.checkRuns()).toHaveLength(1);
    // A fork is untrusted whoever opened it: the author's permission is not even asked.
    expect(h.standin.callsOf('repos/get-collaborator-permission-level')).toEqual([]);

    const approval = h.model.addUserComment(repoName, 11, maintainer, '/sigstorm run');
    await h.deliver(
      'issue_comment',
      issueCommentPayload(h.where, {
        number: 11,
        commentId: approval.id,
        body: '/sigstorm run',
        user: maintainer,
      }),
    );
    const ran = await h.standin.waitFor('the approved run to complete', () =>
      h.checkRuns().find((c) => c.status === 'completed' && c.conclusion !== 'action_required'),
    );
    expect(lifecycle(ran)).toBe(`queued → in_progress → completed:${shortRunConclusion}`);
    expect(ran.headSha).toBe(head);
    expect(h.model.botComments(repoName, 11)).toHaveLength(1);
  });

  it('a pull request by an author without write permission waits too; the Approve button of a maintainer starts it', async () => {
    // Its run is cancelled once started: a validation that lasts until then.
    await h.close();
    await setUp(scriptedUntilStopped);
    await openPull(12, outsider, repoName);
    const waiting = h.checkRuns()[0];
    expect(waiting && lifecycle(waiting)).toBe('completed:action_required');
    expect(waiting?.output.summary).toContain('The author, @oscar-outsider, has no write permission');

    // The button, pressed by someone without write permission: ignored, without a word.
    await h.deliver(
      'check_run',
      checkRunPayload('requested_action', h.where, {
        checkRunId: waiting?.id ?? 0,
        headSha: head,
        user: outsider,
        identifier: 'approve-run',
      }),
    );
    await h.settle(500);
    expect(h.checkRuns()).toHaveLength(1);
    expect(h.model.botComments(repoName, 12)).toEqual([]);

    // Pressed by a maintainer: a new check run on the same commit starts (the run itself is
    // covered above; here it is cancelled, so its validation runs until then).
    await h.deliver(
      'check_run',
      checkRunPayload('requested_action', h.where, {
        checkRunId: waiting?.id ?? 0,
        headSha: head,
        user: maintainer,
        identifier: 'approve-run',
      }),
    );
    const started = await h.standin.waitFor('the approved run to start', () =>
      h.checkRuns().find((c) => c.status === 'in_progress'),
    );
    expect(started.headSha).toBe(head);
    expect(started.history[0]?.summary).toContain('Requested by @maya-maintainer (Approve and run)');
    const cancel = h.model.addUserComment(repoName, 12, maintainer, '/sigstorm cancel');
    await h.deliver(
      'issue_comment',
      issueCommentPayload(h.where, {
        number: 12,
        commentId: cancel.id,
        body: '/sigstorm cancel',
        user: maintainer,
      }),
    );
    const cancelled = await h.standin.waitFor('the run to be cancelled', () =>
      h.checkRuns().find((c) => c.id === started.id && c.status === 'completed'),
    );
    expect(lifecycle(cancelled)).toBe('queued → in_progress → completed:cancelled');
  });
});
