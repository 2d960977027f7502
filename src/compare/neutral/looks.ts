import { certificateIterations } from '../sequential/certificate.js';

/**
 * Share of beta the first look of a non-inferiority bound spends. Later looks, each at twice the
 * iterations of the one before, share the rest by halves (0.1β, 0.05β, …), so all looks together
 * spend at most beta (Bonferroni over looks): a clean tree is settled at the first look, a cell
 * with persisting noise at a later one.
 */
export const firstLookShare = 0.8;

/** The miss rate look `k` (0, 1, 2, …) may spend. */
export function lookLevel(look: number, beta: number): number {
  if (!(Number.isInteger(look) && look >= 0)) throw new RangeError(`lookLevel: bad look ${look}`);
  return look === 0 ? beta * firstLookShare : (beta * (1 - firstLookShare)) / 2 ** look;
}

/** Iterations per side at the first look: enough for all-clean head iterations to prove `tolerance`. */
export function firstLookIterations(tolerance: number, beta: number): number {
  return certificateIterations(tolerance, lookLevel(0, beta));
}

/** The last look whose threshold (first · 2^k) `n` has reached, or -1 before the first. */
export function lookReached(n: number, first: number): number {
  if (n < first) return -1;
  return Math.floor(Math.log2(n / first) + 1e-12);
}
