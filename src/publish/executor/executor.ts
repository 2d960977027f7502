import { formatSize } from '../../util/size.js';
import { type Turn, WorkLoop } from '../../util/work-loop.js';
import { finishCheck } from '../jobs/finish-check.js';
import { diskFullOutput, gitHubGaveUpOutput } from '../messages/check-outputs.js';
import type { AbortReason, ExecutorHandle, Services } from '../services.js';
import type { Job } from '../store/job.js';
import { retryDelayMs } from './backoff.js';
import { DiskSpaceError } from './prepare-cache.js';

type RunJob = (job: Job, signal: AbortSignal) => Promise<void>;
/** Background work for an idle executor (a base warm-up): false when there is none. */
type RunIdle = (signal: AbortSignal) => Promise<boolean>;

/**
 * The local executor: takes queued jobs from the store one at a time (one storm per host: storms
 * measure timing, two at once would disturb each other) and runs them outside any webhook.
 */
export class Executor extends WorkLoop implements ExecutorHandle {
  readonly #runJob: RunJob;
  readonly #between: () => Promise<void>;
  readonly #services: () => Services;
  readonly #runIdle: RunIdle | undefined;
  #current: { jobId: number; controller: AbortController } | undefined;
  /** The background work running, stopped as soon as a job is queued. */
  #idle: AbortController | undefined;

  /** `between`: housekeeping run before each look at the queue (missing check runs, …). */
  constructor(services: () => Services, runJob: RunJob, between: () => Promise<void>, runIdle?: RunIdle) {
    super();
    this.#services = services;
    this.#runJob = runJob;
    this.#between = between;
    this.#runIdle = runIdle;
  }

  override notify(): void {
    // A job goes before background work: the warm-up stops (what it ran is kept) and waits.
    if (this.#services().store.hasWaitingJob()) this.#idle?.abort();
    super.notify();
  }

  abort(jobId: number, reason: AbortReason): boolean {
    if (this.#current?.jobId !== jobId) return false;
    this.#current.controller.abort(reason);
    return true;
  }

  /** Stops taking jobs; the running one is aborted as a shutdown (queued again, check says so). */
  override async stop(): Promise<void> {
    const stopped = super.stop();
    this.#current?.controller.abort({ kind: 'shutdown' } satisfies AbortReason);
    this.#idle?.abort();
    await stopped;
  }

  get runningJobId(): number | undefined {
    return this.#current?.jobId;
  }

  /** One look at the queue: runs the next job, else background work, else sleeps a poll interval. */
  protected async turn(): Promise<Turn> {
    const { store, log, settings } = this.#services();
    try {
      await this.#between();
    } catch (error) {
      log.warn({ err: error }, 'sigstorm: executor housekeeping failed; retrying at the next poll');
    }
    if (this.stopping) return 'again';
    const job = store.claimNext();
    if (!job) return (await this.#background()) ? 'again' : settings.pollIntervalMs;
    // Claimed and registered in the same tick: a cancel arriving now finds it.
    const controller = new AbortController();
    this.#current = { jobId: job.id, controller };
    try {
      await this.#runJob(job, controller.signal);
    } catch (error) {
      await this.#failedAttempt(job, error);
    } finally {
      this.#current = undefined;
    }
    return 'again';
  }

  /** Runs background work, if any and if nothing stops it first; true when some ran. */
  async #background(): Promise<boolean> {
    if (!this.#runIdle) return false;
    this.#idle = new AbortController();
    try {
      return await this.#runIdle(this.#idle.signal);
    } catch (error) {
      this.#services().log.warn({ err: error }, 'sigstorm: background work failed');
      return false;
    } finally {
      this.#idle = undefined;
    }
  }

  /**
   * GitHub failed (or the disk is full): the job waits for its retry time while other jobs run; after
   * the last attempt it fails and its check is completed saying why (now, or by the repair pass).
   */
  async #failedAttempt(job: Job, error: unknown): Promise<void> {
    const services = this.#services();
    const { store, log, settings } = services;
    const retry = job.attempts < settings.maxAttempts;
    const what = error instanceof DiskSpaceError ? 'not enough disk' : 'GitHub API error';
    const note = `${what}: ${String(error)}`;
    log.error({ err: error, job: job.id, retry }, `sigstorm: job interrupted (${what})`);
    if (retry) {
      store.retryLater(
        job.id,
        note,
        new Date(Date.now() + retryDelayMs(error, job.attempts, settings.retry)),
      );
      return;
    }
    if (!store.transition(job.id, ['running'], 'failed', { note, conclusion: 'failure' })) return;
    const output =
      error instanceof DiskSpaceError
        ? diskFullOutput(job, formatSize(error.free), formatSize(error.needed))
        : gitHubGaveUpOutput(job, job.attempts, String(error));
    try {
      await finishCheck(services, await services.auth(job.installationId), job, {
        status: 'completed',
        conclusion: 'failure',
        output,
      });
    } catch (finishError) {
      log.warn({ err: finishError, job: job.id }, 'sigstorm: the check of a failed job is completed later');
    }
  }
}
