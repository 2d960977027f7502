import type { RepoConfig } from '../../config/repo-config.schema.js';
import type { ValidateRequest } from '../../pipeline/contract.js';
import type { Job } from '../store/job.js';

/**
 * The pipeline request for a job: what the job asked for (a slash command's arguments), else the
 * repository config for its profile, else the pipeline's defaults; never more iterations than the
 * host's cap. Thresholds come from the config whatever the profile.
 */
export function buildRequest(job: Job, config: RepoConfig, repo: string, iterationsCap: number | undefined) {
  const profile = job.options.profile;
  const fromConfig = profile === 'release' ? config.release : config;
  const workloads = job.options.workloads ?? fromConfig.workloads;
  const variants = job.options.variants ?? fromConfig.variants;
  const asked = job.options.iterations ?? fromConfig.iterations;
  const iterations = iterationsCap === undefined ? asked : Math.min(asked ?? iterationsCap, iterationsCap);
  const { budgetSeconds, throughputRuns } = fromConfig;
  const request: ValidateRequest = {
    base: { repo, ref: job.baseSha },
    head: { repo, ref: job.headSha },
    profile,
    thresholds: config.thresholds,
    ...(budgetSeconds !== undefined ? { budgetSeconds } : {}),
    ...(throughputRuns !== undefined ? { throughputRuns } : {}),
    ...(workloads ? { workloads } : {}),
    ...(variants ? { variants } : {}),
    ...(iterations !== undefined ? { iterations } : {}),
  };
  return request;
}
