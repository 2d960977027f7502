import { pullCommits } from '../github/pull-commits.js';
import {
  bisectCommitRange,
  bisectJob,
  bisectRequestFor,
  regressedOptions,
  regressedValidation,
} from '../jobs/bisect-job.js';
import { enqueue } from '../jobs/enqueue.js';
import { untrustedReason } from '../jobs/untrusted-reason.js';
import { cannotBisectReply, nothingToBisectReply } from '../messages/replies.js';
import type { JobOptions } from '../store/job.js';
import { commentApprovesHead } from './approved-head.js';
import { type CommandContext, react, reply } from './command-context.js';

/**
 * `bisect`: a bisection of the pull request's commits, from the parent of its first commit to its
 * head, queued as a job of its own (check run `sigstorm bisect`). Its cells: the workloads named, else
 * the ones the head's validation found regressed. Untrusted code as with `run`: the head the comment
 * was written after.
 */
export async function bisectCommand(
  ctx: CommandContext,
  asked: Pick<JobOptions, 'workloads' | 'variants'>,
): Promise<void> {
  const { services, context, user } = ctx;
  const { owner, repo } = context.repo();
  const { comment } = context.payload;
  const { data: pull } = await context.octokit.rest.pulls.get({
    owner,
    repo,
    pull_number: context.payload.issue.number,
  });
  const commits = await pullCommits(
    context.octokit,
    { owner, repo, pullNumber: pull.number },
    bisectCommitRange,
    pull,
  );
  if (commits.kind === 'counted') {
    await reply(ctx, cannotBisectReply(user, commits.count, bisectCommitRange));
    return;
  }
  const untrusted = await untrustedReason(context.octokit, { owner, repo }, pull, pull.user?.login);
  if (untrusted && !(await commentApprovesHead(ctx, pull))) return;
  const regressed = regressedValidation(
    services.store.forHead(owner, repo, pull.number, pull.head.sha),
    pull.head.sha,
  );
  const options = cellsToBisect(asked, regressed ? regressedOptions(regressed) : undefined);
  if (!options) {
    await reply(ctx, nothingToBisectReply(user, pull.head.sha));
    return;
  }
  await react(ctx, 'rocket');
  await enqueue(
    services,
    context.octokit,
    bisectJob(
      bisectRequestFor(pull, context.payload.repository, {
        deliveryId: context.id,
        installationId: ctx.installationId,
        good: commits.good,
        trigger: '/sigstorm bisect',
        dedupe: `comment:${comment.id}`,
        requestedBy: user,
        options,
        orderKey: `${pull.updated_at}|${services.store.deliveries.receivedAt(context.id) ?? ''}`,
      }),
    ),
  );
}

/**
 * The cells of a bisection: named workloads (with the named variants, else the config's), else a
 * regressed validation's cells (its variants unless others are named) and the rise it showed.
 */
export function cellsToBisect(
  asked: Pick<JobOptions, 'workloads' | 'variants'>,
  regressed: Omit<JobOptions, 'profile'> | undefined,
): Omit<JobOptions, 'profile'> | undefined {
  if (asked.workloads) return asked;
  if (!regressed) return undefined;
  return asked.variants ? { ...regressed, variants: asked.variants } : regressed;
}
