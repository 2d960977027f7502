import { cancelJob } from '../jobs/cancel-job.js';
import { nothingToCancelReply } from '../messages/replies.js';
import { type CommandContext, react, reply } from './command-context.js';

/** `cancel`: stops every queued or running job of the pull request, saying who stopped it. */
export async function cancelCommand({ services, context, user }: CommandContext): Promise<void> {
  const { owner, repo } = context.repo();
  const active = services.store.activeForPull(owner, repo, context.payload.issue.number);
  if (active.length === 0) {
    await reply(context, nothingToCancelReply(user));
    return;
  }
  await react(context, '+1');
  for (const job of active) {
    await cancelJob(services, context.octokit, job, `Cancelled by @${user} with \`/sigstorm cancel\`.`);
  }
}
