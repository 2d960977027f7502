import hypergeometricPmf from '@stdlib/stats-base-dists-hypergeometric-pmf';
import { type BinomialCount, checkCount } from './binomial-count.js';

/** One-sided p-values of Fisher's exact test, head against base. */
export interface FisherPValues {
  /** P(head has this many failures or more | total failures): small when head is worse. */
  readonly worse: number;
  /** P(head has this many failures or fewer | total failures): small when head is better. */
  readonly better: number;
}

/**
 * Fisher's exact test on the 2×2 table (side × failed), both one-sided alternatives. Given the
 * total number of failures, head's share is hypergeometric under "same failure rate"; the p-value
 * is that distribution's tail (R: `fisher.test(..., alternative = "greater" | "less")`).
 */
export function fisherOneSided(base: BinomialCount, head: BinomialCount): FisherPValues {
  checkCount(base, 'base');
  checkCount(head, 'head');
  const population = base.n + head.n;
  const drawn = base.failures + head.failures;
  const lo = Math.max(0, drawn - base.n);
  const hi = Math.min(drawn, head.n);
  let worse = 0;
  let better = 0;
  for (let x = lo; x <= hi; x++) {
    const p = hypergeometricPmf(x, population, head.n, drawn);
    if (x >= head.failures) worse += p;
    if (x <= head.failures) better += p;
  }
  return { worse: Math.min(1, worse), better: Math.min(1, better) };
}
