import { median } from './median.js';
import { shiftIntervalRanks } from './rank-sum-distribution.js';

export interface RelativeChange {
  /** Hodges–Lehmann estimate of head / base − 1 (e.g. −0.12 for 12% slower). */
  readonly estimate: number;
  /** Ends of the interval for head / base − 1; `null` when the sample sizes cannot reach the confidence. */
  readonly lower: number | null;
  readonly upper: number | null;
  readonly confidence: number;
  /** The coverage the exact order statistics actually give (≥ `confidence`), `null` without interval. */
  readonly achievedConfidence: number | null;
}

/**
 * Relative change of head against base over independent runs, assuming a change multiplies every
 * run by the same factor: the Hodges–Lehmann estimate of the shift of log(throughput) with the
 * distribution-free Mann–Whitney interval, mapped back to a ratio. Deterministic (no resampling)
 * and exact at the 5 to 20 runs per side sigstorm makes, where a bootstrap under-covers.
 */
export function relativeChange(
  base: readonly number[],
  head: readonly number[],
  confidence = 0.95,
): RelativeChange | null {
  assertPositiveSamples('relativeChange', base, head);
  if (base.length === 0 || head.length === 0) return null;
  const diffs: number[] = [];
  for (const h of head) for (const b of base) diffs.push(Math.log(h) - Math.log(b));
  diffs.sort((a, b) => a - b);
  const shift = median(diffs) as number;
  const ranks = shiftIntervalRanks(head.length, base.length, confidence);
  const at = (rank: number) => Math.expm1(diffs[rank - 1] as number);
  return {
    estimate: Math.expm1(shift),
    lower: ranks ? at(ranks.lower) : null,
    upper: ranks ? at(ranks.upper) : null,
    confidence,
    achievedConfidence: ranks ? ranks.achievedConfidence : null,
  };
}

/** Throughput samples must be positive and finite (their logarithms are compared); `fn` names the caller. */
export function assertPositiveSamples(fn: string, base: readonly number[], head: readonly number[]): void {
  for (const [side, values] of [
    ['base', base],
    ['head', head],
  ] as const) {
    for (const v of values) {
      if (!(Number.isFinite(v) && v > 0)) throw new RangeError(`${fn}: ${side} sample ${v} is not positive`);
    }
  }
}
