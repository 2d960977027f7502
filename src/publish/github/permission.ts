import { httpStatus, type Octokit } from './octokit.js';

/**
 * Whether `username` may start or cancel runs: write, maintain or admin on the repository, as the API
 * says (the payload's author_association is not a permission). A user the API does not know: no.
 */
export async function canWrite(
  octokit: Octokit,
  owner: string,
  repo: string,
  username: string,
): Promise<boolean> {
  try {
    const { data } = await octokit.rest.repos.getCollaboratorPermissionLevel({ owner, repo, username });
    // `permission` folds maintain into write; role_name names custom and maintain roles.
    return (
      data.permission === 'admin' ||
      data.permission === 'write' ||
      ['admin', 'maintain', 'write'].includes(data.role_name)
    );
  } catch (error) {
    if (httpStatus(error) === 404) return false;
    throw error;
  }
}
