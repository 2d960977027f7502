import { cancelJob } from '../jobs/cancel-job.js';
import { nothingToCancelReply } from '../messages/replies.js';
import { type CommandContext, react, reply } from './command-context.js';

/** `cancel`: stops every queued or running job of the pull request, saying who stopped it. */
export async function cancelCommand(ctx: CommandContext): Promise<void> {
  const { services, context, user } = ctx;
  const { owner, repo } = context.repo();
  const active = services.store.activeForPull(owner, repo, context.payload.issue.number);
  if (active.length === 0) {
    await reply(ctx, nothingToCancelReply(user));
    return;
  }
  await react(ctx, '+1');
  for (const job of active) {
    await cancelJob(services, context.octokit, job, `Cancelled by @${user} with \`/sigstorm cancel\`.`);
  }
}
