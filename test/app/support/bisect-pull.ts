import { runOperations } from './expectations.js';
import { type Harness, maintainer, repoName } from './harness.js';
import { issueCommentPayload, pullRequestPayload } from './payloads.js';

/** What the bisection App tests (test/app/bisect*.test.ts) do on pull request 5 of the test's repository. */

/** The calls a validation, a bisection and a command make. */
export const bisectOperations = [
  ...runOperations,
  'pulls/get',
  'pulls/list-commits',
  'reactions/create-for-issue-comment',
] as const;

/**
 * Pull request 5 with `commits` (oldest first; the last is its head), as GitHub holds it; its
 * `opened` delivery; resolves with the validation's completed check once the App has settled.
 */
export async function openPull(h: Harness, commits: readonly string[]) {
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
export async function threeCommits(h: Harness): Promise<[string, string, string]> {
  const first = await h.fixture.commitPatch('help-text.patch');
  const second = await h.fixture.commitEmpty(first, 'second commit');
  const third = await h.fixture.commitEmpty(second, 'third commit');
  await h.fixture.pullRef(5, third);
  return [first, second, third];
}

/** A maintainer's comment on pull request 5, as GitHub stores it and then delivers it. */
export function comment(h: Harness, body: string) {
  const stored = h.model.addUserComment(repoName, 5, maintainer, body);
  return h.deliver(
    'issue_comment',
    issueCommentPayload(h.where, { number: 5, commentId: stored.id, body, user: maintainer }),
  );
}

export const bisectChecks = (h: Harness) => h.checkRuns('sigstorm bisect');

/** The App's comments on pull request 5 other than the report comment: its replies. */
export const replies = (h: Harness) =>
  h.model
    .botComments(repoName, 5)
    .map((c) => c.body)
    .filter((body) => !body.startsWith('<!-- sigstorm-report -->'));

export const reportCommentOf = (h: Harness) =>
  h.model.botComments(repoName, 5).find((c) => c.body.startsWith('<!-- sigstorm-report -->'))?.body ?? '';
