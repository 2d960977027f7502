import type { AppSettings } from '../services.js';
import type { Job } from '../store/job.js';

/**
 * Where the pipeline clones base and head from. Normally the repository's clone URL with the
 * installation token (valid one hour, scoped to the installation's repositories). SIGSTORM_REPO_MAP
 * (tests, offline mirrors) maps "owner/repo" to a local git repository instead.
 */
export function repoSource(
  job: Pick<Job, 'owner' | 'repo' | 'cloneUrl'>,
  settings: AppSettings,
  token: () => Promise<string>,
): Promise<string> {
  const local = settings.repoMap.get(`${job.owner}/${job.repo}`);
  if (local !== undefined) return Promise.resolve(local);
  return token().then((value) => withToken(job.cloneUrl, value));
}

export function withToken(cloneUrl: string, token: string): string {
  const url = new URL(cloneUrl);
  url.username = 'x-access-token';
  url.password = token;
  return url.toString();
}

/**
 * Removes credentials from a text that leaves the host (comments, check runs, logs): URLs' user
 * info, tokens, keys and the App's registered secrets (messages/redact.ts).
 */
export { redact as redactCredentials } from '../messages/redact.js';
