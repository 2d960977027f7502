import { cdfOfCounts, type IntervalRanks, intervalRanks } from './rank-interval.js';

/** Above this many pairs the normal approximation replaces the exact distribution (R uses 50 per side). */
const exactPairLimit = 2500;

/**
 * P(U ≤ u) for u = 0 … n·m, where U is the Mann–Whitney statistic of two samples of sizes n and m
 * drawn from one continuous distribution (R: `pwilcox(u, n, m)`). Counted exactly with the
 * recurrence N(i, j, u) = N(i − 1, j, u − j) + N(i, j − 1, u): additions only, so no cancellation.
 */
export function mannWhitneyCdf(n: number, m: number): Float64Array {
  if (!Number.isInteger(n) || !Number.isInteger(m) || n < 0 || m < 0) {
    throw new RangeError(`mannWhitneyCdf: sample sizes must be non-negative integers, got ${n} and ${m}`);
  }
  // prev[j] holds the counts for (i − 1, j), cur[j] for (i, j); index u.
  let prev: Float64Array[] = Array.from({ length: m + 1 }, () => Float64Array.of(1));
  for (let i = 1; i <= n; i++) {
    const cur: Float64Array[] = [Float64Array.of(1)];
    for (let j = 1; j <= m; j++) {
      const counts = new Float64Array(i * j + 1);
      const left = cur[j - 1] as Float64Array;
      const up = prev[j] as Float64Array;
      for (let u = 0; u < left.length; u++) counts[u] = left[u] as number;
      for (let u = 0; u < up.length; u++) counts[u + j] = (counts[u + j] as number) + (up[u] as number);
      cur.push(counts);
    }
    prev = cur;
  }
  return cdfOfCounts(prev[m] as Float64Array);
}

/**
 * Which order statistics of the pairwise differences bound a two-sided `confidence` interval for a
 * shift (Bauer 1972; R: `wilcox.test(x, y, conf.int = TRUE)`). `null` when even the widest
 * interval, from the smallest to the largest difference, cannot reach that confidence.
 */
export function shiftIntervalRanks(n: number, m: number, confidence: number): IntervalRanks | null {
  const pairs = n * m;
  return intervalRanks(
    pairs,
    confidence,
    pairs <= exactPairLimit ? () => mannWhitneyCdf(n, m) : null,
    (pairs * (n + m + 1)) / 12,
  );
}
