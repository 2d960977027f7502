import { enqueue } from '../jobs/enqueue.js';
import { pullJob } from '../jobs/pull-job.js';
import type { JobOptions } from '../store/job.js';
import type { CommandContext } from './command-context.js';
import { react } from './command-context.js';

/**
 * `run` (with its arguments) and `rerun` (with the settings of the pull request's last run): a job
 * for the pull request's current head.
 */
export async function runCommand(
  ctx: CommandContext,
  name: string,
  asked: Omit<JobOptions, 'profile'> | 'last run',
): Promise<void> {
  const { services, context } = ctx;
  const { owner, repo } = context.repo();
  const { data: pull } = await context.octokit.rest.pulls.get({
    owner,
    repo,
    pull_number: context.payload.issue.number,
  });
  const options =
    asked === 'last run' ? (services.store.latestForPull(owner, repo, pull.number)?.options ?? {}) : asked;
  await react(context, 'rocket');
  // A maintainer's command is also the approval of untrusted code: it runs the commit as it is now.
  await enqueue(
    services,
    context.octokit,
    pullJob({
      deliveryId: context.id,
      installationId: ctx.installationId,
      pull,
      repository: context.payload.repository,
      trigger: `/sigstorm ${name}`,
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
