import type { Context } from 'probot';
import type { Services } from '../services.js';

/**
 * A push to the default branch: its commit is the base of the pull requests to come, so its base
 * side is warmed in the background (docs/github-app.md, "Base warm-up"). Other branches, deleted
 * branches and tags are not warmed.
 */
export async function onDefaultBranchPush(services: Services, context: Context<'push'>): Promise<void> {
  const { ref, deleted, after, installation, repository } = context.payload;
  if (!installation || deleted || ref !== `refs/heads/${repository.default_branch}`) return;
  const [owner = ''] = repository.full_name.split('/');
  const created = services.store.warmBases.enqueue({
    installationId: installation.id,
    owner,
    repo: repository.name,
    cloneUrl: repository.clone_url,
    sha: after,
    branch: repository.default_branch,
  });
  services.log.info(
    { repo: repository.full_name, sha: after, created },
    'sigstorm: base warm-up recorded for the default branch',
  );
  if (created) services.executor.notify();
}
