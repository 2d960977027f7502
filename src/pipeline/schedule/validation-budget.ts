/**
 * One budget for the whole validation (builds aside): storms and throughput share it. Throughput
 * needs the machine to itself, so it runs between storm batches (its reserve, while the storms need
 * time: throughputRoundDue) and after the storms, and the budget is split explicitly at the start: throughput's reserve (a decided gate's pairs, the fewest that give an interval) comes
 * off the top, the storms get the rest (stability is the gate: a harmless change needs its looks),
 * and storm time they do not spend goes to throughput. The expected finish is the storms' expected
 * time (the look plan, ./look-budget.ts) plus the throughput pairs that time leaves, at their rate.
 */

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
 * the throughput pairs the budget leaves after them (or the decided gate's, once it is decided).
 */
export function expectedLeftMs(o: {
  readonly stormExpectedMs: number;
  /** Whole budget left now, ms. */
  readonly leftMs: number;
  readonly pairs: number;
  readonly pairMs: number;
  readonly reservedPairs: number;
}): number {
  const pairs = throughputPairsFor({ ...o, leftMs: o.leftMs - o.stormExpectedMs });
  return o.stormExpectedMs + pairs * o.pairMs;
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

/** "about 9 min", "about 40 s", "less than 10 s". */
export function aboutTime(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 10) return 'less than 10 s';
  if (s < 90) return `about ${10 * Math.round(s / 10)} s`;
  return `about ${Math.round(s / 60)} min`;
}

/** "about 9 min left". */
export const aboutLeft = (ms: number): string => `${aboutTime(ms)} left`;
