import { certificateIterations } from '../sequential/certificate.js';

/**
 * When a non-inferiority bound is looked at, and with what miss rate. Looks fall on one grid,
 * step k at first · 1.5^k iterations per side; a schedule names the steps it looks at and the share
 * of beta each spends. The shares add up to 1, so all looks together spend at most beta
 * (Bonferroni over looks). After the last look the bound is not looked at again (no beta is left).
 */
export interface LookShare {
  /** Step of the grid: the look is at lookAt(step, first). */
  readonly step: number;
  /** Share of beta this look spends. */
  readonly share: number;
}

/** A look of one bound: at this many iterations per side (the smaller side counts), at this level. */
export interface Look {
  readonly at: number;
  readonly level: number;
}

/**
 * Share of beta the first look of every bound spends: a clean tree is settled there. The first
 * look's iterations follow from it (firstLookIterations).
 */
export const firstLookShare = 0.8;

/**
 * A cell's coarse bound: the first look, then 0.14β at step 3 and 0.03β at steps 4 and 5 (105, 157
 * and 236 iterations at the default 10%). Persisting noise (failures on both sides) needs a later
 * look, and one well-funded look at 105 shows a 2% cell there in ~91% of simulated cells, where six
 * equal later looks (β/30 at 47, 70, 105, …) showed it there in ~79%; the two small looks after it
 * catch most of the rest (`npx tsx bench/look-schedules.ts`; whole validations:
 * test/compare/neutral-simulation.test.ts).
 */
export const cellLookShares: readonly LookShare[] = [
  { step: 0, share: firstLookShare },
  { step: 3, share: 0.14 },
  { step: 4, share: 0.03 },
  { step: 5, share: 0.03 },
];

/**
 * The pooled bound: the first look, then six equal shares (β/30 each) at steps 1–6. The pool's
 * first look comes when every cell has had its share; a pool that misses it gets the next one at
 * 1.5 times the iterations (docs/statistics.md, "The bound, and when it is looked at").
 */
export const poolLookShares: readonly LookShare[] = [
  { step: 0, share: firstLookShare },
  ...Array.from({ length: 6 }, (_, k) => ({ step: k + 1, share: (1 - firstLookShare) / 6 })),
];

/**
 * Iterations of grid step k+1 over step k. 1.5, not 2: a pool that misses its first look (868 for
 * the default set) gets its second at 1,302, within the budget of a host with two lanes or more
 * (one lane holds ~1,040–1,250 head iterations: docs/statistics.md, "Why these numbers").
 */
export const lookGrowth = 1.5;

/** Iterations per side at the first look: enough for all-clean head iterations to prove `tolerance`. */
export function firstLookIterations(tolerance: number, beta: number): number {
  return certificateIterations(tolerance, beta * firstLookShare);
}

/** Iterations per side at grid step `k`: first · 1.5^k, rounded up. */
export function lookAt(k: number, first: number): number {
  return Math.ceil(first * lookGrowth ** k - 1e-9);
}

/** The looks of a bound whose first look is at `first` iterations. */
export function lookSchedule(shares: readonly LookShare[], first: number, beta: number): Look[] {
  if (!(Number.isInteger(first) && first > 0)) throw new RangeError(`lookSchedule: bad first look ${first}`);
  return shares.map((s) => ({ at: lookAt(s.step, first), level: beta * s.share }));
}

/** Index of the last look whose `at` iterations `n` has reached, or -1 before the first. */
export function lookReached(n: number, looks: readonly Look[]): number {
  let reached = -1;
  for (const [i, look] of looks.entries()) if (n >= look.at) reached = i;
  return reached;
}
