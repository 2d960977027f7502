import { z } from 'zod';
import { VariantName } from '../../build/variants.js';

/**
 * A job is one requested validation, recorded by a webhook handler and run later by the executor.
 * `awaiting_approval` jobs (untrusted code) never run; a maintainer's approval records a new job.
 */
export const jobStatuses = ['awaiting_approval', 'queued', 'running', 'done', 'failed', 'cancelled'] as const;
export type JobStatus = (typeof jobStatuses)[number];

/** What the job asks of the pipeline, beyond base and head (stored as JSON). */
export const JobOptions = z.object({
  workloads: z.array(z.string()).optional(),
  variants: z.array(VariantName).optional(),
  iterations: z.number().int().positive().optional(),
  profile: z.enum(['pr', 'release']),
});
export type JobOptions = z.infer<typeof JobOptions>;

export type JobKind = 'pull_request' | 'release';

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
}

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
}

export function isActive(job: Job): boolean {
  return job.status === 'queued' || job.status === 'running' || job.status === 'awaiting_approval';
}

export function shortSha(sha: string): string {
  return sha.slice(0, 7);
}
