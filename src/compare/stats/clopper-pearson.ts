import betaQuantile from '@stdlib/stats-base-dists-beta-quantile';
import { type BinomialCount, checkCount } from './binomial-count.js';

/**
 * Exact one-sided (Clopper–Pearson) upper bound of a failure rate: the largest rate still
 * consistent with the count at `confidence`. With no failures it is 1 − (1 − confidence)^(1/n),
 * the "rule of three" (≈ 3/n at 95%): "0 of 2,000: at most 0.15% at 95%". 1 when n = 0.
 */
export function upperBound(count: BinomialCount, confidence = 0.95): number {
  checkCount(count);
  const { n, failures } = count;
  if (failures === n) return 1;
  return betaQuantile(confidence, failures + 1, n - failures);
}

/** Exact one-sided lower bound, the mirror of `upperBound`. 0 when n = 0. */
export function lowerBound(count: BinomialCount, confidence = 0.95): number {
  checkCount(count);
  const { n, failures } = count;
  if (failures === 0) return 0;
  return betaQuantile(1 - confidence, failures, n - failures + 1);
}
