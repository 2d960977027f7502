import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';
import { type BinomialCount, checkCount } from './binomial-count.js';

export interface Interval {
  readonly lower: number;
  readonly upper: number;
  /** Two-sided confidence level, e.g. 0.95. */
  readonly confidence: number;
}

/**
 * Wilson score interval for a failure rate: never degenerate at 0 or n failures and close to its
 * nominal coverage even for small n, unlike the Wald interval. `null` when n = 0.
 */
export function wilsonInterval(count: BinomialCount, confidence = 0.95): Interval | null {
  checkCount(count);
  const { n, failures } = count;
  if (n === 0) return null;
  const z = normalQuantile(1 - (1 - confidence) / 2, 0, 1);
  const p = failures / n;
  const z2n = (z * z) / n;
  const centre = (p + z2n / 2) / (1 + z2n);
  const half = (z / (1 + z2n)) * Math.sqrt((p * (1 - p)) / n + z2n / (4 * n));
  // The exact ends are 0 and 1 when no / every iteration failed; rounding must not move them.
  const lower = failures === 0 ? 0 : Math.max(0, centre - half);
  const upper = failures === n ? 1 : Math.min(1, centre + half);
  return { lower, upper, confidence };
}
