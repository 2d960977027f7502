import { afterEach, describe, expect, it } from 'vitest';
import { processesMatching } from '../support/stray-processes.js';
import { lifecycle, runOperations, shortRunConclusion } from './support/expectations.js';
import {
  Harness,
  maintainer,
  outsider,
  repoName,
  scriptedShortRun,
  scriptedUntilStopped,
  shortMs,
  testEnv,
  untilStoppedMs,
  type Validation,
} from './support/harness.js';
import { checkRunPayload, issueCommentPayload, pullRequestPayload } from './support/payloads.js';

const commandOperations = [...runOperations, 'pulls/get', 'reactions/create-for-issue-comment'] as const;

describe('slash commands', () => {
  let h: Harness;
  let head: string;
  /** Pull request 5 (by a maintainer) at `sha`, as GitHub holds it. */
  function setPull(sha: string) {
    h.repo.pulls.set(5, {
      number: 5,
      headSha: sha,
      baseSha: h.fixture.baseSha,
      headRef: 'feature',
      baseRef: 'main',
      headRepo: repoName,
      author: maintainer,
    });
  }

  /** Its `opened` delivery. */
  function openPull(sha: string) {
    return h.deliver(
      'pull_request',
      pullRequestPayload('opened', h.where, {
        number: 5,
        headSha: sha,
        baseSha: h.fixture.baseSha,
        author: maintainer,
      }),
    );
  }

  async function setUp(validation: Validation = scriptedShortRun) {
    h = await Harness.create(testEnv, validation);
    head = await h.fixture.commitPatch('help-text.patch');
    setPull(head);
  }
  afterEach(async () => {
    await h.close();
    expect(h.standin.problems).toEqual([]);
  });

  /** Posts a comment as GitHub would: it exists in the repository, then the webhook arrives. */
  function comment(user: string, body: string, userType: 'User' | 'Bot' = 'User') {
    const stored = h.model.addUserComment(repoName, 5, user, body);
    return h.deliver(
      'issue_comment',
      issueCommentPayload(h.where, { number: 5, commentId: stored.id, body, user, userType }),
    );
  }

  function replies(): string[] {
    return h.model.botComments(repoName, 5).map((c) => c.body);
  }

  it('/sigstorm run iterations=200 by a maintainer: acknowledged with a reaction, then run with those settings', async () => {
    // The first run finishes; the ones started again below last until they are cancelled.
    await setUp({ ...scriptedShortRun, ms: [shortMs, untilStoppedMs] });
    h.standin.expect(...commandOperations);
    await h.startApp();
    const delivery = await comment(maintainer, 'Please check again.\n/sigstorm run iterations=200');
    expect(delivery.status).toBe(200);
    expect(h.model.reactions).toEqual([{ commentId: expect.any(Number), content: 'rocket' }]);
    const check = await h.standin.waitFor('the run to complete', () =>
      h.checkRuns().find((c) => c.status === 'completed'),
    );
    expect(lifecycle(check)).toBe(`queued → in_progress → completed:${shortRunConclusion}`);
    expect(check.history[0]?.summary).toContain(
      'Asked for iterations=200. Requested by @maya-maintainer (/sigstorm run).',
    );
    // The permission was asked of the API, for the commenter, then for the pull request's author
    // (whether its code is trusted: untrusted code runs only a head the comment was written after).
    expect(
      h.standin.callsOf('repos/get-collaborator-permission-level').map((c) => c.params.username),
    ).toEqual([maintainer, maintainer]);
    expect(replies()).toHaveLength(1);
    expect(replies()[0]?.startsWith('<!-- sigstorm-report -->')).toBe(true);

    // Then the check's buttons and /sigstorm rerun: each starts a new run of the same commit with
    // the right settings (cancelled once started: the runs themselves are covered above).
    const again = async (what: string, send: () => Promise<unknown>) => {
      const before = h.checkRuns().length;
      await send();
      const started = await h.standin.waitFor(`${what} to start`, () =>
        h.checkRuns().length > before ? h.checkRuns().at(-1) : undefined,
      );
      await h.standin.waitFor(`${what} to be in progress`, () => started.status === 'in_progress');
      await comment(maintainer, '/sigstorm cancel');
      const cancelled = await h.standin.waitFor(`${what} to be cancelled`, () =>
        h.checkRuns().find((c) => c.id === started.id && c.status === 'completed'),
      );
      expect(lifecycle(cancelled)).toBe('queued → in_progress → completed:cancelled');
      expect(started.headSha).toBe(head);
      return started.history[0]?.summary ?? '';
    };
    const tenfold = await again('10× iterations', () =>
      h.deliver(
        'check_run',
        checkRunPayload('requested_action', h.where, {
          checkRunId: check.id,
          headSha: head,
          user: maintainer,
          identifier: 'iterations-x10',
        }),
      ),
    );
    expect(tenfold).toContain('Asked for iterations=2000. Requested by @maya-maintainer (10× iterations).');
    const rerun = await again('Re-run', () =>
      h.deliver(
        'check_run',
        checkRunPayload('rerequested', h.where, { checkRunId: check.id, headSha: head, user: maintainer }),
      ),
    );
    expect(rerun).toContain('Asked for iterations=200. Requested by @maya-maintainer (Re-run).');
    const slashRerun = await again('/sigstorm rerun', () => comment(maintainer, '/sigstorm rerun'));
    // rerun repeats the settings of the pull request's last run (the Re-run above).
    expect(slashRerun).toContain(
      'Asked for iterations=200. Requested by @maya-maintainer (/sigstorm rerun).',
    );
    expect(h.model.reactions.map((r) => r.content)).toEqual(['rocket', '+1', '+1', 'rocket', '+1']);
  });

  it('a user without write permission gets a reaction, never a reply, whatever the command; nothing runs', async () => {
    await setUp();
    h.standin.expect(
      'apps/create-installation-access-token',
      'repos/get-collaborator-permission-level',
      'reactions/create-for-issue-comment',
    );
    await h.startApp();
    await comment(outsider, '/sigstorm run');
    await comment(outsider, '/sigstorm cancel');
    await comment(outsider, '/sigstorm help');
    await comment(outsider, '/sigstorm @octo-org/security');
    await h.settle(500);
    expect(h.checkRuns()).toEqual([]);
    expect(replies()).toEqual([]);
    expect(h.model.reactions.map((r) => r.content)).toEqual(['confused', 'confused', 'confused', 'confused']);
  });

  it('answers a maintainer: a bad command with what was wrong (no mention echoed), help with the usage; a redelivery answers nothing more', async () => {
    await setUp();
    h.standin.expect(
      'apps/create-installation-access-token',
      'repos/get-collaborator-permission-level',
      'issues/create-comment',
    );
    await h.startApp();
    const bad = await comment(maintainer, '/sigstorm run iterations=lots');
    await comment(maintainer, '/sigstorm help');
    const team = await comment(maintainer, '/sigstorm @octo-org/security');
    // GitHub redelivers the bad command: it was answered already.
    const stored = [...h.model.comments.values()].find((c) => c.body === '/sigstorm run iterations=lots');
    await h.deliver(
      'issue_comment',
      issueCommentPayload(h.where, {
        number: 5,
        commentId: stored?.id ?? 0,
        body: '/sigstorm run iterations=lots',
        user: maintainer,
      }),
      bad.id,
    );
    expect(team.status).toBe(200);
    await h.settle(500);
    expect(h.checkRuns()).toEqual([]);
    const [usage, help, unknown, ...more] = replies();
    expect(more).toEqual([]);
    expect(usage).toMatchInlineSnapshot(`
      "@maya-maintainer sigstorm did not run \`/sigstorm run iterations=lots\`:

      - iterations must be a whole number, not "lots"

      Usage:
      \`\`\`
      /sigstorm run [workloads=a,b] [iterations=N] [variants=plain,asan,tsan]
      /sigstorm rerun
      /sigstorm bisect [workloads=a,b] [variants=plain,asan,tsan]
      /sigstorm cancel
      /sigstorm help
      \`\`\`"
    `);
    expect(help).toContain('@maya-maintainer sigstorm validates this pull request');
    expect(help).toContain('`server-burst`');
    // The team is named as written, but GitHub sees no mention in it.
    expect(unknown).toContain('unknown command "@\u200bocto-org/security"');
    expect(unknown).not.toMatch(/@octo-org/);
  });

  it('ignores comments by bots, comments without a command, comments on issues and edited comments', async () => {
    await setUp();
    // Nothing is expected: any request at all would be a problem.
    await h.startApp();
    await comment('other-app[bot]', '/sigstorm run', 'Bot');
    await comment(maintainer, 'Nice work! We could /sigstorm this later.');
    const onIssue = issueCommentPayload(h.where, {
      number: 5,
      commentId: 1,
      body: '/sigstorm run',
      user: maintainer,
    });
    delete (onIssue.issue as { pull_request?: object }).pull_request;
    expect((await h.deliver('issue_comment', onIssue)).status).toBe(200);
    // An edited comment must not start a run again: the App does not even subscribe to edits.
    const edited = {
      ...issueCommentPayload(h.where, { number: 5, commentId: 2, body: '/sigstorm run', user: maintainer }),
      action: 'edited',
    };
    expect((await h.deliver('issue_comment', edited)).status).toBe(200);
    await h.settle(500);
    expect(h.standin.calls).toEqual([]);
  });

  it('/sigstorm cancel stops the running validation; its check says who cancelled it', async () => {
    // A validation that lasts until it is cancelled.
    await setUp(scriptedUntilStopped);
    h.standin.expect(...commandOperations);
    await h.startApp();
    await openPull(head);
    await h.standin.waitFor('the run to be in progress', () =>
      h.checkRuns().find((c) => c.status === 'in_progress'),
    );
    await comment(maintainer, '/sigstorm cancel');
    const check = await h.standin.waitFor('the run to be cancelled', () =>
      h.checkRuns().find((c) => c.status === 'completed'),
    );
    expect(lifecycle(check)).toBe('queued → in_progress → completed:cancelled');
    expect(check.output.summary).toContain('Cancelled by @maya-maintainer with `/sigstorm cancel`.');
    expect(h.model.reactions.map((r) => r.content)).toEqual(['+1']);
  });

  it('/sigstorm cancel stops a build that never ends within seconds, and nothing of it is left', async () => {
    // A real build this time: the App of the other tests validates by script.
    h = await Harness.create(testEnv, 'storms');
    // The bootstrap hangs (in the sandbox): what a PR's careless or hostile build can do. The base
    // hangs as well, so whichever side builds first (both in the same sandbox) never ends: nothing
    // is built for real, whatever the cache holds.
    const marker = '7211.5';
    const base = await h.fixture.commitFiles(
      { 'bootstrap.sh': `#!/bin/sh\nset -e\ncd "$(dirname "$0")"\nsleep ${marker}\nautoreconf -fi\n` },
      'bootstrap: wait for a lock that never comes',
    );
    const hanging = await h.fixture.commitEmpty(base, 'a change on top');
    h.repo.pulls.set(5, {
      number: 5,
      headSha: hanging,
      baseSha: base,
      headRef: 'feature',
      baseRef: 'main',
      headRepo: repoName,
      author: maintainer,
    });
    h.standin.expect(...commandOperations);
    await h.startApp();
    await h.deliver(
      'pull_request',
      pullRequestPayload('opened', h.where, {
        number: 5,
        headSha: hanging,
        baseSha: base,
        author: maintainer,
      }),
    );
    const deadline = Date.now() + 60_000;
    while ((await processesMatching(`sleep ${marker}`)).length === 0) {
      if (Date.now() > deadline) throw new Error('the hanging bootstrap never started');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const asked = performance.now();
    await comment(maintainer, '/sigstorm cancel');
    const check = await h.standin.waitFor('the run to be cancelled', () =>
      h.checkRuns().find((c) => c.status === 'completed'),
    );
    expect(performance.now() - asked).toBeLessThan(20_000);
    expect(lifecycle(check)).toBe('queued → in_progress → completed:cancelled');
    expect(await processesMatching(`sleep ${marker}`)).toEqual([]);
  });
});
