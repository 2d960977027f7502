import { certificateIterations } from '../sequential/certificate.js';

/**
 * Share of beta the first look of a non-inferiority bound spends. The rest is shared equally by
 * `laterLooks` more looks, each at 1.5 times the iterations of the one before, so all looks
 * together spend at most beta (Bonferroni over looks): a clean tree is settled at the first look,
 * a cell with persisting noise at a later one. After the last look the bound is not looked at
 * again (no beta is left).
 */
export const firstLookShare = 0.8;

/**
 * Looks after the first. Six equal shares (β/30 each), not halves (β/10, β/20, …): a cell with
 * 2% persisting noise needs looks 3 to 5 (105 to 236 iterations at the default 10%), where
 * halving had left it too little beta (measured by test/compare/neutral-simulation.test.ts).
 */
export const laterLooks = 6;

/**
 * Iterations of look k+1 over look k. 1.5, not 2: a pull request's budget holds about 1.4 times the
 * pool's first look, so a pool that misses its first look (persisting noise in a cell) gets its
 * second one within the budget (docs/statistics.md, "The bound, and when it is looked at").
 */
export const lookGrowth = 1.5;

/** The miss rate look `k` (0, 1, 2, …) may spend: 0 after the last look. */
export function lookLevel(look: number, beta: number): number {
  if (!(Number.isInteger(look) && look >= 0)) throw new RangeError(`lookLevel: bad look ${look}`);
  if (look === 0) return beta * firstLookShare;
  return look <= laterLooks ? (beta * (1 - firstLookShare)) / laterLooks : 0;
}

/** Iterations per side at the first look: enough for all-clean head iterations to prove `tolerance`. */
export function firstLookIterations(tolerance: number, beta: number): number {
  return certificateIterations(tolerance, lookLevel(0, beta));
}

/** Iterations per side at which look `k` is taken: first · 1.5^k, rounded up. */
export function lookAt(k: number, first: number): number {
  return Math.ceil(first * lookGrowth ** k - 1e-9);
}

/** The last look whose threshold (`lookAt`) `n` has reached, or -1 before the first. */
export function lookReached(n: number, first: number): number {
  if (n < first) return -1;
  let k = 0;
  while (n >= lookAt(k + 1, first)) k++;
  return k;
}
