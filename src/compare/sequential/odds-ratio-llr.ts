import binomcoefln from '@stdlib/math-base-special-binomcoefln';
import type { BinomialCount } from '../stats/binomial-count.js';

/** log(Σ exp(terms)) without overflow. */
function logSumExp(terms: readonly number[]): number {
  let max = Number.NEGATIVE_INFINITY;
  for (const t of terms) if (t > max) max = t;
  if (max === Number.NEGATIVE_INFINITY) return max;
  let sum = 0;
  for (const t of terms) sum += Math.exp(t - max);
  return max + Math.log(sum);
}

/**
 * Log-likelihood ratio of one batch pair for "head's odds of failing are `oddsRatio` × base's"
 * against "same odds", conditional on the batch's total number of failures. Given that total,
 * head's share follows Fisher's noncentral hypergeometric distribution, which depends on the odds
 * ratio only: base's unknown failure rate drops out, so the running sum over batches is an exact
 * likelihood ratio whatever base's rate is (and an SPRT on it keeps Wald's error bounds).
 * 0 when the batch carries no information (no failures, or every iteration failed).
 */
export function batchLogLikelihoodRatio(base: BinomialCount, head: BinomialCount, oddsRatio: number): number {
  const total = base.failures + head.failures;
  const lo = Math.max(0, total - base.n);
  const hi = Math.min(total, head.n);
  if (lo >= hi) return 0;
  const logPsi = Math.log(oddsRatio);
  const weights: number[] = [];
  const tilted: number[] = [];
  for (let x = lo; x <= hi; x++) {
    const w = binomcoefln(head.n, x) + binomcoefln(base.n, total - x);
    weights.push(w);
    tilted.push(w + x * logPsi);
  }
  return head.failures * logPsi - logSumExp(tilted) + logSumExp(weights);
}
