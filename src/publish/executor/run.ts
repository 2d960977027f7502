import { type CheckState, updateCheckRun } from '../github/check-run.js';
import type { Octokit } from '../github/octokit.js';
import type { Services } from '../services.js';
import type { Job } from '../store/job.js';

/** What every step of a run needs: the job, its services, GitHub, the log and the stop signal. */
export interface Run {
  readonly services: Services;
  readonly job: Job;
  readonly octokit: Octokit;
  readonly log: Services['log'];
  readonly signal: AbortSignal;
  readonly check: (state: CheckState) => Promise<void>;
}

/** The steps' shared state for one job. */
export function runOf(services: Services, job: Job, octokit: Octokit, signal: AbortSignal): Run {
  return {
    services,
    job,
    octokit,
    log: services.log.child({ job: job.id }),
    signal,
    check: (state) => updateCheckRun(octokit, job, state),
  };
}

/** The pipeline itself failed (bad input, a tree that does not build): a result to report, not to retry. */
export class PipelineFailure extends Error {
  constructor(cause: unknown) {
    super('the validation failed', { cause });
  }
}
