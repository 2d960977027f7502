import { warmBase } from '../../pipeline/warm-base.js';
import { defaultSandboxLimits } from '../../sandbox/sandbox.schema.js';
import { describeError } from '../../util/errors.js';
import { loadRepoConfig } from '../github/load-config.js';
import type { Services } from '../services.js';
import type { WarmBase } from '../store/warm-base-store.js';
import { prepareCache } from './prepare-cache.js';
import { installationToken, jobRequest } from './run-job.js';
import { redactCredentials, repoSource } from './source.js';

/**
 * Runs one claimed warm-up: the base side of every cell of the repository's pull-request request
 * (its config, the pr profile, the host's cap), stormed into the base-results cache with the seed,
 * lanes and sandbox a pull request against this commit will use. Stopped by `signal` (a job
 * arrived, or the app stops): back in the queue, what ran is kept. Nothing is posted to GitHub.
 */
export async function runWarmBase(services: Services, warm: WarmBase, signal: AbortSignal): Promise<void> {
  const { store, settings } = services;
  const log = services.log.child({ warmBase: warm.id, sha: warm.sha });
  try {
    await prepareCache(services);
    const octokit = await services.auth(warm.installationId);
    const config = await loadRepoConfig(octokit, warm.owner, warm.repo);
    if (!config.ok) {
      store.warmBases.fail(warm.id, 'invalid config: pull requests will report it');
      return;
    }
    const repo = await repoSource(warm, settings, () => installationToken(octokit));
    const request = {
      ...jobRequest(
        { baseSha: warm.sha, headSha: warm.sha, cloneUrl: warm.cloneUrl, options: { profile: 'pr' } },
        config.config,
        repo,
        settings.iterationsCap,
      ),
      // As every job: the repository's code runs only in the sandbox.
      sandbox: { kind: 'bwrap', limits: settings.sandboxLimits ?? defaultSandboxLimits } as const,
    };
    log.info('sigstorm: warming base');
    const result = await warmBase(request, { signal });
    const note = `${result.cells} cells × ${result.share} base iterations${result.noisyCells.length > 0 ? `; ${result.noisyCells.join(', ')} to ${result.deep}` : ''}`;
    store.warmBases.finish(warm.id, { ran: result.ran, alreadyCached: result.alreadyCached, note });
    log.info(
      { ran: result.ran, alreadyCached: result.alreadyCached, seconds: result.seconds },
      'sigstorm: base warm',
    );
  } catch (error) {
    if (signal.aborted) {
      store.warmBases.requeue(warm.id, 'stopped for a job; what ran is cached');
      log.info('sigstorm: base warm-up paused for a job');
      return;
    }
    const note = redactCredentials(describeError(error));
    store.warmBases.fail(warm.id, note);
    log.warn({ error: note }, 'sigstorm: base warm-up failed; pull requests will storm base themselves');
  }
}
