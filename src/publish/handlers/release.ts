import type { Context } from 'probot';
import { RepoConfig } from '../../config/repo-config.schema.js';
import { loadRepoConfig } from '../github/load-config.js';
import type { Octokit } from '../github/octokit.js';
import { enqueue } from '../jobs/enqueue.js';
import type { RepoInfo } from '../jobs/pull-job.js';
import { releaseCheckName, releaseJob } from '../jobs/release-job.js';
import type { Services } from '../services.js';
import { onDefaultBranchPush } from './default-branch-push.js';

interface GateRequest {
  readonly deliveryId: string;
  readonly installationId: number;
  readonly repository: RepoInfo;
  readonly tag: string;
  readonly prerelease: boolean;
  readonly trigger: string;
  readonly requestedBy: string;
}

/** A release was published: gate it. */
export function onReleasePublished(services: Services) {
  return async (context: Context<'release.published'>): Promise<void> => {
    const { release, installation, repository, sender } = context.payload;
    if (!installation) return;
    await gateRelease(services, context.octokit, {
      deliveryId: context.id,
      installationId: installation.id,
      repository,
      tag: release.tag_name,
      prerelease: release.prerelease,
      trigger: 'release published',
      requestedBy: sender?.login ?? 'unknown',
    });
  };
}

/**
 * A tag was pushed: gate it when it matches the repository's release tag patterns. A push to the
 * default branch warms its base side instead (default-branch-push.ts).
 */
export function onPush(services: Services) {
  return async (context: Context<'push'>): Promise<void> => {
    if (context.payload.ref.startsWith('refs/heads/')) return onDefaultBranchPush(services, context);
    const { ref, created, deleted, installation, repository, sender } = context.payload;
    if (!installation || !created || deleted || !ref.startsWith('refs/tags/')) return;
    const tag = ref.slice('refs/tags/'.length);
    const [owner = ''] = repository.full_name.split('/');
    const loaded = await loadRepoConfig(context.octokit, owner, repository.name);
    // An invalid config still gates the default patterns; the run itself reports the config error.
    const patterns = (loaded.ok ? loaded.config : RepoConfig.parse({})).release.tags;
    if (!patterns.some((pattern) => globMatch(pattern, tag))) return;
    await gateRelease(services, context.octokit, {
      deliveryId: context.id,
      installationId: installation.id,
      repository: { ...repository, owner: { login: owner } },
      tag,
      prerelease: false,
      trigger: 'tag pushed',
      requestedBy: sender?.login ?? 'unknown',
    });
  };
}

/** `*` matches any run of characters; everything else literally. */
export function globMatch(pattern: string, text: string): boolean {
  const regex = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${regex}$`).test(text);
}

async function gateRelease(services: Services, octokit: Octokit, request: GateRequest): Promise<void> {
  const { owner, name: repo } = { owner: request.repository.owner.login, name: request.repository.name };
  const tagSha = await commitOf(octokit, owner, repo, request.tag);
  const previous = await previousRelease(octokit, owner, repo, request.tag, request.prerelease);
  if (!previous) {
    await octokit.rest.checks.create({
      owner,
      repo,
      name: releaseCheckName,
      head_sha: tagSha,
      status: 'completed',
      conclusion: 'neutral',
      completed_at: new Date().toISOString(),
      output: {
        title: 'No previous release to compare with',
        summary: `\`${request.tag}\` is the first release sigstorm found in this repository, so there is no base to compare it with. The next release will be compared with this one.`,
      },
    });
    return;
  }
  const previousSha = await commitOf(octokit, owner, repo, previous);
  await enqueue(services, octokit, releaseJob({ ...request, tagSha, previousTag: previous, previousSha }));
}

async function commitOf(octokit: Octokit, owner: string, repo: string, tag: string): Promise<string> {
  // `tags/NAME` resolves annotated and lightweight tags to the commit, never a branch of the same name.
  const { data } = await octokit.rest.repos.getCommit({ owner, repo, ref: `tags/${tag}` });
  return data.sha;
}

/**
 * The release before `tag`: the newest published (not draft) release with another tag; a full
 * release is compared with full releases only, a pre-release with anything published.
 */
async function previousRelease(
  octokit: Octokit,
  owner: string,
  repo: string,
  tag: string,
  prerelease: boolean,
): Promise<string | undefined> {
  const { data } = await octokit.rest.repos.listReleases({ owner, repo, per_page: 100 });
  const current = data.find((release) => release.tag_name === tag);
  const before = current?.published_at ?? new Date().toISOString();
  const candidates = data
    .filter((r) => !r.draft && r.tag_name !== tag && r.published_at !== null && r.published_at <= before)
    .filter((r) => prerelease || !r.prerelease)
    .sort((a, b) => (b.published_at ?? '').localeCompare(a.published_at ?? ''));
  return candidates[0]?.tag_name;
}
