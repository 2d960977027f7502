/**
 * One budget for the whole validation (builds aside): storms and throughput share it. Throughput
 * needs the machine to itself, so it runs between storm batches (its reserve, while the storms need
 * time: throughputRoundDue) and after the storms, and the budget is split explicitly at the start: throughput's reserve (a decided gate's pairs, the fewest that give an interval) comes
 * off the top, the storms get the rest (stability is the gate: a harmless change needs its looks),
 * and storm time they do not spend goes to throughput. The expected finish is the storms' expected
 * time (the look plan, ./look-budget.ts) plus the throughput pairs that time leaves, at their rate.
 */

import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';
import { lookConfidence, lookSchedule } from '../../compare/throughput/looks.js';
import type { ThroughputThresholds } from '../../config/thresholds.schema.js';

/** The storms' least share of the budget, whatever throughput's reserve. */
export const stormLeastShare = 0.6;

/** Time one throughput run takes beyond its iperf3 -t (start, JSON, the pair's bookkeeping), ms. */
export const throughputRunOverheadMs = 500;

/** Prior wall time of one ABBA pair (a base run and a head run), ms, until one is measured. */
export function throughputPairPriorMs(definition: {
  readonly seconds: number;
  readonly warmup: number;
}): number {
  return 2 * ((definition.seconds + definition.warmup) * 1000 + throughputRunOverheadMs);
}

/** Pairs rounded down to whole ABBA rounds (two pairs), at most `most`; 0 when `most` is 0. */
const wholeRounds = (pairs: number, most: number): number =>
  Math.min(most, Math.max(0, 2 * Math.floor(pairs / 2)));

export interface BudgetSplit {
  /** Storm time, ms. */
  readonly stormMs: number;
  /** Throughput pairs reserved; more when the storms leave time (throughputPairsFor). */
  readonly reservedPairs: number;
}

/**
 * The split at the start: throughput reserves `floorPairs` (a decided gate's: the report always has
 * figures), or its configured pairs when fewer; the storms get the rest, and at least
 * `stormLeastShare` of the budget (a budget too short for both is overrun by throughput's floor).
 */
export function splitBudget(o: {
  readonly budgetMs: number;
  /** Throughput pairs configured (0: no throughput). */
  readonly pairs: number;
  readonly pairMs: number;
  readonly floorPairs: number;
}): BudgetSplit {
  if (o.pairs <= 0) return { stormMs: o.budgetMs, reservedPairs: 0 };
  const reservedPairs = Math.min(o.pairs, o.floorPairs);
  const stormMs = Math.max(o.budgetMs * stormLeastShare, o.budgetMs - reservedPairs * o.pairMs);
  return { stormMs, reservedPairs };
}

/**
 * Throughput pairs once the storms are done: what the whole budget left pays for at the pair's
 * rate, at least the reserve (the storms may overrun it by a batch), at most the configured pairs.
 */
export function throughputPairsFor(o: {
  readonly leftMs: number;
  readonly pairs: number;
  readonly pairMs: number;
  readonly reservedPairs: number;
}): number {
  if (o.pairs <= 0) return 0;
  return Math.max(Math.min(o.reservedPairs, o.pairs), wholeRounds(o.leftMs / o.pairMs, o.pairs));
}

/**
 * The whole validation's expected time left, ms, while the storms run: their expected time, then
 * the throughput pairs the budget leaves after them, as many as its looks are expected to run.
 */
export function expectedLeftMs(o: {
  readonly stormExpectedMs: number;
  /** Whole budget left now, ms. */
  readonly leftMs: number;
  readonly pairs: number;
  readonly pairMs: number;
  readonly reservedPairs: number;
  /**
   * Of a throughput budget of so many pairs, how many are expected to run (its looks may stop it
   * sooner: expectedPairs); absent, all of them.
   */
  readonly pairsRun?: (budget: number) => number;
}): number {
  const pairs = throughputPairsFor({ ...o, leftMs: o.leftMs - o.stormExpectedMs });
  return o.stormExpectedMs + (o.pairsRun ? o.pairsRun(pairs) : pairs) * o.pairMs;
}

/**
 * Whether the next ABBA round (two pairs) of throughput's reserve is due between two storm batches.
 * The reserve's rounds are spread evenly over the storms' time, spent and expected (round k of R
 * at k/(R + 1) of it), so that while stability needs time throughput progresses too, inside the one
 * budget; none before the first share of it, so a regression that settles in its first batches is
 * not delayed.
 */
