import { type CheckState, updateCheckRun } from '../github/check-run.js';
import type { Octokit } from '../github/octokit.js';
import type { Services } from '../services.js';
import type { Job } from '../store/job.js';

/** Completes a job's check run and records that it is final (else the repair pass completes it later). */
export async function finishCheck(
  services: Services,
  octokit: Octokit,
  job: Job,
  state: CheckState & { status: 'completed' },
): Promise<void> {
  await updateCheckRun(octokit, job, state);
  services.store.markCheckFinal(job.id);
}
