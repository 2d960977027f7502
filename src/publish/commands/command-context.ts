import type { Context } from 'probot';
import type { Services } from '../services.js';

export type CommentContext = Context<'issue_comment.created'>;

/** What a slash command's handler works with: the comment's webhook context and who wrote it. */
export interface CommandContext {
  readonly services: Services;
  readonly context: CommentContext;
  readonly user: string;
  /** The command line as written, e.g. `/sigstorm run iterations=200`. */
  readonly text: string;
  readonly installationId: number;
}

export async function reply(context: CommentContext, body: string): Promise<void> {
  await context.octokit.rest.issues.createComment(context.issue({ body }));
}

export async function react(context: CommentContext, content: '+1' | 'rocket'): Promise<void> {
  await context.octokit.rest.reactions.createForIssueComment(
    context.repo({ comment_id: context.payload.comment.id, content }),
  );
}
