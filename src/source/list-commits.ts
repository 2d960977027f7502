import { resolve } from 'node:path';
import { UsageError } from '../util/errors.js';
import { cacheRoot } from '../util/paths.js';
import { git, isGitUrl, locateGit, resolveCommit } from './git.js';
import { mirrorCommit } from './repo-mirror.js';

export interface Commit {
  readonly commit: string;
  readonly subject: string;
}

/**
 * The commits from `good` (exclusive) to `bad` (inclusive) in the order they were made, along the
 * first parents (a merged branch counts as its merge commit): the candidates of a bisection.
 */
export async function listCommits(
  repo: string,
  good: string,
  bad: string,
  options: { signal?: AbortSignal | undefined; onProgress?: (message: string) => void } = {},
): Promise<{ good: string; commits: Commit[] }> {
  const gitDir = isGitUrl(repo)
    ? (
        await mirrorCommit(repo, bad, {
          cacheRoot: cacheRoot(),
          signal: options.signal,
          ...(options.onProgress ? { onProgress: options.onProgress } : {}),
        })
      ).gitDir
    : (await locateGit(resolve(repo)))?.gitDir;
  if (!gitDir) {
    throw new UsageError(`${repo} is not a git repository`, {
      hint: '--good and --bad need a repository with history: give its path or URL with --repo.',
    });
  }
  const ids: Record<'good' | 'bad', string> = { good: '', bad: '' };
  for (const [which, ref] of [
    ['good', good],
    ['bad', bad],
  ] as const) {
    const id = await resolveCommit(gitDir, ref);
    if (!id)
      throw new UsageError(`--${which} ${ref}: no such commit in ${repo}`, {
        hint: 'Give a branch, tag or commit id that exists there.',
      });
    ids[which] = id;
  }
  const ancestor = await git(['merge-base', '--is-ancestor', ids.good, ids.bad], { cwd: gitDir });
  if (!ancestor.ok) {
    throw new UsageError(`--good ${good} is not an ancestor of --bad ${bad}`, {
      hint: 'Bisection walks the history from the good commit to the bad one: give a good commit the bad one descends from.',
    });
  }
  const log = await git(['log', '--first-parent', '--reverse', '--format=%H %s', `${ids.good}..${ids.bad}`], {
    cwd: gitDir,
    signal: options.signal,
  });
  if (!log.ok) throw new UsageError(`Cannot list the commits ${good}..${bad}`, { details: log.stderr });
  const commits = log.stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => ({ commit: line.slice(0, 40), subject: line.slice(41) }));
  if (commits.length === 0)
    throw new UsageError(`--good ${good} and --bad ${bad} are the same commit`, {
      hint: 'Give a bad commit after the good one.',
    });
  return { good: ids.good, commits };
}
