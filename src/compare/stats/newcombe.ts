import { type BinomialCount, checkCount } from './binomial-count.js';
import { type Interval, wilsonInterval } from './wilson.js';

export interface DifferenceInterval extends Interval {
  /** head's failure rate minus base's. */
  readonly estimate: number;
}

/**
 * Interval for the difference of two failure rates, head − base, by Newcombe's hybrid score method
 * (his method 10) built from the two Wilson intervals. Good coverage near 0 and 1, where the
 * failure rates of healthy trees live. `null` when either side judged nothing.
 */
export function newcombeDifference(
  base: BinomialCount,
  head: BinomialCount,
  confidence = 0.95,
): DifferenceInterval | null {
  checkCount(base, 'base');
  checkCount(head, 'head');
  const wb = wilsonInterval(base, confidence);
  const wh = wilsonInterval(head, confidence);
  if (wb === null || wh === null) return null;
  const pb = base.failures / base.n;
  const ph = head.failures / head.n;
  const estimate = ph - pb;
  const lower = estimate - Math.hypot(ph - wh.lower, wb.upper - pb);
  const upper = estimate + Math.hypot(wh.upper - ph, pb - wb.lower);
  return { estimate, lower: Math.max(-1, lower), upper: Math.min(1, upper), confidence };
}
