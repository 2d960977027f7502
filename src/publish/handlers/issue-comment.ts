import type { Context } from 'probot';
import { parseComment, type SlashCommand } from '../commands/parse-command.js';
import { canWrite } from '../github/permission.js';
import { cancelJob } from '../jobs/cancel-job.js';
import { enqueue } from '../jobs/enqueue.js';
import { pullJob } from '../jobs/pull-job.js';
import { helpReply, invalidCommandReply, nothingToCancelReply, refusalReply } from '../messages/replies.js';
import type { Services } from '../services.js';

type CommentContext = Context<'issue_comment.created'>;

/**
 * `/sigstorm …` in a new pull-request comment. Edited comments are not subscribed to (an edit must
 * not start a run again) and comments by bots are ignored (no loops with other bots, or with our own).
 */
export function onIssueComment(services: Services) {
  return async (context: CommentContext): Promise<void> => {
    const { comment, issue, sender, installation } = context.payload;
    if (sender.type === 'Bot' || !issue.pull_request || !installation) return;
    const parsed = parseComment(comment.body, await services.knownWorkloads());
    if (parsed.kind === 'none') return;
    const user = sender.login;
    if (parsed.kind === 'invalid') {
      await reply(context, invalidCommandReply(user, parsed.text, parsed.problems));
      return;
    }
    const { command } = parsed;
    if (command.name === 'help') {
      await reply(context, helpReply(user, await services.knownWorkloads()));
      return;
    }
    const { owner, repo } = context.repo();
    if (!(await canWrite(context.octokit, owner, repo, user))) {
      await reply(context, refusalReply(user, parsed.text));
      return;
    }
    if (command.name === 'cancel') {
      await cancel(services, context, user);
      return;
    }
    await run(services, context, command, installation.id);
  };
}

async function run(
  services: Services,
  context: CommentContext,
  command: SlashCommand,
  installationId: number,
) {
  const { owner, repo } = context.repo();
  const { data: pull } = await context.octokit.rest.pulls.get({
    owner,
    repo,
    pull_number: context.payload.issue.number,
  });
  const previous = services.store.latestForPull(owner, repo, pull.number);
  const options =
    command.name === 'run'
      ? { workloads: command.workloads, variants: command.variants, iterations: command.iterations }
      : (previous?.options ?? {});
  await react(context, 'rocket');
  // A maintainer's command is also the approval of untrusted code: it runs the commit as it is now.
  await enqueue(
    services,
    context.octokit,
    pullJob({
      deliveryId: context.id,
      installationId,
      pull,
      repository: context.payload.repository,
      trigger: `/sigstorm ${command.name}`,
      dedupe: `comment:${context.payload.comment.id}`,
      requestedBy: context.payload.sender.login,
      options: {
        ...(options.workloads ? { workloads: [...options.workloads] } : {}),
        ...(options.variants ? { variants: [...options.variants] } : {}),
        ...(options.iterations !== undefined ? { iterations: options.iterations } : {}),
      },
    }),
  );
}

async function cancel(services: Services, context: CommentContext, user: string) {
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

async function reply(context: CommentContext, body: string): Promise<void> {
  await context.octokit.rest.issues.createComment(context.issue({ body }));
}

async function react(context: CommentContext, content: '+1' | 'rocket'): Promise<void> {
  await context.octokit.rest.reactions.createForIssueComment(
    context.repo({ comment_id: context.payload.comment.id, content }),
  );
}
