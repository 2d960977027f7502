import type { Octokit } from '../github/octokit.js';
import { canWrite } from '../github/permission.js';
import type { UntrustedReason } from '../store/job.js';
import { forkReason, type PullInfo } from './pull-job.js';

/**
 * Why the pull request's code is untrusted (a fork, or an author without write access), if it is.
 * `author` is who wrote the code; without one (a deleted account) the code is untrusted.
 */
export async function untrustedReason(
  octokit: Octokit,
  where: { readonly owner: string; readonly repo: string },
  pull: PullInfo,
  author: string | undefined,
): Promise<UntrustedReason | undefined> {
  const fork = forkReason(pull);
  if (fork) return fork;
  if (author && (await canWrite(octokit, where.owner, where.repo, author))) return undefined;
  return { kind: 'permission', author: author ?? 'a deleted account' };
}
