import { configPath } from '../../config/repo-config.schema.js';
import {
  type ConfigProblem,
  checkRepoConfig,
  parseRepoConfigText,
  type RepoConfigResult,
} from '../../config/repo-config-parse.js';
import { httpStatus, type Octokit } from './octokit.js';

/**
 * Reads `.github/sigstorm.yml` from the default branch with Probot's config loader (which also
 * follows `_extends` and the owner's `.github` repository) and validates it. When it is invalid, the
 * file's text is read once more to point at the line of each problem.
 */
export async function loadRepoConfig(
  octokit: Octokit,
  owner: string,
  repo: string,
): Promise<RepoConfigResult> {
  let value: unknown;
  try {
    ({ config: value } = await octokit.config.get({ owner, repo, path: configPath }));
  } catch (error) {
    if (httpStatus(error) !== undefined) throw error;
    // The loader rejects YAML it cannot parse; the text says where.
    return (
      (await locate(octokit, owner, repo)) ?? invalid(error instanceof Error ? error.message : String(error))
    );
  }
  const checked = checkRepoConfig(value);
  if (checked.ok) return checked;
  return (await locate(octokit, owner, repo)) ?? checked;
}

async function locate(octokit: Octokit, owner: string, repo: string): Promise<RepoConfigResult | undefined> {
  const text = await rawFile(octokit, owner, repo);
  if (text === undefined) return undefined;
  const located = parseRepoConfigText(text);
  // With `_extends`, the problem can be in another file: then the unlocated problems stand.
  return located.ok ? undefined : located;
}

async function rawFile(octokit: Octokit, owner: string, repo: string): Promise<string | undefined> {
  try {
    const response = await octokit.rest.repos.getContent({
      owner,
      repo,
      path: configPath,
      mediaType: { format: 'raw' },
    });
    return typeof response.data === 'string' ? response.data : undefined;
  } catch (error) {
    if (httpStatus(error) === 404) return undefined;
    throw error;
  }
}

function invalid(reason: string): RepoConfigResult {
  const problem: ConfigProblem = { file: configPath, path: '', reason };
  return { ok: false, problems: [problem] };
}
