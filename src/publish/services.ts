import type { Logger } from 'probot';
import type { Bisect } from '../pipeline/bisect/contract.js';
import type { Validate } from '../pipeline/request/contract.js';
import type { SandboxLimits } from '../sandbox/sandbox.schema.js';
import type { RetryTiming } from './executor/backoff.js';
import type { Octokit } from './github/octokit.js';
import type { JobStore } from './store/job-store.js';

/** sigstorm's own settings of the app (the Probot ones are Probot's). */
export interface AppSettings {
  /** Upper bound on iterations per cell and side for every job on this host (tests, small hosts). */
  readonly iterationsCap: number | undefined;
  /** "owner/repo" → local git repository: clone from there instead of GitHub (tests, offline mirrors). */
  readonly repoMap: ReadonlyMap<string, string>;
  /** Runs of one job interrupted by a crash before it is given up. */
  readonly maxAttempts: number;
  /** At most one progress update of a check run per this many ms (phase changes excepted). */
  readonly progressIntervalMs: number;
  /** How often the executor looks for queued jobs without being told. */
  readonly pollIntervalMs: number;
  /** Limits of the sandbox every job runs in (SIGSTORM_SANDBOX_*); absent: the defaults. The App never runs without one. */
  readonly sandboxLimits?: SandboxLimits;
  /** Jobs waiting per repository; more are not queued (their check says so). */
  readonly maxQueuedPerRepo: number;
  /** The cache (SIGSTORM_CACHE_DIR) is trimmed to this many bytes before each job. */
  readonly cacheBudgetBytes: number;
  /** A job runs only with at least this many bytes free in the cache's file system. */
  readonly minFreeBytes: number;
  /** Processing attempts of one webhook delivery before it is given up. */
  readonly deliveryAttempts: number;
  /** How often open pull requests are checked for a head without a sigstorm check (0: never). */
  readonly reconcileIntervalMs: number;
  /** How often jobs dispatched to GitHub Actions are polled (webhook events wake the follower sooner). */
  readonly actionsPollIntervalMs: number;
  /**
   * How long the first dispatch waits for GitHub to show its run before it is dispatched again;
   * each later one waits twice as long as the one before.
   */
  readonly actionsDispatchWaitMs: number;
  /** Dispatches of one job whose run GitHub never shows, before its check fails saying so. */
  readonly actionsDispatches: number;
  /** The cache root (SIGSTORM_CACHE_DIR). */
  readonly cacheDir: string;
  /** Waits before retries; absent: the defaults (tests shorten them). */
  readonly retry?: RetryTiming;
}

/** What the webhook handlers and the executor share. One instance per app process. */
export interface Services {
  readonly store: JobStore;
  readonly validate: Validate;
  /** The bisection of a pull request's commits (`/sigstorm bisect`, the Bisect button). */
  readonly bisect: Bisect;
  readonly settings: AppSettings;
  readonly log: Logger;
  /** An installation-authenticated client (Probot's `app.auth`). */
  readonly auth: (installationId: number) => Promise<Octokit>;
  /** Names accepted in `workloads=` and in the config. */
  readonly knownWorkloads: () => Promise<readonly string[]>;
  readonly executor: ExecutorHandle;
  /** The follower of jobs dispatched to GitHub Actions (actions/follow-runs.ts). */
  readonly actions: ActionsHandle;
}

export type AbortReason =
  | { readonly kind: 'cancelled'; readonly message: string }
  | { readonly kind: 'shutdown' };

/** What webhook handlers tell the follower of jobs dispatched to GitHub Actions (actions/follow-runs.ts). */
export interface ActionsHandle {
  /** A workflow_run / workflow_job event arrived: look at the dispatched jobs now. */
  notify(): void;
}

/** The part of the executor handlers use. */
export interface ExecutorHandle {
  /** A job was queued: look now rather than at the next poll. */
  notify(): void;
  /** Stops the job if it is the one running; false when it is not running here. */
  abort(jobId: number, reason: AbortReason): boolean;
}
