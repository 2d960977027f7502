import type { Octokit } from './octokit.js';

/** What a bisection of a pull request needs to know of its commits. */
export type PullCommits =
  | {
      readonly kind: 'listed';
      /** Commits of the pull request, as GitHub counts them. */
      readonly count: number;
      /** The parent of its first commit: the good point of a bisection. */
      readonly good: string;
      /** Its last commit (the head). */
      readonly head: string;
    }
  /** Too few or too many to bisect (or GitHub lists none): only counted. */
  | { readonly kind: 'counted'; readonly count: number };

/**
 * The pull request's commit count (pulls.get), and when it lies in `range`, its first commit's
 * parent and its last commit (pulls.listCommits: one page, the range is small). GitHub lists a pull
 * request's commits oldest first.
 */
export async function pullCommits(
  octokit: Octokit,
  pull: { readonly owner: string; readonly repo: string; readonly pullNumber: number },
  range: { readonly min: number; readonly max: number },
  known?: { readonly commits: number },
): Promise<PullCommits> {
  const where = { owner: pull.owner, repo: pull.repo, pull_number: pull.pullNumber };
  const count = known?.commits ?? (await octokit.rest.pulls.get(where)).data.commits;
  if (count < range.min || count > range.max) return { kind: 'counted', count };
  const { data } = await octokit.rest.pulls.listCommits({ ...where, per_page: 100 });
  const first = data[0];
  const last = data.at(-1);
  const good = first?.parents[0]?.sha;
  if (!first || !last || good === undefined) return { kind: 'counted', count };
  return { kind: 'listed', count, good, head: last.sha };
}
