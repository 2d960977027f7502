/**
 * The sequential design of throughput runs: base and head run in pairs up to a budget, and the
 * interval of the change is looked at after 40%, 70% and 100% of it. At each look the interval has
 * its own confidence, spent from the row's α by α·t³ (t the share of the budget run), so that the
 * intervals of all looks together hold the row's confidence (Bonferroni over the looks: whatever
 * rule stops at a look, the chance that the interval it stops with misses the true change stays
 * within α). Most of α is left for the last look, whose interval is barely wider than a fixed
 * design's; the early looks stop only on a change far beyond the thresholds.
 */

/** Shares of the budget at which the interval is looked at; the last is the budget itself. */
export const lookFractions = [0.4, 0.7, 1] as const;
/** α spent by the share t of the budget: α·t^ρ (ρ = 3: Jennison & Turnbull's conservative family). */
export const spendingExponent = 3;

/**
 * Pair counts at which the interval is looked at, for a budget of `budget` pairs: even counts (an
 * ABBA round is two pairs, so each look has as many base-first as head-first pairs) at or below
 * 40% and 70% of it, increasing, the last one the budget.
 */
export function lookSchedule(budget: number): number[] {
  if (!Number.isInteger(budget) || budget < 1) {
    throw new RangeError(`lookSchedule: the budget must be a positive whole number of pairs, got ${budget}`);
  }
  const looks: number[] = [];
  for (const f of lookFractions) {
    // Rounded down: a look's α is spent by its real share of the budget, and the last keeps the most.
    const at = f === 1 ? budget : 2 * Math.floor((f * budget) / 2);
    if (at > (looks[looks.length - 1] ?? 0)) looks.push(at);
  }
  return looks;
}

const spent = (t: number) => Math.min(1, t) ** spendingExponent;

/**
 * Confidence of the interval after `pairs` pairs of a design with `budget` pairs, for a row whose
 * intervals over all looks share `confidence`: 1 − α·(s(tₖ) − s(tₖ₋₁)) at the look k with `pairs`
 * pairs. A count between looks (a run cut short) is judged at the last look it passed, a count past
 * the budget at the budget's; before the first look, at the first's.
 */
export function lookConfidence(budget: number, pairs: number, confidence: number): number {
  const looks = lookSchedule(budget);
  let k = 0;
  while (k + 1 < looks.length && (looks[k + 1] as number) <= pairs) k++;
  const alpha = 1 - confidence;
  const now = spent((looks[k] as number) / budget);
  const before = k === 0 ? 0 : spent((looks[k - 1] as number) / budget);
  return 1 - alpha * (now - before);
}
