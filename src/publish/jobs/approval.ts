import type { JobStore } from '../store/job-store.js';
import { isPullEventJob } from './pull-job.js';

/**
 * Whether a comment can approve the pull request's current head: only if the comment was written
 * after that head reached the pull request, so the maintainer could have read it. When the head
 * arrived is the pull request's `updated_at` in the event that brought it (GitHub's clock, the same
 * clock as the comment's `created_at`), as recorded with the head's first job.
 */
export type HeadCheck =
  | { readonly ok: true }
  /** The head was pushed after (or in the same second as) the comment. */
  | { readonly ok: false; readonly why: 'moved'; readonly pushedAt: string }
  /** The app has not seen this head arrive (its event is still on the way): it cannot vouch for it. */
  | { readonly ok: false; readonly why: 'unseen' };

export function commentSawHead(
  store: JobStore,
  where: { owner: string; repo: string; pullNumber: number; headSha: string },
  commentCreatedAt: string,
): HeadCheck {
  const arrival = store
    .forHead(where.owner, where.repo, where.pullNumber, where.headSha)
    .find((job) => isPullEventJob(job) || job.trigger === 'reconciled');
  if (!arrival) return { ok: false, why: 'unseen' };
  const pushedAt = arrival.orderKey.split('|')[0] ?? '';
  const pushed = Date.parse(pushedAt);
  const written = Date.parse(commentCreatedAt);
  // Same second: cannot tell which came first, so not an approval.
  if (Number.isNaN(pushed) || Number.isNaN(written) || written <= pushed) {
    return { ok: false, why: 'moved', pushedAt };
  }
  return { ok: true };
}
