import { findCheckRunByName } from '../github/check-run.js';
import { recordPull } from '../handlers/pull-request.js';
import { pullCheckName } from '../jobs/pull-job.js';
import type { Services } from '../services.js';

/**
 * Now and then, the open pull requests of every repository the app knows: a head that has no job
 * and no sigstorm check on GitHub (a delivery GitHub never sent, or one given up) gets a job, as if
 * its `synchronize` had arrived. One repository failing does not stop the others.
 */
export class Reconciler {
  readonly #services: () => Services;
  #lastRun = 0;

  constructor(services: () => Services) {
    this.#services = services;
  }

  async runIfDue(now = Date.now()): Promise<void> {
    const { reconcileIntervalMs } = this.#services().settings;
    if (reconcileIntervalMs === 0 || now - this.#lastRun < reconcileIntervalMs) return;
    this.#lastRun = now;
    await this.run();
  }

  /** One pass; returns the heads that got a job. */
  async run(): Promise<string[]> {
    const services = this.#services();
    const repaired: string[] = [];
    for (const { installationId, owner, repo } of services.store.knownRepos()) {
      try {
        const octokit = await services.auth(installationId);
        const pulls = await octokit.paginate(octokit.rest.pulls.list, {
          owner,
          repo,
          state: 'open',
          per_page: 100,
        });
        for (const pull of pulls) {
          if (services.store.latestForHead(owner, repo, pull.number, pull.head.sha)) continue;
          const check = await findCheckRunByName(octokit, owner, repo, pull.head.sha, pullCheckName);
          if (check !== undefined) continue;
          const deliveryId = `reconcile:${owner}/${repo}#${pull.number}@${pull.head.sha}`;
          await recordPull(services, octokit, {
            deliveryId,
            installationId,
            pull,
            repository: { ...pull.base.repo, owner: { login: owner } },
            trigger: 'reconciled',
            requestedBy: pull.user?.login ?? 'sigstorm',
          });
          repaired.push(`${owner}/${repo}#${pull.number}@${pull.head.sha}`);
        }
      } catch (error) {
        services.log.warn(
          { err: error, repo: `${owner}/${repo}` },
          'sigstorm: reconciliation failed; next pass retries',
        );
      }
    }
    if (repaired.length > 0)
      services.log.info({ repaired }, 'sigstorm: open pull requests without a check got a job');
    return repaired;
  }
}
