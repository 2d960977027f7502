import { enqueue } from '../jobs/enqueue.js';
import { pullJob } from '../jobs/pull-job.js';
import { rerunJob } from '../jobs/rerun-job.js';
import { untrustedReason } from '../jobs/untrusted-reason.js';
import { nothingApprovedReply } from '../messages/approval-replies.js';
import type { JobOptions } from '../store/job.js';
import { commentApprovesHead } from './approved-head.js';
import { type CommandContext, react, reply } from './command-context.js';

/**
 * `run` (with its arguments) and `rerun` (with the settings of the pull request's last run): a job
 * for the pull request's current head. Untrusted code runs only as approved: `run` approves the head
 * the comment was written after, `rerun` repeats the last approved commit.
 */
export async function runCommand(
  ctx: CommandContext,
  name: string,
  asked: Omit<JobOptions, 'profile'> | 'last run',
): Promise<void> {
  const { services, context, user } = ctx;
  const { owner, repo } = context.repo();
  const { comment } = context.payload;
  const requested = { deliveryId: context.id, dedupe: `comment:${comment.id}`, requestedBy: user };
  const { data: pull } = await context.octokit.rest.pulls.get({
    owner,
    repo,
    pull_number: context.payload.issue.number,
  });
  const untrusted = await untrustedReason(context.octokit, { owner, repo }, pull, pull.user?.login);
  if (asked === 'last run' && untrusted) {
    // The last approved commit again; a head pushed since needs its own approval.
    const previous = services.store.lastApproved(owner, repo, pull.number);
    if (!previous) {
      await reply(ctx, nothingApprovedReply(user));
      return;
    }
    const { profile: _profile, ...options } = previous.options;
    await react(ctx, 'rocket');
    await enqueue(
      services,
      context.octokit,
      rerunJob(previous, { ...requested, trigger: `/sigstorm ${name}`, options }),
    );
    return;
  }
  if (untrusted && !(await commentApprovesHead(ctx, pull))) return;
  const options =
    asked === 'last run' ? (services.store.latestForPull(owner, repo, pull.number)?.options ?? {}) : asked;
  await react(ctx, 'rocket');
  await enqueue(
    services,
    context.octokit,
    pullJob({
      ...requested,
      installationId: ctx.installationId,
      pull,
      repository: context.payload.repository,
      trigger: `/sigstorm ${name}`,
      options: {
        ...(options.workloads ? { workloads: [...options.workloads] } : {}),
        ...(options.variants ? { variants: [...options.variants] } : {}),
        ...(options.iterations !== undefined ? { iterations: options.iterations } : {}),
      },
      receivedAt: services.store.deliveries.receivedAt(context.id),
    }),
  );
}
