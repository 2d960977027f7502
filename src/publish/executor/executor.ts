import { setTimeout as sleep } from 'node:timers/promises';
import type { AbortReason, ExecutorHandle, Services } from '../services.js';
import type { Job } from '../store/job.js';

type RunJob = (job: Job, signal: AbortSignal) => Promise<void>;

/**
 * The local executor: takes queued jobs from the store one at a time (one storm per host: storms
 * measure timing, two at once would disturb each other) and runs them outside any webhook.
 */
export class Executor implements ExecutorHandle {
  readonly #runJob: RunJob;
  readonly #between: () => Promise<void>;
  readonly #services: () => Services;
  #current: { jobId: number; controller: AbortController } | undefined;
  #wake: AbortController = new AbortController();
  /** Set by notify(): there may be work, do not sleep. */
  #nudged = false;
  #stopping = false;
  readonly #stopped = new AbortController();
  #loop: Promise<void> | undefined;

  /** `between`: housekeeping run before each look at the queue (missing check runs, …). */
  constructor(services: () => Services, runJob: RunJob, between: () => Promise<void>) {
    this.#services = services;
    this.#runJob = runJob;
    this.#between = between;
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  notify(): void {
    this.#nudged = true;
    this.#wake.abort();
  }

  abort(jobId: number, reason: AbortReason): boolean {
    if (this.#current?.jobId !== jobId) return false;
    this.#current.controller.abort(reason);
    return true;
  }

  /** Stops taking jobs; the running one is aborted as a shutdown (queued again, check says so). */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#stopped.abort();
    this.#current?.controller.abort({ kind: 'shutdown' } satisfies AbortReason);
    this.notify();
    await this.#loop;
  }

  get runningJobId(): number | undefined {
    return this.#current?.jobId;
  }

  async #run(): Promise<void> {
    const { store, log, settings } = this.#services();
    while (!this.#stopping) {
      try {
        await this.#between();
      } catch (error) {
        log.warn({ err: error }, 'sigstorm: executor housekeeping failed; retrying at the next poll');
      }
      if (this.#stopping) break;
      this.#nudged = false;
      const job = store.claimNext();
      if (!job) {
        await this.#idle(settings.pollIntervalMs);
        continue;
      }
      // Claimed and registered in the same tick: a cancel arriving now finds it.
      const controller = new AbortController();
      this.#current = { jobId: job.id, controller };
      try {
        await this.#runJob(job, controller.signal);
      } catch (error) {
        // GitHub could not be reached (or answered an error): try the job again later, a few times.
        const retry = job.attempts < settings.maxAttempts;
        log.error({ err: error, job: job.id, retry }, 'sigstorm: job interrupted by a GitHub API error');
        if (retry) store.requeue(job.id, `GitHub API error: ${String(error)}`, false);
        else store.transition(job.id, ['running'], 'failed', { note: `GitHub API error: ${String(error)}` });
        this.#current = undefined;
        // Back off (new deliveries do not shorten it: GitHub is the problem), unless stopping.
        await sleep(Math.min(60_000, 5_000 * job.attempts), undefined, {
          signal: this.#stopped.signal,
        }).catch(() => undefined);
      } finally {
        this.#current = undefined;
      }
    }
  }

  async #idle(ms: number): Promise<void> {
    if (this.#nudged) return;
    this.#wake = new AbortController();
    try {
      await sleep(ms, undefined, { signal: this.#wake.signal });
    } catch {
      // Woken by notify() or stop(): look at the queue now.
    }
  }
}
