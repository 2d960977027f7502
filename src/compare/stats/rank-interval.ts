import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';

/** Which order statistics bound a distribution-free interval, and the coverage they give. */
export interface IntervalRanks {
  /** 1-based rank of the lower end among the sorted statistics (pairwise differences, Walsh averages). */
  readonly lower: number;
  /** 1-based rank of the upper end. */
  readonly upper: number;
  /** The coverage these ranks actually give (≥ the nominal one when exact). */
  readonly achievedConfidence: number;
  readonly method: 'exact' | 'normal';
}

/** A rank statistic's null distribution as P(S ≤ s) from its exact counts N(s) (additions only, so no cancellation). */
export function cdfOfCounts(counts: Float64Array): Float64Array {
  let total = 0;
  for (const c of counts) total += c;
  const cdf = new Float64Array(counts.length);
  let running = 0;
  counts.forEach((c, s) => {
    running += c;
    cdf[s] = Math.min(1, running / total);
  });
  return cdf;
}

/**
 * The ranks among `statistics` sorted values (0 … statistics under the null) that bound a two-sided
 * `confidence` interval: from the exact null cdf when `exactCdf` is given (R's qwilcox / qsignrank:
 * k = smallest s with P(S ≤ s) ≥ tail, and the interval drops k − 1 values per end), else from the
 * normal approximation with the statistic's null `variance`. `null` when even the widest interval,
 * from the smallest to the largest value, cannot reach that confidence.
 */
export function intervalRanks(
  statistics: number,
  confidence: number,
  exactCdf: (() => Float64Array) | null,
  variance: number,
): IntervalRanks | null {
  if (statistics === 0) return null;
  const tail = (1 - confidence) / 2;
  if (exactCdf) {
    const cdf = exactCdf();
    let k = 0;
    while (k < cdf.length && (cdf[k] as number) < tail) k++;
    if (k === 0) return null;
    const outside = cdf[k - 1] as number;
    return { lower: k, upper: statistics - k + 1, achievedConfidence: 1 - 2 * outside, method: 'exact' };
  }
  const z = normalQuantile(1 - tail, 0, 1);
  const k = Math.floor(statistics / 2 - z * Math.sqrt(variance));
  if (k < 1) return null;
  return { lower: k, upper: statistics - k + 1, achievedConfidence: confidence, method: 'normal' };
}
