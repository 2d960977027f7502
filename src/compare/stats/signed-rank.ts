import { assertPositiveSamples } from './hodges-lehmann.js';
import { median } from './median.js';
import { cdfOfCounts, type IntervalRanks, intervalRanks } from './rank-interval.js';

/** Above this many pairs the normal approximation replaces the exact distribution (R switches at 50). */
const exactPairLimit = 400;

/**
 * P(T ≤ t) for t = 0 … n(n+1)/2, where T is Wilcoxon's signed-rank statistic of n differences drawn
 * from a distribution symmetric about 0 (R: `psignrank(t, n)`). Each rank is positive with
 * probability ½ independently, so the counts follow N(k, t) = N(k − 1, t) + N(k − 1, t − k):
 * additions only, no cancellation.
 */
export function signedRankCdf(n: number): Float64Array {
  if (!Number.isInteger(n) || n < 0) {
    throw new RangeError(`signedRankCdf: the number of pairs must be a non-negative integer, got ${n}`);
  }
  const max = (n * (n + 1)) / 2;
  const counts = new Float64Array(max + 1);
  counts[0] = 1;
  for (let k = 1; k <= n; k++) {
    const top = (k * (k + 1)) / 2;
    for (let t = top; t >= k; t--) counts[t] = (counts[t] as number) + (counts[t - k] as number);
  }
  return cdfOfCounts(counts);
}

/**
 * Which order statistics of the Walsh averages bound a two-sided `confidence` interval for the
 * centre of n paired differences (R: `wilcox.test(d, conf.int = TRUE)`). `null` when even the
 * widest interval cannot reach that confidence (fewer than 6 pairs at 95%).
 */
export function walshIntervalRanks(n: number, confidence: number): IntervalRanks | null {
  // Looks and simulations ask for the same few (n, confidence) again and again.
  const key = `${n}:${confidence}`;
  if (!rankCache.has(key)) {
    if (rankCache.size > 10_000) rankCache.clear();
    rankCache.set(key, computeWalshRanks(n, confidence));
  }
  return rankCache.get(key) ?? null;
}

const rankCache = new Map<string, IntervalRanks | null>();

function computeWalshRanks(n: number, confidence: number): IntervalRanks | null {
  return intervalRanks(
    (n * (n + 1)) / 2,
    confidence,
    n <= exactPairLimit ? () => signedRankCdf(n) : null,
    (n * (n + 1) * (2 * n + 1)) / 24,
  );
}

export interface PairedChange {
  /** Hodges–Lehmann estimate of head / base − 1 from the paired runs (e.g. −0.12 for 12% slower). */
  readonly estimate: number;
  /** Ends of the interval for head / base − 1; `null` when too few pairs reach the confidence. */
  readonly lower: number | null;
  readonly upper: number | null;
  readonly confidence: number;
  /** The coverage the exact order statistics give (≥ `confidence`), `null` without interval. */
  readonly achievedConfidence: number | null;
}

/**
 * Relative change of head against base over paired runs (pair i: base[i] and head[i], made one
 * after the other): the differences ln(head) − ln(base) cancel whatever the two runs of a pair
 * share (the machine's load, a slow drift), and their centre is estimated by the median of the
 * Walsh averages with the signed-rank interval. Distribution-free for differences symmetric about
 * their centre, which interleaving in random-free ABBA order gives under no change; an outlier
 * pair moves one rank, not the mean.
 */
export function pairedRelativeChange(
  base: readonly number[],
  head: readonly number[],
  confidence = 0.95,
): PairedChange | null {
  if (base.length !== head.length) {
    throw new RangeError(`pairedRelativeChange: ${base.length} base runs but ${head.length} head runs`);
  }
  assertPositiveSamples('pairedRelativeChange', base, head);
  return logShiftInterval(
    head.map((h, i) => Math.log(h) - Math.log(base[i] as number)),
    confidence,
  );
}

/** The signed-rank interval of paired log differences, mapped back to a relative change. */
export function logShiftInterval(diffs: readonly number[], confidence: number): PairedChange | null {
  const n = diffs.length;
  if (n === 0) return null;
  const walsh: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) walsh.push(((diffs[i] as number) + (diffs[j] as number)) / 2);
  }
  walsh.sort((a, b) => a - b);
  const ranks = walshIntervalRanks(n, confidence);
  const at = (rank: number) => Math.expm1(walsh[rank - 1] as number);
  return {
    estimate: Math.expm1(median(walsh) as number),
    lower: ranks ? at(ranks.lower) : null,
    upper: ranks ? at(ranks.upper) : null,
    confidence,
    achievedConfidence: ranks ? ranks.achievedConfidence : null,
  };
}
