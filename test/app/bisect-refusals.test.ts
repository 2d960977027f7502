/**
 * `/sigstorm bisect` refused (one commit, too many, no cells to storm) and a bisection that survives
 * a restart, in the App as operators run it, on a scripted validation and a scripted bisection
 * (as test/app/bisect.test.ts).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { commandLines } from '../../src/publish/commands/command-lines.js';
import { lifecycle, runOperations } from './support/expectations.js';
import {
  Harness,
  maintainer,
  repoName,
  scriptedShortRun,
  shortMs,
  testEnv,
  untilStoppedMs,
} from './support/harness.js';
import { issueCommentPayload, pullRequestPayload } from './support/payloads.js';

const operations = [
  ...runOperations,
  'pulls/get',
  'pulls/list-commits',
  'reactions/create-for-issue-comment',
] as const;
const regression = { ...scriptedShortRun, outcome: 'regression' } as const;

describe('bisecting a pull request in the App: refusals and restarts', () => {
  let h: Harness;
  afterEach(async () => {
    await h.close();
    expect(h.standin.problems).toEqual([]);
  });

  /** Pull request 5 with `commits` (oldest first; the last is its head), as GitHub holds it, and its `opened` delivery. */
  async function openPull(commits: readonly string[]) {
    const head = commits.at(-1) ?? '';
    h.repo.pulls.set(5, {
      number: 5,
      headSha: head,
      baseSha: h.fixture.baseSha,
      headRef: 'feature',
      baseRef: 'main',
      headRepo: repoName,
      author: maintainer,
      commits,
    });
    await h.deliver(
      'pull_request',
      pullRequestPayload('opened', h.where, {
        number: 5,
        headSha: head,
        baseSha: h.fixture.baseSha,
        author: maintainer,
      }),
    );
    const validation = await h.standin.waitFor('the validation to complete', () =>
      h.checkRuns().find((c) => c.headSha === head && c.status === 'completed'),
    );
    await h.settle(700);
    return validation;
  }

  /** Three commits: the help-text patch, then two more (same tree: no new builds anywhere). */
  async function threeCommits(): Promise<string[]> {
    const first = await h.fixture.commitPatch('help-text.patch');
    const second = await h.fixture.commitEmpty(first, 'second commit');
    const third = await h.fixture.commitEmpty(second, 'third commit');
    await h.fixture.pullRef(5, third);
    return [first, second, third];
  }

  function comment(body: string) {
    const stored = h.model.addUserComment(repoName, 5, maintainer, body);
    return h.deliver(
      'issue_comment',
      issueCommentPayload(h.where, { number: 5, commentId: stored.id, body, user: maintainer }),
    );
  }

  const bisectChecks = () => h.checkRuns('sigstorm bisect');
  const replies = () =>
    h.model
      .botComments(repoName, 5)
      .map((c) => c.body)
      .filter((body) => !body.startsWith('<!-- sigstorm-report -->'));

  it('one commit, or 33: no button, and a reply that says why; no regression and no cells named: a reply that says what to name', async () => {
    h = await Harness.create(testEnv, regression, { firstBad: 1, ms: shortMs });
    h.standin.expect(...operations);
    await h.startApp();
    const head = await h.fixture.commitPatch('help-text.patch');
    await h.fixture.pullRef(5, head);
    const validation = await openPull([head]);
    expect(validation.actions).toEqual([expect.objectContaining({ identifier: 'iterations-x10' })]);
    await comment('/sigstorm bisect');
    expect(replies()).toEqual([
      [
        '@maya-maintainer sigstorm did not bisect: this pull request has one commit, so there is nothing to bisect.',
        "Its validation's verdict is already that commit's: `/sigstorm run` validates it again.",
      ].join('\n'),
    ]);
    const pull = h.repo.pulls.get(5);
    if (!pull) throw new Error('pull request 5 is gone');
    pull.commits = Array.from({ length: 33 }, (_, i) =>
      i === 32 ? head : `${String(i).padStart(2, '0')}${'a'.repeat(38)}`,
    );
    await comment('/sigstorm bisect');
    expect(replies()[1]).toBe(
      [
        '@maya-maintainer sigstorm did not bisect: this pull request has 33 commits; the App bisects at most 32.',
        'Bisect it on a machine of your own: `sigstorm bisect --repo <clone> --good <base> --bad <head>` (docs/bisect.md),',
        'or split the pull request.',
      ].join('\n'),
    );
    expect(bisectChecks()).toEqual([]);
    expect(await h.bisections()).toEqual([]);
    expect(commandLines(replies().join('\n')).some((line) => line.startsWith('/sigstorm'))).toBe(false);
  });

  it('no regression found: named workloads are bisected with the config’s variants; restarted mid-bisection, it runs again and finishes', async () => {
    h = await Harness.create(testEnv, scriptedShortRun, { firstBad: null, ms: [untilStoppedMs, shortMs] });
    h.standin.expect(...operations);
    await h.startApp();
    const commits = await threeCommits();
    await openPull(commits);
    await comment('/sigstorm bisect');
    expect(replies()).toEqual([
      [
        `@maya-maintainer sigstorm did not bisect: no validation of \`${commits[2]?.slice(0, 7)}\` found a stability regression, so it does not know which cells to storm.`,
        'Name them: `/sigstorm bisect workloads=a,b variants=plain` (`/sigstorm help` lists the workloads).',
      ].join('\n'),
    ]);
    await comment('/sigstorm bisect workloads=server-burst');
    await h.waitForBisections(1);
    // Stopped as operators stop it: the job goes back to the queue, and runs again on the next start.
    await h.app.kill('SIGTERM');
    await h.startApp();
    const done = await h.standin.waitFor('the bisection to complete after the restart', () =>
      bisectChecks().find((c) => c.status === 'completed'),
    );
    expect(bisectChecks()).toHaveLength(1);
    expect(lifecycle(done)).toBe('queued → in_progress → queued → in_progress → completed:neutral');
    expect(done.output.title).toMatch(/^No regression to bisect: scripted; certainty 98\.3%$/);
    const asked = await h.bisections();
    expect(asked).toHaveLength(2);
    for (const a of asked) {
      expect(a).toMatchObject({ workloads: ['server-burst'], variants: ['plain'], observedRise: null });
    }
  });
});
