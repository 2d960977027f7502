import { ensureCheckRun, updateCheckRun } from '../github/check-run.js';
import { initialCheck } from '../jobs/enqueue.js';
import { finishCheck } from '../jobs/finish-check.js';
import { endedOutput, gaveUpOutput, restartedOutput } from '../messages/check-outputs.js';
import type { Services } from '../services.js';
import type { Job } from '../store/job.js';
import { retryDelayMs } from './backoff.js';

/**
 * At startup, before the executor runs: jobs left `running` by a process that died are queued again
 * (the crash counts as an attempt; a job whose validation had finished goes back to publishing) or,
 * after `maxAttempts`, failed. Either way their check run leaves `in_progress`. A check that cannot
 * be updated now is repaired later (`CheckRepair`).
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
      if (giveUp) {
        await finishCheck(services, octokit, job, {
          status: 'completed',
          conclusion: 'failure',
          output: gaveUpOutput(job, job.attempts),
        });
      } else {
        await updateCheckRun(octokit, job, {
          status: 'queued',
          output: restartedOutput(job, {
            kind: 'crash',
            attempt: job.attempts,
            maxAttempts: settings.maxAttempts,
          }),
        });
      }
    } catch (error) {
      log.warn({ err: error, job: job.id }, 'sigstorm: could not update the check run of an interrupted job');
    }
  }
  if (requeued + failed > 0)
    log.info({ requeued, failed }, 'sigstorm: recovered jobs interrupted by a restart');
  return { requeued, failed };
}

/**
 * Repairs check runs, one job at a time, each with its own backoff: a job whose check run was never
 * created (GitHub failed, or the app stopped, right after recording: found through `external_id`
 * if the create did happen), and an ended job whose check was left open. A job GitHub keeps
 * refusing waits for its own retry time and never holds up the others.
 */
export class CheckRepair {
  readonly #failures = new Map<number, { count: number; nextAt: number }>();
  readonly #services: () => Services;
  readonly #graceMs: number;

  constructor(services: () => Services, graceMs = 30_000) {
    this.#services = services;
    this.#graceMs = graceMs;
  }

  /** One pass; returns how many jobs were repaired. */
  async run(now = Date.now()): Promise<number> {
    const services = this.#services();
    const { store } = services;
    const jobs = [...store.withoutCheckRun(new Date(now - this.#graceMs)), ...store.endedWithOpenCheck()];
    let repaired = 0;
    for (const job of jobs) {
      const failure = this.#failures.get(job.id);
      if (failure && failure.nextAt > now) continue;
      try {
        await this.#repair(services, job);
        this.#failures.delete(job.id);
        repaired++;
      } catch (error) {
        const count = (failure?.count ?? 0) + 1;
        this.#failures.set(job.id, {
          count,
          nextAt: now + retryDelayMs(error, count, services.settings.retry),
        });
        services.log.warn(
          { err: error, job: job.id, failures: count },
          'sigstorm: check repair failed; retrying later',
        );
      }
    }
    return repaired;
  }

  async #repair(services: Services, job: Job): Promise<void> {
    const octokit = await services.auth(job.installationId);
    if (job.checkRunId === null) {
      const id = await ensureCheckRun(octokit, job, initialCheck(job));
      services.store.setCheckRun(job.id, id);
      if (job.status === 'queued') services.executor.notify();
      if (job.status !== 'done' && job.status !== 'failed' && job.status !== 'cancelled') return;
      if (job.status !== 'done') {
        // initialCheck completed it with the job's note.
        services.store.markCheckFinal(job.id);
        return;
      }
    }
    const current = services.store.get(job.id) ?? job;
    await finishCheck(services, octokit, current, {
      status: 'completed',
      conclusion: endedConclusion(current),
      output: endedOutput(current),
    });
  }
}

function endedConclusion(job: Job): 'success' | 'failure' | 'neutral' | 'cancelled' {
  if (job.status === 'cancelled') return 'cancelled';
  if (job.status === 'failed') return 'failure';
  const stored = job.result?.conclusion ?? job.conclusion;
  return stored === 'success' || stored === 'neutral' || stored === 'failure' ? stored : 'neutral';
}
