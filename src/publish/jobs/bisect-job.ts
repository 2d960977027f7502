import type { Job, JobOptions, NewJob } from '../store/job.js';
import { shortSha } from '../store/job.js';
import type { PullInfo, RepoInfo } from './pull-job.js';

/** The check run of a bisection: its own, beside the validation's `sigstorm`. */
export const bisectCheckName = 'sigstorm bisect';

/**
 * Pull requests the App bisects: at least two commits (one commit is its own answer), at most 32
 * (six probes; a longer series is a job for `sigstorm bisect --good --bad` on a machine of one's own).
 */
export const bisectCommitRange = { min: 2, max: 32 } as const;

export interface BisectJobRequest {
  readonly deliveryId: string;
  readonly installationId: number;
  readonly owner: string;
  readonly repo: string;
  readonly pullNumber: number;
  readonly cloneUrl: string;
  readonly baseLabel: string;
  /** The parent of the pull request's first commit: the good point. */
  readonly good: string;
  /** The pull request's head: the bad point. */
  readonly head: string;
  /** What asked, for people: `/sigstorm bisect`, `Bisect`. */
  readonly trigger: string;
  /** What asked, for deduplication (a redelivery finds the same job). */
  readonly dedupe: string;
  readonly requestedBy: string;
  /** The cells (a validation's regressed ones, or named); absent: the config's. */
  readonly options: Omit<JobOptions, 'profile'>;
  /** Orders the job among the pull request's heads (the validation's of the same head). */
  readonly orderKey: string;
}

/** A bisection of a pull request's commits, from `good` (exclusive) to `head`: a job as a validation is. */
export function bisectJob(request: BisectJobRequest): NewJob {
  return {
    deliveryId: request.deliveryId,
    dedupeKey: `${request.owner}/${request.repo}#${request.pullNumber}@${request.head}:bisect:${request.dedupe}`,
    kind: 'bisect',
    trigger: request.trigger,
    installationId: request.installationId,
    owner: request.owner,
    repo: request.repo,
    pullNumber: request.pullNumber,
    cloneUrl: request.cloneUrl,
    baseSha: request.good,
    baseLabel: request.baseLabel,
    headSha: request.head,
    headLabel: `#${request.pullNumber}`,
    options: { ...request.options, profile: 'pr' },
    checkName: bisectCheckName,
    requestedBy: request.requestedBy,
    orderKey: request.orderKey,
  };
}

/** The request for a pull request as a comment finds it (its webhook repository and pulls.get). */
export function bisectRequestFor(
  pull: PullInfo,
  repository: RepoInfo,
  fields: Pick<
    BisectJobRequest,
    'deliveryId' | 'installationId' | 'good' | 'trigger' | 'dedupe' | 'requestedBy' | 'options' | 'orderKey'
  >,
): BisectJobRequest {
  return {
    ...fields,
    owner: repository.owner.login,
    repo: repository.name,
    pullNumber: pull.number,
    cloneUrl: repository.clone_url,
    baseLabel: pull.base.ref,
    head: pull.head.sha,
  };
}

/** The request for the commits of an earlier validation's pull request (its check's Bisect button). */
export function bisectRequestFrom(
  validation: Job,
  fields: Pick<BisectJobRequest, 'deliveryId' | 'good' | 'trigger' | 'dedupe' | 'requestedBy' | 'options'>,
): BisectJobRequest {
  if (validation.pullNumber === null) throw new Error(`job ${validation.id} is not a pull request's`);
  return {
    ...fields,
    installationId: validation.installationId,
    owner: validation.owner,
    repo: validation.repo,
    pullNumber: validation.pullNumber,
    cloneUrl: validation.cloneUrl,
    baseLabel: validation.baseLabel,
    head: validation.headSha,
    orderKey: validation.orderKey,
  };
}

/** The options of a bisection of the cells a validation found regressed. */
export function regressedOptions(job: Job): Omit<JobOptions, 'profile'> | undefined {
  const cells = job.result?.regressedCells;
  if (!cells) return undefined;
  return { workloads: cells.workloads, variants: cells.variants, observedRise: cells.observedRise };
}

/** The pull request's newest validation of `headSha` that found a stability regression. */
export function regressedValidation(jobs: readonly Job[], headSha: string): Job | undefined {
  return jobs.findLast((j) => j.kind === 'pull_request' && j.headSha === headSha && j.result?.regressedCells);
}

export function describeRange(job: Pick<Job, 'baseSha' | 'headSha' | 'headLabel'>): string {
  return `the commits of ${job.headLabel} after \`${shortSha(job.baseSha)}\` up to \`${shortSha(job.headSha)}\``;
}
