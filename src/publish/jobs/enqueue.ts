import { actionIds, createCheckRun } from '../github/check-run.js';
import type { Octokit } from '../github/octokit.js';
import { awaitingApprovalOutput, queuedOutput, type UntrustedReason } from '../messages/check-outputs.js';
import type { Services } from '../services.js';
import { type Job, type NewJob, shortSha } from '../store/job.js';
import { cancelJob } from './cancel-job.js';

export type EnqueueResult = { readonly job: Job; readonly created: boolean };

/**
 * Records a job and shows it on GitHub: the one thing a webhook handler does, fast. A delivery seen
 * before (or the same request again) finds the job already recorded and changes nothing. A newer job
 * of a pull request supersedes its unfinished older ones. Untrusted code waits for a maintainer's approval.
 */
export async function enqueue(
  services: Services,
  octokit: Octokit,
  newJob: NewJob,
  untrusted?: UntrustedReason,
): Promise<EnqueueResult> {
  const { job, created } = services.store.insert(newJob, untrusted ? 'awaiting_approval' : 'queued');
  if (!created) {
    services.log.info(
      { job: job.id, delivery: newJob.deliveryId },
      'sigstorm: request already recorded, no new run',
    );
    return { job, created };
  }
  if (job.pullNumber !== null) {
    for (const older of services.store.activeForPull(job.owner, job.repo, job.pullNumber)) {
      if (older.id === job.id) continue;
      const sameCommit = older.headSha === job.headSha;
      const reason = sameCommit
        ? `Superseded by a newer run of the same commit (${job.trigger}, requested by @${job.requestedBy}).`
        : `Superseded by commit \`${shortSha(job.headSha)}\`, pushed to the pull request after \`${shortSha(older.headSha)}\`.`;
      // A waiting approval on the same commit is simply replaced by the new check run.
      await cancelJob(services, octokit, older, reason, sameCommit && older.status === 'awaiting_approval');
    }
  }
  const checkRunId = await createCheckRun(
    octokit,
    job,
    untrusted
      ? {
          status: 'completed',
          conclusion: 'action_required',
          output: awaitingApprovalOutput(job, untrusted),
          actions: [
            {
              label: 'Approve and run',
              description: 'Build and storm this commit',
              identifier: actionIds.approve,
            },
          ],
        }
      : { status: 'queued', output: queuedOutput(job) },
  );
  services.store.setCheckRun(job.id, checkRunId);
  services.executor.notify();
  services.log.info({ job: job.id, checkRunId, status: job.status }, 'sigstorm: job recorded');
  return { job: { ...job, checkRunId }, created };
}
