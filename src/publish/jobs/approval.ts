import type { Job } from '../store/job.js';
import type { JobStore } from '../store/job-store.js';
import { isPullEventJob } from './pull-job.js';

/**
 * Whether a comment can approve the pull request's current head: only if that head was the pull
 * request's head when the comment was written, so the maintainer could have read it. Every arrival
 * counts, not a commit's first: a head pushed, replaced and pushed back later arrived again, after
 * the comment, and the comment approves nothing of that later arrival. When a head arrived is the
 * pull request's `updated_at` in the event that brought it (GitHub's clock, the same clock as the
 * comment's `created_at`), recorded with the job that event made.
 */
export type HeadCheck =
  | { readonly ok: true }
  /** The head arrived (again) after (or in the same second as) the comment. */
  | { readonly ok: false; readonly why: 'moved'; readonly pushedAt: string }
  /** The app has not seen this head's latest arrival (its event is still on the way): it cannot vouch for it. */
  | { readonly ok: false; readonly why: 'unseen' };

function arrivedAt(job: Job): string {
  return job.orderKey.split('|')[0] ?? '';
}

export function commentSawHead(
  store: JobStore,
  where: { owner: string; repo: string; pullNumber: number; headSha: string },
  commentCreatedAt: string,
): HeadCheck {
  const arrivals = store
    .forPull(where.owner, where.repo, where.pullNumber)
    .filter((job) => isPullEventJob(job) || job.trigger === 'reconciled');
  // The pull request's latest arrival, whichever head it brought (later events win a tie: store order).
  let latest: Job | undefined;
  for (const job of arrivals) {
    if (latest === undefined || Date.parse(arrivedAt(job)) >= Date.parse(arrivedAt(latest))) latest = job;
  }
  // The head GitHub reports is not the last one seen arrive: its (re)arrival is still on the way.
  if (latest === undefined || latest.headSha !== where.headSha) return { ok: false, why: 'unseen' };
  const pushedAt = arrivedAt(latest);
  const pushed = Date.parse(pushedAt);
  const written = Date.parse(commentCreatedAt);
  // Same second: cannot tell which came first, so not an approval.
  if (Number.isNaN(pushed) || Number.isNaN(written) || written <= pushed) {
    return { ok: false, why: 'moved', pushedAt };
  }
  return { ok: true };
}