export function throughputRoundDue(o: {
  readonly stormSpentMs: number;
  readonly stormExpectedLeftMs: number;
  /** Pairs made so far between batches. */
  readonly donePairs: number;
  readonly reservedPairs: number;
}): boolean {
  const rounds = Math.floor(o.reservedPairs / 2);
  const done = Math.floor(o.donePairs / 2);
  if (done >= rounds) return false;
  const total = o.stormSpentMs + Math.max(0, o.stormExpectedLeftMs);
  return o.stormSpentMs >= (total * (done + 1)) / (rounds + 1);
}

/** Pairs a spread is estimated from: fewer say too little of it. */
export const spreadMinPairs = 4;

/**
 * The spread σ_d of a pair's log ratio ln(head / base) over the pairs made so far (sample standard
 * deviation), or null with fewer than spreadMinPairs pairs.
 */
export function pairSpread(base: readonly number[], head: readonly number[]): number | null {
  const n = Math.min(base.length, head.length);
  if (n < spreadMinPairs) return null;
  const d = Array.from({ length: n }, (_, i) => Math.log((head[i] as number) / (base[i] as number)));
  const mean = d.reduce((a, x) => a + x, 0) / n;
  return Math.sqrt(d.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1));
}

/** Φ, the standard normal distribution function (by bisection on its quantile: exact to 1e-12). */
function normalCdf(x: number): number {
  if (x < -8) return 0;
  if (x > 8) return 1;
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (normalQuantile(mid, 0, 1) < x) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/**
 * The pairs a harmless change is expected to take of a throughput budget of `budget` pairs, given the
 * pair spread σ_d (docs/throughput.md, "Sequential looks"): at each look of n pairs, the interval
 * (at the look's confidence, z_k) stops the runs as neutral when it lies within ±δ (the smaller
 * threshold), which for a true change of 0 has probability 2Φ(δ√n/σ_d − z_k) − 1 (the normal
 * approximation of the paired interval; the looks taken as independent). Replays of the design
 * (docs/throughput.md's table, budget 40) give 17, 24, 30, 35, 39 and 40 pairs at σ_d 2 … 8%; this
 * gives 16, 20, 29, 34, 38 and 40. No spread known yet (null): the whole budget, as at load, where
 * every look straddles a threshold.
 */
export function expectedPairs(o: {
  readonly budget: number;
  readonly spread: number | null;
  /** Pairs made so far, none of the looks at or below it having stopped the runs (default 0). */
  readonly from?: number;
  readonly thresholds: Pick<
    ThroughputThresholds,
    'regressionThreshold' | 'improvementThreshold' | 'confidence'
  >;
}): number {
  if (o.budget <= 0) return 0;
  if (o.spread === null || o.spread <= 0) return o.budget;
  const delta = Math.min(o.thresholds.regressionThreshold, o.thresholds.improvementThreshold);
  const from = Math.min(o.budget, o.from ?? 0);
  let expected = from;
  let reach = 1;
  let before = from;
  for (const n of lookSchedule(o.budget).filter((at) => at > from)) {
    expected += reach * (n - before);
    const z = normalQuantile(1 - (1 - lookConfidence(o.budget, n, o.thresholds.confidence)) / 2, 0, 1);
    const stop = Math.max(0, 2 * normalCdf((delta * Math.sqrt(n)) / o.spread - z) - 1);
    reach *= 1 - stop;
    before = n;
  }
  return expected;
}

/**
 * The pairs a throughput budget of `budget` pairs is expected to run, from the runs made so far
 * (bits/s per side, in pair order): their spread, and the looks already past them (expectedPairs).
 */
export function expectedPairsFrom(
  budget: number,
  made: { readonly base: readonly number[]; readonly head: readonly number[] },
  thresholds: Parameters<typeof expectedPairs>[0]['thresholds'],
): number {
  return expectedPairs({
    budget,
    spread: pairSpread(made.base, made.head),
    from: Math.min(budget, made.base.length, made.head.length),
    thresholds,
  });
}

/** "about 9 min", "about 40 s", "less than 10 s". */
export function aboutTime(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 10) return 'less than 10 s';
  if (s < 90) return `about ${10 * Math.round(s / 10)} s`;
  return `about ${Math.round(s / 60)} min`;
}

/** "about 9 min left". */
export const aboutLeft = (ms: number): string => `${aboutTime(ms)} left`;
