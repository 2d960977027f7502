import { createCheckRun, updateCheckRun } from '../github/check-run.js';
import { gaveUpOutput, queuedOutput, restartedOutput } from '../messages/check-outputs.js';
import type { Services } from '../services.js';

/**
 * At startup, before the executor runs: jobs left `running` by a process that died are queued again
 * (the crash counts as an attempt) or, after `maxAttempts`, failed. Either way their check run leaves
 * `in_progress`. A check that cannot be updated now is updated when the job runs.
 */
export async function recoverInterrupted(services: Services): Promise<{ requeued: number; failed: number }> {
  const { store, settings, log } = services;
  let requeued = 0;
  let failed = 0;
  for (const job of store.withStatus('running')) {
    const giveUp = job.attempts >= settings.maxAttempts;
    if (giveUp) {
      store.transition(job.id, ['running'], 'failed', {
        note: `gave up after ${job.attempts} interrupted attempts`,
        conclusion: 'failure',
      });
      failed++;
    } else {
      store.requeue(job.id, `interrupted during attempt ${job.attempts}`, false);
      requeued++;
    }
    if (job.checkRunId === null) continue;
    try {
      const octokit = await services.auth(job.installationId);
      await updateCheckRun(
        octokit,
        job,
        giveUp
          ? { status: 'completed', conclusion: 'failure', output: gaveUpOutput(job, job.attempts) }
          : {
              status: 'queued',
              output: restartedOutput(job, {
                kind: 'crash',
                attempt: job.attempts,
                maxAttempts: settings.maxAttempts,
              }),
            },
      );
    } catch (error) {
      log.warn({ err: error, job: job.id }, 'sigstorm: could not update the check run of an interrupted job');
    }
  }
  if (requeued + failed > 0)
    log.info({ requeued, failed }, 'sigstorm: recovered jobs interrupted by a restart');
  return { requeued, failed };
}

/** Queued jobs whose check run was never created (GitHub failed, or the app stopped, right after recording). */
export async function createMissingCheckRuns(services: Services, graceMs = 30_000): Promise<void> {
  for (const job of services.store.queuedWithoutCheckRun(new Date(Date.now() - graceMs))) {
    const octokit = await services.auth(job.installationId);
    const id = await createCheckRun(octokit, job, { status: 'queued', output: queuedOutput(job) });
    services.store.setCheckRun(job.id, id);
  }
}
