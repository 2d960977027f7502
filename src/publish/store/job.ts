import { z } from 'zod';
import { VariantName } from '../../compile/variants.js';
import { checkConclusions } from '../../config/repo-config.schema.js';

/**
 * A job is one requested validation, recorded by a webhook handler and run later by the executor.
 * `awaiting_approval` jobs (untrusted code) never run; a maintainer's approval records a new job.
 * `validated`: the validation finished and its result is stored; only publishing it is left (a
 * failed publish retries the publish, never the storms).
 */
export const jobStatuses = [
  'awaiting_approval',
  'queued',
  'running',
  // Waiting on a GitHub Actions run (executor: actions): holds no local slot, resumed by polling after a restart.
  'dispatched',
  'validated',
  'done',
  'failed',
  'cancelled',
] as const;
export type JobStatus = (typeof jobStatuses)[number];

/** What the job asks of the pipeline, beyond base and head (stored as JSON). */
export const JobOptions = z.object({
  workloads: z.array(z.string()).optional(),
  variants: z.array(VariantName).optional(),
  iterations: z.number().int().positive().optional(),
  profile: z.enum(['pr', 'release']),
  /** A bisection of the regressed cells of a validation: the failure-rate rise it showed, per variant. */
  observedRise: z.record(z.string(), z.number()).optional(),
});
export type JobOptions = z.infer<typeof JobOptions>;

/** A validation of a pull request or a release, or the bisection of a pull request's commits. */
export const jobKinds = ['pull_request', 'release', 'bisect'] as const;
export type JobKind = (typeof jobKinds)[number];

/** The cells a validation found regressed (what a bisection of its commits storms), with each variant's rise. */
export const RegressedCells = z.object({
  workloads: z.array(z.string()).min(1),
  variants: z.array(VariantName).min(1),
  observedRise: z.record(z.string(), z.number()),
});
export type RegressedCells = z.infer<typeof RegressedCells>;

/** The fields a handler supplies; the store adds id, status bookkeeping and times. */
export interface NewJob {
  readonly deliveryId: string;
  /** Repository, PR or tag, head sha and trigger: a second delivery of the same request finds the same job. */
  readonly dedupeKey: string;
  readonly kind: JobKind;
  /** What asked for the run, for the check's summary: `opened`, `synchronize`, `/sigstorm run`, … */
  readonly trigger: string;
  readonly installationId: number;
  readonly owner: string;
  readonly repo: string;
  readonly pullNumber: number | null;
  readonly cloneUrl: string;
  readonly baseSha: string;
  /** A display name of the base: branch, or the previous release tag. */
  readonly baseLabel: string;
  readonly headSha: string;
  readonly headLabel: string;
  readonly options: JobOptions;
  readonly checkName: string;
  /** Who asked (login), for the check summary. */
  readonly requestedBy: string;
  /**
   * When GitHub last saw the pull request in the state this job runs (its `updated_at`), then the
   * delivery's arrival: sorts heads, so a late delivery never supersedes a newer head's job.
   */
  readonly orderKey?: string;
}

/** Why a job waits for a maintainer's approval: its code comes from a fork, or from an author without write access. */
export const UntrustedReason = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('fork'), repo: z.string() }),
  z.object({ kind: z.literal('permission'), author: z.string() }),
]);
export type UntrustedReason = z.infer<typeof UntrustedReason>;

/** What a finished validation left for publishing: enough to write the comment and complete the check. */
export const StoredResult = z.object({
  conclusion: z.enum(checkConclusions),
  headline: z.string(),
  markdown: z.string(),
  outDir: z.string(),
  /** What the report comment may do (the config's `comment` setting, decided with the verdict); absent in older stores: write. */
  comment: z.enum(['write', 'update-only', 'none']).default('write'),
  /** A validation whose stability verdict is a regression: its regressed cells (what a bisection would storm). */
  regressedCells: RegressedCells.nullable().default(null),
  /** Check-run annotations at the findings' source lines, most severe first (report/annotations.ts). */
  annotations: z
    .array(
      z.object({
        path: z.string(),
        start_line: z.number().int().positive(),
        end_line: z.number().int().positive(),
        annotation_level: z.enum(['failure', 'warning']),
        title: z.string(),
        message: z.string(),
      }),
    )
    .default([]),
});
export type StoredResult = z.infer<typeof StoredResult>;
export type StoredResultInput = z.input<typeof StoredResult>;

/**
 * A job dispatched to GitHub Actions (executor: actions): the workflow run that validates it, found
 * by `runId` (or, when GitHub did not return it, by `correlation` in the run's name), and progress.
 */
export const ActionsRun = z.object({
  workflow: z.string(),
  /** The `sigstorm-job` input of the dispatch; the caller workflow's run-name carries it. */
  correlation: z.string(),
  runId: z.number().int().nullable(),
  htmlUrl: z.string().nullable(),
  shards: z.number().int().positive(),
  /** Shard jobs completed so far (any conclusion). */
  done: z.number().int().nonnegative(),
  /** Iterations per side in the blobs of the shards read so far (shard number → counts), for progress. */
  iterations: z
    .record(
      z.string(),
      z.object({ base: z.number().int().nonnegative(), head: z.number().int().nonnegative() }),
    )
    .default({}),
  dispatchedAt: z.string(),
  /** The branch dispatched on and the inputs given, so that a dispatch again gives the same (absent in older stores). */
  ref: z.string().optional(),
  inputs: z.record(z.string(), z.string()).optional(),
  /** The config the run was given, as YAML text: the merge judges by this one (absent in older stores). */
  config: z.string().optional(),
  /** Dispatches made so far: a run GitHub never shows is dispatched again, a bounded number of times. */
  dispatches: z.number().int().positive().default(1),
  /** Correlation ids of the earlier dispatches whose runs GitHub never showed (cancelled with this one). */
  earlier: z.array(z.string()).default([]),
});
export type ActionsRun = z.infer<typeof ActionsRun>;
/** What the store takes: the fields with defaults may be left out (older callers, tests). */
export type ActionsRunInput = z.input<typeof ActionsRun>;

export interface Job extends NewJob {
  readonly id: number;
  readonly status: JobStatus;
  readonly attempts: number;
  readonly checkRunId: number | null;
  /** Why the job ended the way it did (error text, superseding commit, …). */
  readonly note: string | null;
  readonly conclusion: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly orderKey: string;
  /** The stored result of a finished validation (status `validated`, or `running` while publishing). */
  readonly result: StoredResult | null;
  /** Its check run reached its final state on GitHub (a terminal job whose check did not is finished later). */
  readonly checkFinal: boolean;
  /** Set on a job recorded as waiting for approval. */
  readonly untrusted: UntrustedReason | null;
  /** Set once the job is dispatched to GitHub Actions (absent in older stores: null). */
  readonly actionsRun: ActionsRun | null;
}

export function shortSha(sha: string): string {
  return sha.slice(0, 7);
}
