import type { Context } from 'probot';
import { type CommentTarget, reactOnce, replyOnce } from '../github/speak.js';
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
  /** The comment answered: replies and reactions go there, once per delivery. */
  readonly target: CommentTarget;
}

/** A reply to the command's author: once per delivery and rate-limited per person (see speak.ts). */
export async function reply(ctx: CommandContext, body: string): Promise<void> {
  await replyOnce(ctx.services, ctx.context.octokit, ctx.target, ctx.user, body);
}

export async function react(ctx: CommandContext, content: Parameters<typeof reactOnce>[3]): Promise<void> {
  await reactOnce(ctx.services, ctx.context.octokit, ctx.target, content);
}
