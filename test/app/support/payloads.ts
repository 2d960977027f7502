import { type Payload, webhookExample } from '../../support/github-standin/webhooks.js';

/** GitHub's example payloads, adapted to the test's repository, installation, commits and people. */

export interface Where {
  /** `owner/repo` */
  readonly repo: string;
  readonly installationId: number;
}

function place<P extends { repository?: unknown; installation?: unknown }>(payload: P, where: Where): P {
  const [owner = '', name = ''] = where.repo.split('/');
  const repository = payload.repository as {
    full_name: string;
    name: string;
    clone_url: string;
    owner: { login: string };
  };
  repository.full_name = where.repo;
  repository.name = name;
  repository.owner.login = owner;
  repository.clone_url = `https://github.invalid/${where.repo}.git`;
  payload.installation = { id: where.installationId, node_id: `I_${where.installationId}` };
  return payload;
}

export interface PullFields {
  readonly number: number;
  readonly headSha: string;
  readonly baseSha: string;
  readonly author: string;
  /** `owner/repo` of the head branch: a fork when it differs from the repository. */
  readonly headRepo?: string;
  /** GitHub's updated_at of the pull request (every push and reopen changes it); the example's when absent. */
  readonly updatedAt?: string;
}

export function pullRequestPayload(
  action: 'opened' | 'synchronize' | 'reopened' | 'closed',
  where: Where,
  pull: PullFields,
): Payload<'pull_request'> {
  const payload = place(
    webhookExample('pull_request', action, (p) => 'installation' in p),
    where,
  ) as Payload<'pull_request'> & { pull_request: PullShape; number: number; sender: { login: string } };
  const pr = payload.pull_request;
  payload.number = pull.number;
  pr.number = pull.number;
  pr.user.login = pull.author;
  payload.sender.login = pull.author;
  pr.head.sha = pull.headSha;
  pr.head.ref = 'feature';
  pr.base.sha = pull.baseSha;
  pr.base.ref = 'main';
  pr.base.repo.full_name = where.repo;
  pr.updated_at = pull.updatedAt ?? firstSeen(`${where.repo}#${pull.number}@${pull.headSha}`);
  const headRepo = pull.headRepo ?? where.repo;
  if (pr.head.repo) {
    pr.head.repo.full_name = headRepo;
    pr.head.repo.fork = headRepo !== where.repo;
  }
  return payload;
}

/**
 * GitHub's updated_at of a head: when a test first builds a payload for it (later than the example's
 * 2019 dates); the same event built twice carries the same.
 */
const seen = new Map<string, string>();
function firstSeen(key: string): string {
  // Two seconds back: a comment written right after the event is, on GitHub's second-resolution clock, after it.
  const at = seen.get(key) ?? new Date(Date.now() - 2000).toISOString().replace(/\.\d+Z$/, 'Z');
  seen.set(key, at);
  return at;
}

interface PullShape {
  number: number;
  updated_at: string;
  user: { login: string };
  head: { sha: string; ref: string; repo: { full_name: string; fork: boolean } | null };
  base: { sha: string; ref: string; repo: { full_name: string } };
}

export interface CommentFields {
  readonly number: number;
  readonly commentId: number;
  readonly body: string;
  readonly user: string;
  readonly userType?: 'User' | 'Bot';
  /** When the comment was written (GitHub's created_at); now when absent. */
  readonly createdAt?: string;
}

export function issueCommentPayload(where: Where, comment: CommentFields): Payload<'issue_comment'> {
  const payload = place(webhookExample('issue_comment', 'created'), where) as Payload<'issue_comment'> & {
    issue: { number: number; pull_request?: object };
    comment: {
      id: number;
      body: string;
      created_at: string;
      updated_at: string;
      user: { login: string; type: string };
    };
    sender: { login: string; type: string };
  };
  payload.issue.number = comment.number;
  // The examples are comments on issues; on a pull request, `issue.pull_request` is present.
  payload.issue.pull_request = {
    url: `https://github.invalid/api/repos/${where.repo}/pulls/${comment.number}`,
    html_url: `https://github.invalid/${where.repo}/pull/${comment.number}`,
    diff_url: `https://github.invalid/${where.repo}/pull/${comment.number}.diff`,
    patch_url: `https://github.invalid/${where.repo}/pull/${comment.number}.patch`,
  };
  payload.comment.id = comment.commentId;
  payload.comment.body = comment.body;
  payload.comment.created_at = comment.createdAt ?? new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  payload.comment.updated_at = payload.comment.created_at;
  payload.comment.user.login = comment.user;
  payload.comment.user.type = comment.userType ?? 'User';
  payload.sender.login = comment.user;
  payload.sender.type = comment.userType ?? 'User';
  return payload;
}

export function checkRunPayload(
  action: 'rerequested' | 'requested_action',
  where: Where,
  fields: { checkRunId: number; headSha: string; user: string; identifier?: string },
): Payload<'check_run'> {
  const payload = place(webhookExample('check_run', action), where) as Payload<'check_run'> & {
    check_run: { id: number; head_sha: string };
    requested_action?: { identifier: string };
    sender: { login: string; type: string };
  };
  payload.check_run.id = fields.checkRunId;
  payload.check_run.head_sha = fields.headSha;
  if (fields.identifier !== undefined) payload.requested_action = { identifier: fields.identifier };
  payload.sender.login = fields.user;
  payload.sender.type = 'User';
  return payload;
}

export function releasePublishedPayload(where: Where, tag: string, user: string): Payload<'release'> {
  const payload = place(webhookExample('release', 'published'), where) as Payload<'release'> & {
    release: { tag_name: string; name: string; prerelease: boolean; draft: boolean };
    sender: { login: string };
  };
  payload.release.tag_name = tag;
  payload.release.name = tag;
  payload.release.prerelease = false;
  payload.release.draft = false;
  payload.sender.login = user;
  return payload;
}

export function tagPushPayload(where: Where, tag: string, sha: string, user: string): Payload<'push'> {
  const payload = place(
    webhookExample('push', undefined, (p) => p.ref.startsWith('refs/tags/') && p.created),
    where,
  ) as Payload<'push'> & { ref: string; after: string; sender: { login: string } };
  payload.ref = `refs/tags/${tag}`;
  payload.after = sha;
  payload.sender.login = user;
  return payload;
}

/** A push of `sha` to `branch`; the repository's default branch is `main`. */
export function branchPushPayload(where: Where, branch: string, sha: string, user: string): Payload<'push'> {
  const payload = place(
    webhookExample('push', undefined, (p) => p.ref.startsWith('refs/heads/') && !p.deleted),
    where,
  ) as Payload<'push'> & {
    ref: string;
    after: string;
    repository: { default_branch: string };
    sender: { login: string };
  };
  payload.ref = `refs/heads/${branch}`;
  payload.after = sha;
  payload.repository.default_branch = 'main';
  payload.sender.login = user;
  return payload;
}
