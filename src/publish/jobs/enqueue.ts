import { actionIds, type CheckState, ensureCheckRun } from '../github/check-run.js';
import type { Octokit } from '../github/octokit.js';
import {
  awaitingApprovalOutput,
  cancelledOutput,
  queuedOutput,
  queueFullOutput,
} from '../messages/check-outputs.js';
import type { Services } from '../services.js';
import { type Job, type NewJob, shortSha, type UntrustedReason } from '../store/job.js';
import { cancelJob } from './cancel-job.js';
import { isPullEventJob } from './pull-job.js';

export type EnqueueResult = { readonly job: Job; readonly created: boolean };

/**
 * Records a job and shows it on GitHub: the one thing a webhook handler does, fast. The same
 * delivery again finds its job and finishes what an earlier attempt left undone (the check run);
 * another delivery of the same request, or of an identical job still active, changes nothing. A job
 * supersedes the unfinished jobs of its pull request for older heads only; a job for a head older
 * than an active one is recorded as superseded at once. Untrusted code waits for an approval.
 */
export async function enqueue(
  services: Services,
  octokit: Octokit,
  newJob: NewJob,
  untrusted?: UntrustedReason,
): Promise<EnqueueResult> {
  const { store, log } = services;
  const twin = identicalActiveJob(services, newJob);
  if (twin) {
    log.info({ job: twin.id, delivery: newJob.deliveryId }, 'sigstorm: identical job already active');
    return { job: twin, created: false };
  }
  const recorded = store.insert(newJob, untrusted);
  let job = recorded.job;
  const ownRetry = !recorded.created && job.deliveryId === newJob.deliveryId;
  if (!recorded.created && (!ownRetry || job.checkRunId !== null)) {
    log.info({ job: job.id, delivery: newJob.deliveryId }, 'sigstorm: request already recorded, no new run');
    return { job, created: false };
  }
  if (job.pullNumber !== null && (job.status === 'queued' || job.status === 'awaiting_approval')) {
    const newer = await supersedeOlder(services, octokit, job);
    if (newer) {
      store.transition(job.id, ['queued', 'awaiting_approval'], 'cancelled', {
        note: `Superseded by commit \`${shortSha(newer.headSha)}\`, which GitHub saw after this one.`,
      });
    }
  }
  const cap = services.settings.maxQueuedPerRepo;
  if (job.status === 'queued' && store.queuedCount(job.owner, job.repo) > cap) {
    store.transition(job.id, ['queued'], 'cancelled', {
      note: `the queue of ${job.owner}/${job.repo} is full`,
    });
    const checkRunId = await ensureCheckRun(octokit, job, {
      status: 'completed',
      conclusion: 'cancelled',
      output: queueFullOutput(job, cap),
    });
    store.setCheckRun(job.id, checkRunId);
    store.markCheckFinal(job.id);
    log.warn({ job: job.id, cap }, 'sigstorm: repository queue full, job not queued');
    return { job: store.get(job.id) ?? job, created: true };
  }
  job = store.get(job.id) ?? job;
  const checkRunId = await ensureCheckRun(octokit, job, initialCheck(job));
  store.setCheckRun(job.id, checkRunId);
  if (job.status === 'cancelled') store.markCheckFinal(job.id);
  services.executor.notify();
  log.info({ job: job.id, checkRunId, status: job.status }, 'sigstorm: job recorded');
  return { job: { ...job, checkRunId }, created: true };
}

/** What a job's check run shows when it is created (also when it is created late, by the repair pass). */
export function initialCheck(job: Job): CheckState {
  if (job.status === 'awaiting_approval' && job.untrusted) {
    return {
      status: 'completed',
      conclusion: 'action_required',
      output: awaitingApprovalOutput(job, job.untrusted),
      actions: [
        {
          label: 'Approve and run',
          description: 'Build and storm this commit',
          identifier: actionIds.approve,
        },
      ],
    };
  }
  if (job.status === 'cancelled' || job.status === 'failed') {
    return {
      status: 'completed',
      conclusion: job.status === 'failed' ? 'failure' : 'cancelled',
      output: cancelledOutput(job, job.note ?? 'The job ended before it ran.'),
    };
  }
  return { status: 'queued', output: queuedOutput(job) };
}

/**
 * A pull-request event for a head that already has an active job with the same settings (GitHub
 * sent the event twice, under two delivery ids): not a new request.
 */
function identicalActiveJob(services: Services, job: NewJob): Job | undefined {
  if (job.pullNumber === null || !isPullEventJob(job)) return undefined;
  const options = JSON.stringify(job.options);
  return services.store
    .activeForPull(job.owner, job.repo, job.pullNumber)
    .find(
      (other) =>
        other.deliveryId !== job.deliveryId &&
        other.status !== 'awaiting_approval' &&
        other.headSha === job.headSha &&
        isPullEventJob(other) &&
        JSON.stringify(other.options) === options,
    );
}

/**
 * Cancels the pull request's active jobs that `job` supersedes: older heads (by the order GitHub saw
 * them, not the order deliveries arrived), and earlier runs of the same head and check (a validation
 * or a bisection). Returns an active job
 * for a newer head, if there is one: then `job` is the one superseded.
 */
async function supersedeOlder(services: Services, octokit: Octokit, job: Job): Promise<Job | undefined> {
  const others = services.store
    .activeForPull(job.owner, job.repo, job.pullNumber ?? -1)
    .filter((other) => other.id !== job.id);
  // A newer head waiting for approval does not stop an approved run of this one.
  const newer = others.find(
    (other) =>
      other.headSha !== job.headSha && other.orderKey > job.orderKey && other.status !== 'awaiting_approval',
  );
  if (newer) return newer;
  for (const older of others) {
    const sameCommit = older.headSha === job.headSha;
    // On the same commit a bisection and a validation are two questions: neither replaces the other.
    if (sameCommit && older.checkName !== job.checkName) continue;
    // A newer head waiting for its own approval stays waiting.
    if (!sameCommit && older.orderKey > job.orderKey) continue;
    const reason = sameCommit
      ? `Superseded by a newer run of the same commit (${job.trigger}, requested by @${job.requestedBy}).`
      : `Superseded by commit \`${shortSha(job.headSha)}\`, pushed to the pull request after \`${shortSha(older.headSha)}\`.`;
    // A waiting approval on the same commit is simply replaced by the new check run.
    await cancelJob(services, octokit, older, reason, sameCommit && older.status === 'awaiting_approval');
  }
  return undefined;
}
