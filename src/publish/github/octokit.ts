import type { ProbotOctokit } from 'probot';

/** An installation-authenticated client, as Probot hands it to handlers or `app.auth(id)` returns it. */
export type Octokit = InstanceType<typeof ProbotOctokit>;

/** The HTTP status of an Octokit request error, or undefined for anything else. */
export function httpStatus(error: unknown): number | undefined {
  if (typeof error === 'object' && error !== null && 'status' in error && typeof error.status === 'number') {
    return error.status;
  }
  return undefined;
}
