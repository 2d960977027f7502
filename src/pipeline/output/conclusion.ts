import type { CheckConclusion, RepoConfig } from '../../config/repo-config.schema.js';
import type { ValidateResult } from '../request/contract.js';

const severity: Record<CheckConclusion, number> = { success: 0, neutral: 1, failure: 2 };

/**
 * The conclusion of a verdict under the repository's policy, the worse of stability and throughput:
 * the App's check conclusion and the CLI's (and so the Actions workflow's) gate, decided here once.
 */
export function conclusionFor(
  verdict: ValidateResult['verdict'],
  policy: RepoConfig['policy'],
): CheckConclusion {
  const stability = policy.stability[verdict.stability];
  const throughput = policy.throughput[verdict.throughput];
  return severity[stability] >= severity[throughput] ? stability : throughput;
}
