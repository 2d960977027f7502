import type { Job, JobOptions, NewJob } from '../store/job.js';

export interface RerunRequest {
  readonly deliveryId: string;
  readonly trigger: string;
  /** What asked, for deduplication (a redelivery of the same button press finds the same job). */
  readonly dedupe: string;
  readonly requestedBy: string;
  readonly options: Omit<JobOptions, 'profile'>;
}

/**
 * A new run of exactly the commits an earlier job ran (Re-run, 10× iterations, Approve and run):
 * an approval covers the commit the maintainer saw, never one pushed since.
 */
export function rerunJob(previous: Job, request: RerunRequest): NewJob {
  const subject =
    previous.pullNumber === null
      ? `${previous.owner}/${previous.repo}@${previous.headLabel}`
      : `${previous.owner}/${previous.repo}#${previous.pullNumber}`;
  return {
    deliveryId: request.deliveryId,
    dedupeKey: `${subject}@${previous.headSha}:${request.dedupe}`,
    kind: previous.kind,
    trigger: request.trigger,
    installationId: previous.installationId,
    owner: previous.owner,
    repo: previous.repo,
    pullNumber: previous.pullNumber,
    cloneUrl: previous.cloneUrl,
    baseSha: previous.baseSha,
    baseLabel: previous.baseLabel,
    headSha: previous.headSha,
    headLabel: previous.headLabel,
    options: { ...request.options, profile: previous.options.profile },
    checkName: previous.checkName,
    requestedBy: request.requestedBy,
    // The same head as the earlier run: ordered where that one was.
    orderKey: previous.orderKey,
  };
}
