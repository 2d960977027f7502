import { isNoiseOnly } from '../../classify/family.js';
import { isFailure, outcomeClass } from '../../classify/outcome.js';
import type { IterationRecord } from '../../storm/record.js';
import type { BinomialCount } from '../stats/binomial-count.js';

/**
 * Judged iterations and failures of a batch of records, as the rate tests count them: not-judged
 * kinds (harness errors) are in neither, noise-only sanitizer outcomes (see isNoiseOnly) count as clean.
 */
export function countBatch(
  records: Iterable<IterationRecord>,
  noisyFamilies: readonly string[] = [],
): BinomialCount {
  let n = 0;
  let failures = 0;
  for (const { target } of records) {
    if (outcomeClass[target.outcome.kind] === 'not-judged') continue;
    n++;
    if (isFailure(target.outcome) && !isNoiseOnly(target.outcome, noisyFamilies)) failures++;
  }
  return { n, failures };
}
