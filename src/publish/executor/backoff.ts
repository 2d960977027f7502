import { httpStatus } from '../github/octokit.js';

/**
 * The App's waits before a retry: its own back-off (jobs, deliveries, check repair) and Octokit's
 * per request. Production runs on the defaults; tests shorten them (test/app/support/scripted-serve.ts).
 */
export interface RetryTiming {
  /** The first back-off; each further attempt doubles it. */
  readonly baseMs: number;
  /** The longest back-off. */
  readonly maxMs: number;
  /** How long one second of Retry-After waits, and Octokit's retry unit (its n-th retry waits n² of it). */
  readonly secondMs: number;
}

export const defaultRetryTiming: RetryTiming = { baseMs: 2000, maxMs: 5 * 60_000, secondMs: 1000 };

/**
 * How long to wait before attempt `attempt + 1` after an error: GitHub's Retry-After when it sent
 * one (a 429 or a secondary rate limit), else exponential from `baseMs`, capped at `maxMs`.
 */
export function retryDelayMs(error: unknown, attempt: number, timing = defaultRetryTiming): number {
  const { baseMs, maxMs, secondMs } = timing;
  const exponential = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  const after = retryAfterSeconds(error);
  return after === undefined ? exponential : Math.max(after * secondMs, Math.min(exponential, maxMs));
}

/** The Retry-After header of an Octokit request error, in seconds. */
export function retryAfterSeconds(error: unknown): number | undefined {
  if (httpStatus(error) === undefined) return undefined;
  const response = (error as { response?: { headers?: Record<string, unknown> } }).response;
  const value = Number(response?.headers?.['retry-after']);
  return Number.isFinite(value) && value >= 0 ? value : undefined;
}
