import type { JobOptions, NewJob, UntrustedReason } from '../store/job.js';

export const pullCheckName = 'sigstorm';

/** The fields of a pull request the app needs, as both the webhook payload and the pulls API carry them. */
export interface PullInfo {
  readonly number: number;
  /** Changes with every push (and every other change): orders heads, tells a reopen from a repeat. */
  readonly updated_at: string;
  readonly user: { readonly login: string } | null;
  readonly head: {
    readonly sha: string;
    readonly ref: string;
    readonly repo: { readonly full_name: string } | null;
  };
  readonly base: {
    readonly sha: string;
    readonly ref: string;
    readonly repo: { readonly full_name: string };
  };
}

/** The repository as every webhook payload carries it. */
export interface RepoInfo {
  readonly name: string;
  readonly full_name: string;
  readonly clone_url: string;
  readonly owner: { readonly login: string };
}

export interface PullJobRequest {
  readonly deliveryId: string;
  readonly installationId: number;
  readonly pull: PullInfo;
  readonly repository: RepoInfo;
  /** What asked, for people: `opened`, `/sigstorm run`, `Re-run`, … */
  readonly trigger: string;
  /** What asked, for deduplication: the same value from a redelivery, a new one from a new request. */
  readonly dedupe: string;
  readonly requestedBy: string;
  readonly options?: Omit<JobOptions, 'profile'>;
  /** When the app received the delivery (the store's time): breaks ties between equal `updated_at`s. */
  readonly receivedAt?: string | undefined;
}

/** The triggers of jobs recorded for pull-request events (not for a person's request). */
export const pullEventTriggers: readonly string[] = ['opened', 'synchronize', 'reopened'];

export function isPullEventJob(job: Pick<NewJob, 'trigger'>): boolean {
  return pullEventTriggers.includes(job.trigger);
}

/** A pull-request job: head and base commits from the PR, cloned through the base repository. */
export function pullJob(request: PullJobRequest): NewJob {
  const { pull, repository: repo } = request;
  return {
    deliveryId: request.deliveryId,
    // The same event twice carries the same updated_at; a reopen or a push back to this head does not.
    dedupeKey: `${repo.full_name}#${pull.number}@${pull.head.sha}:${request.dedupe}@${pull.updated_at}`,
    kind: 'pull_request',
    trigger: request.trigger,
    installationId: request.installationId,
    owner: repo.owner.login,
    repo: repo.name,
    pullNumber: pull.number,
    // GitHub serves a fork's PR commits from the base repository too (refs/pull/N/head).
    cloneUrl: repo.clone_url,
    baseSha: pull.base.sha,
    baseLabel: pull.base.ref,
    headSha: pull.head.sha,
    headLabel: `#${pull.number}`,
    options: { ...request.options, profile: 'pr' },
    checkName: pullCheckName,
    requestedBy: request.requestedBy,
    orderKey: `${pull.updated_at}|${request.receivedAt ?? ''}`,
  };
}

/** Whether the PR's code comes from outside the repository's writers: forks always do. */
export function forkReason(pull: PullInfo): UntrustedReason | undefined {
  const from = pull.head.repo?.full_name;
  if (from === pull.base.repo.full_name) return undefined;
  return { kind: 'fork', repo: from ?? 'a deleted fork' };
}
