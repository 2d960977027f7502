import { redact } from '../messages/redact.js';
import type { Services } from '../services.js';
import type { Octokit } from './octokit.js';

/** At most this many replies to one person per hour; more commands get a reaction only. */
export const repliesPerUserPerHour = 10;

export interface CommentTarget {
  readonly owner: string;
  readonly repo: string;
  readonly issueNumber: number;
  /** The delivery being answered: a retry or redelivery of it never answers twice. */
  readonly deliveryId: string;
  readonly commentId: number;
}

/**
 * A reply to a person's command: once per delivery, and rate-limited per person (beyond the limit
 * the comment gets an `eyes` reaction instead). Returns whether a reply was written.
 */
export async function replyOnce(
  services: Services,
  octokit: Octokit,
  target: CommentTarget,
  user: string,
  body: string,
): Promise<boolean> {
  const key = `reply:${user.toLowerCase()}:`;
  const { deliveries } = services.store;
  const recent = deliveries.effectsSince(key, new Date(Date.now() - 3_600_000));
  if (recent >= repliesPerUserPerHour) {
    services.log.warn({ user, recent }, 'sigstorm: reply rate limit reached; reacting instead');
    await reactOnce(services, octokit, target, 'eyes');
    return false;
  }
  return deliveries.once(target.deliveryId, key, async () => {
    await octokit.rest.issues.createComment({
      owner: target.owner,
      repo: target.repo,
      issue_number: target.issueNumber,
      body: redact(body),
    });
  });
}

export async function reactOnce(
  services: Services,
  octokit: Octokit,
  target: CommentTarget,
  content: '+1' | 'rocket' | 'confused' | 'eyes',
): Promise<void> {
  await services.store.deliveries.once(target.deliveryId, `reaction:${content}`, async () => {
    await octokit.rest.reactions.createForIssueComment({
      owner: target.owner,
      repo: target.repo,
      comment_id: target.commentId,
      content,
    });
  });
}
