import type { Context } from 'probot';
import type { VariantName } from '../../build/variants.js';
import { parseComment, type SlashCommand } from '../commands/parse-command.js';
import { canWrite } from '../github/permission.js';
import { type CommentTarget, reactOnce, replyOnce } from '../github/speak.js';
import { commentSawHead } from '../jobs/approval.js';
import { cancelJob } from '../jobs/cancel-job.js';
import { enqueue } from '../jobs/enqueue.js';
import { forkReason, type PullInfo, pullJob } from '../jobs/pull-job.js';
import { rerunJob } from '../jobs/rerun-job.js';
import { headMovedReply, nothingApprovedReply } from '../messages/approval-replies.js';
import { helpReply, invalidCommandReply, nothingToCancelReply } from '../messages/replies.js';
import type { Services } from '../services.js';
import type { UntrustedReason } from '../store/job.js';

type CommentContext = Context<'issue_comment.created'>;

/**
 * `/sigstorm …` in a new pull-request comment. Edited comments are not subscribed to (an edit must
 * not start a run again) and comments by bots are ignored (no loops with other bots, or with our own).
 * The bot speaks only to people with write access: anyone else's command gets a reaction, no reply.
 */
export function onIssueComment(services: Services) {
  return async (context: CommentContext): Promise<void> => {
    const { comment, issue, sender, installation } = context.payload;
    if (sender.type === 'Bot' || !issue.pull_request || !installation) return;
    const parsed = parseComment(comment.body, await services.knownWorkloads());
    if (parsed.kind === 'none') return;
    const user = sender.login;
    const { owner, repo } = context.repo();
    const target: CommentTarget = {
      owner,
      repo,
      issueNumber: issue.number,
      deliveryId: context.id,
      commentId: comment.id,
    };
    if (!(await canWrite(context.octokit, owner, repo, user))) {
      await reactOnce(services, context.octokit, target, 'confused');
      return;
    }
    const say = (body: string) => replyOnce(services, context.octokit, target, user, body);
    if (parsed.kind === 'invalid') {
      await say(invalidCommandReply(user, parsed.text, parsed.problems));
      return;
    }
    const { command } = parsed;
    if (command.name === 'help') {
      await say(helpReply(user, await services.knownWorkloads()));
      return;
    }
    if (command.name === 'cancel') {
      await cancel(services, context, target, user);
      return;
    }
    await run(services, context, target, command, installation.id);
  };
}

async function run(
  services: Services,
  context: CommentContext,
  target: CommentTarget,
  command: SlashCommand,
  installationId: number,
) {
  const { owner, repo } = context.repo();
  const { comment, sender } = context.payload;
  const user = sender.login;
  const say = (body: string) => replyOnce(services, context.octokit, target, user, body);
  const requested = { deliveryId: context.id, dedupe: `comment:${comment.id}`, requestedBy: user };
  const { data: pull } = await context.octokit.rest.pulls.get({
    owner,
    repo,
    pull_number: target.issueNumber,
  });
  // Untrusted code runs only as approved: the head the maintainer could have read, never one pushed since.
  const untrusted = await untrustedReason(context.octokit, pull, owner, repo);
  if (command.name === 'rerun' && untrusted) {
    // The last approved commit again; a head pushed since needs its own approval.
    const previous = services.store.lastApproved(owner, repo, target.issueNumber);
    if (!previous) {
      await say(nothingApprovedReply(user));
      return;
    }
    const { profile: _profile, ...options } = previous.options;
    await reactOnce(services, context.octokit, target, 'rocket');
    await enqueue(
      services,
      context.octokit,
      rerunJob(previous, { ...requested, trigger: '/sigstorm rerun', options }),
    );
    return;
  }
  if (untrusted) {
    const seen = commentSawHead(
      services.store,
      { owner, repo, pullNumber: pull.number, headSha: pull.head.sha },
      comment.created_at,
    );
    if (!seen.ok) {
      await say(headMovedReply(user, pull.head.sha, seen));
      return;
    }
  }
  // rerun of trusted code: the current head with the settings of the last run.
  const settings: { workloads?: readonly string[]; variants?: readonly VariantName[]; iterations?: number } =
    command.name === 'rerun'
      ? (services.store.latestForPull(owner, repo, pull.number)?.options ?? {})
      : command.name === 'run'
        ? command
        : {};
  await reactOnce(services, context.octokit, target, 'rocket');
  await enqueue(
    services,
    context.octokit,
    pullJob({
      ...requested,
      installationId,
      pull,
      repository: context.payload.repository,
      trigger: `/sigstorm ${command.name}`,
      options: {
        ...(settings.workloads ? { workloads: [...settings.workloads] } : {}),
        ...(settings.variants ? { variants: [...settings.variants] } : {}),
        ...(settings.iterations !== undefined ? { iterations: settings.iterations } : {}),
      },
      receivedAt: services.store.deliveries.receivedAt(context.id),
    }),
  );
}

async function cancel(services: Services, context: CommentContext, target: CommentTarget, user: string) {
  const active = services.store.activeForPull(target.owner, target.repo, target.issueNumber);
  if (active.length === 0) {
    await replyOnce(services, context.octokit, target, user, nothingToCancelReply(user));
    return;
  }
  await reactOnce(services, context.octokit, target, '+1');
  for (const job of active) {
    await cancelJob(services, context.octokit, job, `Cancelled by @${user} with \`/sigstorm cancel\`.`);
  }
}

/** Why the pull request's code is untrusted (a fork, or an author without write access), if it is. */
async function untrustedReason(
  octokit: CommentContext['octokit'],
  pull: PullInfo & { readonly user: { readonly login: string } | null },
  owner: string,
  repo: string,
): Promise<UntrustedReason | undefined> {
  const fork = forkReason(pull);
  if (fork) return fork;
  const author = pull.user?.login;
  if (author && (await canWrite(octokit, owner, repo, author))) return undefined;
  return { kind: 'permission', author: author ?? 'a deleted account' };
}
