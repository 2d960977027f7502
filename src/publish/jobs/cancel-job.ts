import { cancelRun, findRunByCorrelation } from '../actions/actions-api.js';
import type { Octokit } from '../github/octokit.js';
import { cancelledOutput } from '../messages/check-outputs.js';
import type { Services } from '../services.js';
import type { Job } from '../store/job.js';
import { finishCheck } from './finish-check.js';

/**
 * Stops a job that has not finished. A running job is aborted and the executor completes its check
 * (it owns the run); a queued or waiting one is completed here. `keepCheck`: a newer check run on the
 * same commit replaces this one, so its check is left as it is (a waiting approval, typically).
 */
export async function cancelJob(
  services: Services,
  octokit: Octokit,
  job: Job,
  reason: string,
  keepCheck = false,
): Promise<void> {
  if (job.status === 'running' && services.executor.abort(job.id, { kind: 'cancelled', message: reason }))
    return;
  const from =
    job.status === 'running'
      ? (['running'] as const)
      : (['queued', 'awaiting_approval', 'dispatched', 'validated'] as const);
  // First: if GitHub fails here, the delivery is retried and finds the job still to cancel.
  await cancelActionsRun(services, octokit, job);
  if (!services.store.transition(job.id, from, 'cancelled', { note: reason })) return;
  if (job.checkRunId === null) return;
  if (keepCheck) {
    // Already completed (action_required) and replaced: nothing to finish.
    services.store.markCheckFinal(job.id);
    return;
  }
  await finishCheck(services, octokit, job, {
    status: 'completed',
    conclusion: 'cancelled',
    output: cancelledOutput(job, reason),
  });
}

/** A job cancelled while on GitHub Actions: its workflow run is cancelled too (it would storm for nobody). */
async function cancelActionsRun(services: Services, octokit: Octokit, job: Job): Promise<void> {
  const actions = job.actionsRun;
  if (!actions || (job.status !== 'dispatched' && job.status !== 'running')) return;
  const where = { owner: job.owner, repo: job.repo };
  // Not correlated yet (GitHub did not return the run): found by its name, if it exists by now.
  const runId =
    actions.runId ??
    (await findRunByCorrelation(octokit, where, actions.workflow, [actions.correlation, ...actions.earlier]))
      ?.id;
  if (runId === undefined) return;
  const cancelled = await cancelRun(octokit, where, runId);
  services.log.info({ job: job.id, runId, cancelled }, "sigstorm: cancelled the job's Actions run");
}
