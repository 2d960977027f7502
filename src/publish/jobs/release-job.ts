import type { NewJob } from '../store/job.js';
import type { RepoInfo } from './pull-job.js';

/** A separate name from the PR check, so a release process can require exactly this one. */
export const releaseCheckName = 'sigstorm release';

export interface ReleaseJobRequest {
  readonly deliveryId: string;
  readonly installationId: number;
  readonly repository: RepoInfo;
  readonly tag: string;
  readonly tagSha: string;
  readonly previousTag: string;
  readonly previousSha: string;
  readonly trigger: string;
  readonly requestedBy: string;
}

/**
 * The release gate: the tag's commit against the previous release's, release profile. The same tag
 * and commit from a release event and a tag push make one job.
 */
export function releaseJob(request: ReleaseJobRequest): NewJob {
  const { repository: repo } = request;
  return {
    deliveryId: request.deliveryId,
    dedupeKey: `${repo.full_name}@${request.tag}@${request.tagSha}:release`,
    kind: 'release',
    trigger: request.trigger,
    installationId: request.installationId,
    owner: repo.owner.login,
    repo: repo.name,
    pullNumber: null,
    cloneUrl: repo.clone_url,
    baseSha: request.previousSha,
    baseLabel: request.previousTag,
    headSha: request.tagSha,
    headLabel: request.tag,
    options: { profile: 'release' },
    checkName: releaseCheckName,
    requestedBy: request.requestedBy,
  };
}
