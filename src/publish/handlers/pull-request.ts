import type { Context } from 'probot';
import { canWrite } from '../github/permission.js';
import { cancelJob } from '../jobs/cancel-job.js';
import { enqueue } from '../jobs/enqueue.js';
import { forkReason, pullJob } from '../jobs/pull-job.js';
import type { UntrustedReason } from '../messages/check-outputs.js';
import type { Services } from '../services.js';

export const pullRequestEvents = [
  'pull_request.opened',
  'pull_request.synchronize',
  'pull_request.reopened',
] as const;

/**
 * A pull request was opened or received commits: record a job for its head (queued, or waiting for
 * approval when its code is untrusted) and answer. The run happens in the executor.
 */
export function onPullRequest(services: Services) {
  return async (context: Context<(typeof pullRequestEvents)[number]>): Promise<void> => {
    const { pull_request: pull, installation, repository } = context.payload;
    if (!installation) {
      context.log.warn('sigstorm: pull_request without an installation; is this a GitHub App webhook?');
      return;
    }
    const author = pull.user?.login ?? context.payload.sender.login;
    let untrusted: UntrustedReason | undefined = forkReason(pull);
    if (!untrusted && !(await canWrite(context.octokit, repository.owner.login, repository.name, author))) {
      untrusted = { kind: 'permission', author };
    }
    await enqueue(
      services,
      context.octokit,
      pullJob({
        deliveryId: context.id,
        installationId: installation.id,
        pull,
        repository,
        trigger: context.payload.action,
        dedupe: 'pull_request',
        requestedBy: context.payload.sender.login,
      }),
      untrusted,
    );
  };
}

/** A closed pull request needs no verdict: its queued or running validation is stopped. */
export function onPullRequestClosed(services: Services) {
  return async (context: Context<'pull_request.closed'>): Promise<void> => {
    const { pull_request: pull, repository } = context.payload;
    const merged = pull.merged ? 'merged' : 'closed';
    for (const job of services.store.activeForPull(repository.owner.login, repository.name, pull.number)) {
      await cancelJob(
        services,
        context.octokit,
        job,
        `The pull request was ${merged} before the validation finished.`,
      );
    }
  };
}
