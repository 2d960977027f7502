import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';

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
  const counts = prev[m] as Float64Array;
  let total = 0;
  for (const c of counts) total += c;
  const cdf = new Float64Array(counts.length);
  let running = 0;
  counts.forEach((c, u) => {
    running += c;
    cdf[u] = Math.min(1, running / total);
  });
  return cdf;
}

export interface ShiftRanks {
  /** 1-based rank of the lower end among the n·m sorted pairwise differences. */
  readonly lower: number;
  /** 1-based rank of the upper end. */
  readonly upper: number;
  /** The coverage these ranks actually give (≥ the nominal one when exact). */
  readonly achievedConfidence: number;
  readonly method: 'exact' | 'normal';
}

/**
 * Which order statistics of the pairwise differences bound a two-sided `confidence` interval for a
 * shift (Bauer 1972; R: `wilcox.test(x, y, conf.int = TRUE)`). `null` when even the widest
 * interval, from the smallest to the largest difference, cannot reach that confidence.
 */
export function shiftIntervalRanks(n: number, m: number, confidence: number): ShiftRanks | null {
  const pairs = n * m;
  if (pairs === 0) return null;
  const tail = (1 - confidence) / 2;
  if (pairs <= exactPairLimit) {
    const cdf = mannWhitneyCdf(n, m);
    // k = smallest u with P(U ≤ u) ≥ tail (R's qwilcox); the interval drops k − 1 differences per end.
    let k = 0;
    while (k < cdf.length && (cdf[k] as number) < tail) k++;
    if (k === 0) return null;
    const outside = cdf[k - 1] as number;
    return { lower: k, upper: pairs - k + 1, achievedConfidence: 1 - 2 * outside, method: 'exact' };
  }
  const z = normalQuantile(1 - tail, 0, 1);
  const k = Math.floor(pairs / 2 - z * Math.sqrt((pairs * (n + m + 1)) / 12));
  if (k < 1) return null;
  return { lower: k, upper: pairs - k + 1, achievedConfidence: confidence, method: 'normal' };
}
