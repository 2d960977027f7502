import { httpStatus } from '../github/octokit.js';

/**
 * How long to wait before attempt `attempt + 1` after an error: GitHub's Retry-After when it sent
 * one (a 429 or a secondary rate limit), else exponential from `baseMs`, capped at `maxMs`.
 */
export function retryDelayMs(error: unknown, attempt: number, baseMs = 2000, maxMs = 5 * 60_000): number {
  const exponential = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  const after = retryAfterSeconds(error);
  return after === undefined ? exponential : Math.max(after * 1000, Math.min(exponential, maxMs));
}

/** The Retry-After header of an Octokit request error, in seconds. */
export function retryAfterSeconds(error: unknown): number | undefined {
  if (httpStatus(error) === undefined) return undefined;
  const response = (error as { response?: { headers?: Record<string, unknown> } }).response;
  const value = Number(response?.headers?.['retry-after']);
  return Number.isFinite(value) && value >= 0 ? value : undefined;
}
