import type { BinomialCount } from '../stats/binomial-count.js';
import { upperBound } from '../stats/clopper-pearson.js';
import { newcombeDifference } from '../stats/newcombe.js';

export interface DifferenceBound {
  /** One-sided upper bound of head's failure rate minus base's. */
  readonly upper: number;
  readonly rule: 'head-clean' | 'difference';
}

/**
 * An upper bound of head − base that is wrong with probability at most `level`. With no head
 * failures the exact Clopper–Pearson bound of head's rate (head − base ≤ head); otherwise the
 * one-sided end of Newcombe's hybrid score interval, which lets base's persisting failures offset
 * head's. `null` when a side judged nothing.
 */
export function differenceBound(
  base: BinomialCount,
  head: BinomialCount,
  level: number,
): DifferenceBound | null {
  if (base.n === 0 || head.n === 0) return null;
  if (head.failures === 0) return { upper: upperBound(head, 1 - level), rule: 'head-clean' };
  const d = newcombeDifference(base, head, 1 - 2 * level);
  return d && { upper: Math.max(0, d.upper), rule: 'difference' };
}
