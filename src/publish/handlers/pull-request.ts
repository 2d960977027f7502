import type { Context } from 'probot';
import type { Octokit } from '../github/octokit.js';
import { cancelJob } from '../jobs/cancel-job.js';
import { enqueue } from '../jobs/enqueue.js';
import { type PullInfo, pullJob, type RepoInfo } from '../jobs/pull-job.js';
import { untrustedReason } from '../jobs/untrusted-reason.js';
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
    await recordPull(services, context.octokit, {
      deliveryId: context.id,
      installationId: installation.id,
      pull,
      repository,
      trigger: context.payload.action,
      requestedBy: context.payload.sender.login,
    });
  };
}

export interface PullEvent {
  readonly deliveryId: string;
  readonly installationId: number;
  readonly pull: PullInfo & { readonly user: { readonly login: string } | null };
  readonly repository: RepoInfo;
  readonly trigger: string;
  readonly requestedBy: string;
}

/** A job for the pull request's head: queued, or waiting for approval when its code is untrusted. */
export async function recordPull(services: Services, octokit: Octokit, event: PullEvent): Promise<void> {
  const { pull, repository } = event;
  const author = pull.user?.login ?? event.requestedBy;
  const where = { owner: repository.owner.login, repo: repository.name };
  const untrusted = await untrustedReason(octokit, where, pull, author);
  await enqueue(
    services,
    octokit,
    pullJob({
      deliveryId: event.deliveryId,
      installationId: event.installationId,
      pull,
      repository,
      trigger: event.trigger,
      dedupe: 'pull_request',
      requestedBy: event.requestedBy,
      receivedAt: services.store.deliveries.receivedAt(event.deliveryId),
    }),
    untrusted,
  );
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
