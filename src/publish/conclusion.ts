import type { CheckConclusion, RepoConfig } from '../config/repo-config.schema.js';
import type { ValidateResult } from '../pipeline/contract.js';

const severity: Record<CheckConclusion, number> = { success: 0, neutral: 1, failure: 2 };

/** The check conclusion for a verdict under the repository's policy: the worse of stability and throughput. */
export function conclusionFor(
  verdict: ValidateResult['verdict'],
  policy: RepoConfig['policy'],
): CheckConclusion {
  const stability = policy.stability[verdict.stability];
  const throughput = policy.throughput[verdict.throughput];
  return severity[stability] >= severity[throughput] ? stability : throughput;
}
