import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lifecycle, runOperations } from './support/expectations.js';
import { Harness, maintainer, outsider, repoName, scriptedQuietMs, testEnv } from './support/harness.js';
import { checkRunPayload, issueCommentPayload, pullRequestPayload } from './support/payloads.js';

const forkName = 'oscar-outsider/iperf3-fork';
const ago = (seconds: number) => new Date(Date.now() - seconds * 1000).toISOString().replace(/\.\d+Z$/, 'Z');

/** An approval names one commit: the one the maintainer could have read. */
describe('approvals of untrusted code', () => {
  let h: Harness;
  let headA: string;
  let headB: string;
  beforeEach(async () => {
    h = await Harness.create(testEnv);
    headA = await h.fixture.commitPatch('help-text.patch');
    headB = await h.fixture.commitEmpty(headA, 'pushed after the review');
    h.standin.expect(...runOperations, 'pulls/get', 'reactions/create-for-issue-comment');
    await h.startApp();
  });
  afterEach(async () => {
    await h.close();
    expect(h.standin.problems).toEqual([]);
  });

  const pull = (headSha: string) => ({
    number: 31,
    headSha,
    baseSha: h.fixture.baseSha,
    author: outsider,
    headRepo: forkName,
  });

  function onGitHub(headSha: string) {
    h.repo.pulls.set(31, {
      number: 31,
      headSha,
      baseSha: h.fixture.baseSha,
      headRef: 'patch-1',
      baseRef: 'main',
      headRepo: forkName,
      author: outsider,
    });
  }

  function comment(body: string, createdAt?: string) {
    const stored = h.model.addUserComment(repoName, 31, maintainer, body);
    return h.deliver(
      'issue_comment',
      issueCommentPayload(h.where, {
        number: 31,
        commentId: stored.id,
        body,
        user: maintainer,
        ...(createdAt ? { createdAt } : {}),
      }),
    );
  }

  it('the push-after-approval probe: a comment written before the head moved runs nothing and says why', async () => {
    onGitHub(headA);
    await h.deliver(
      'pull_request',
      pullRequestPayload('opened', h.where, { ...pull(headA), updatedAt: ago(60) }),
    );
    // The maintainer reads A and writes the comment; before it arrives, the author pushes B.
    const writtenAt = ago(30);
    onGitHub(headB);
    await h.deliver(
      'pull_request',
      pullRequestPayload('synchronize', h.where, { ...pull(headB), updatedAt: ago(10) }),
    );
    await comment('/sigstorm run', writtenAt);
    await h.settle(scriptedQuietMs);
    // Nothing was queued: A's check was superseded by B's push, B still waits for an approval.
    expect(h.checkRuns().map((c) => [c.headSha, lifecycle(c)])).toEqual([
      [headA, 'completed:action_required → completed:cancelled'],
      [headB, 'completed:action_required'],
    ]);
    const replies = h.model.botComments(repoName, 31).map((c) => c.body);
    expect(replies).toHaveLength(1);
    expect(replies[0]).toContain(`the pull request's head moved to \`${headB.slice(0, 7)}\``);
    expect(replies[0]).toContain('after your comment was written');
    // A comment inside a code block approves nothing either.
    await comment('To approve, a maintainer writes:\n```\n/sigstorm run\n```');
    await h.settle(500);
    expect(h.checkRuns()).toHaveLength(2);
  });

  it('the force-push-back probe: approving B does not run A when A returns; A arrived again after the comment', async () => {
    onGitHub(headA);
    await h.deliver(
      'pull_request',
      pullRequestPayload('opened', h.where, { ...pull(headA), updatedAt: ago(60) }),
    );
    onGitHub(headB);
    await h.deliver(
      'pull_request',
      pullRequestPayload('synchronize', h.where, { ...pull(headB), updatedAt: ago(40) }),
    );
    // The maintainer reads B and approves it; before the comment is handled, A is force-pushed back.
    const writtenAt = ago(20);
    onGitHub(headA);
    await h.deliver(
      'pull_request',
      pullRequestPayload('synchronize', h.where, { ...pull(headA), updatedAt: ago(10) }),
    );
    await comment('/sigstorm run', writtenAt);
    await h.settle(scriptedQuietMs);
    // Nothing was queued: A and B were each superseded, A's return waits for its own approval.
    expect(h.checkRuns().map((c) => [c.headSha, lifecycle(c)])).toEqual([
      [headA, 'completed:action_required → completed:cancelled'],
      [headB, 'completed:action_required → completed:cancelled'],
      [headA, 'completed:action_required'],
    ]);
    const replies = h.model.botComments(repoName, 31).map((c) => c.body);
    expect(replies).toHaveLength(1);
    expect(replies[0]).toContain(`the pull request's head moved to \`${headA.slice(0, 7)}\``);
  });

  it('a head back on GitHub before its event reaches the App is not vouched for by its first arrival', async () => {
    onGitHub(headA);
    await h.deliver(
      'pull_request',
      pullRequestPayload('opened', h.where, { ...pull(headA), updatedAt: ago(60) }),
    );
    onGitHub(headB);
    await h.deliver(
      'pull_request',
      pullRequestPayload('synchronize', h.where, { ...pull(headB), updatedAt: ago(40) }),
    );
    // A is force-pushed back; its synchronize event is still on the way when the comment is handled.
    onGitHub(headA);
    await comment('/sigstorm run', ago(5));
    await h.settle(scriptedQuietMs);
    expect(h.checkRuns().map((c) => [c.headSha, lifecycle(c)])).toEqual([
      [headA, 'completed:action_required → completed:cancelled'],
      [headB, 'completed:action_required'],
    ]);
    const replies = h.model.botComments(repoName, 31).map((c) => c.body);
    expect(replies).toHaveLength(1);
    expect(replies[0]).toContain(`it has not yet seen commit \`${headA.slice(0, 7)}\` arrive`);
  });

  it('rerun reruns the last approved commit, never the head pushed since', async () => {
    onGitHub(headA);
    await h.deliver(
      'pull_request',
      pullRequestPayload('opened', h.where, { ...pull(headA), updatedAt: ago(60) }),
    );
    const waiting = h.checkRuns()[0];
    await h.deliver(
      'check_run',
      checkRunPayload('requested_action', h.where, {
        checkRunId: waiting?.id ?? 0,
        headSha: headA,
        user: maintainer,
        identifier: 'approve-run',
      }),
    );
    onGitHub(headB);
    await h.deliver(
      'pull_request',
      pullRequestPayload('synchronize', h.where, { ...pull(headB), updatedAt: ago(10) }),
    );
    await comment('/sigstorm rerun');
    const rerun = await h.standin.waitFor('the rerun of A', () =>
      h.checkRuns().find((c) => c.history[0]?.summary?.includes('(/sigstorm rerun)')),
    );
    expect(rerun.headSha).toBe(headA);
    // B still waits for its own approval.
    expect(
      h
        .checkRuns()
        .filter((c) => c.headSha === headB)
        .map(lifecycle),
    ).toEqual(['completed:action_required']);
    await comment('/sigstorm cancel');
    await h.standin.waitFor('the rerun to be cancelled', () =>
      h.checkRuns().find((c) => c.id === rerun.id && c.status === 'completed'),
    );
    expect(h.checkRuns().filter((c) => c.status !== 'completed')).toEqual([]);
  });
});
