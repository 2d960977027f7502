import { commentSawHead } from '../jobs/approval.js';
import { headMovedReply } from '../messages/approval-replies.js';
import { type CommandContext, reply } from './command-context.js';

/**
 * For untrusted code, the head a command may run: the one the maintainer could have read, never one
 * pushed since the comment was written. True when the pull request's head is that one; otherwise the
 * reply says why not, and false.
 */
export async function commentApprovesHead(
  ctx: CommandContext,
  pull: { readonly number: number; readonly head: { readonly sha: string } },
): Promise<boolean> {
  const { owner, repo } = ctx.context.repo();
  const seen = commentSawHead(
    ctx.services.store,
    { owner, repo, pullNumber: pull.number, headSha: pull.head.sha },
    ctx.context.payload.comment.created_at,
  );
  if (seen.ok) return true;
  await reply(ctx, headMovedReply(ctx.user, pull.head.sha, seen));
  return false;
}
