import type { VariantName } from '../../compile/variants.js';
import type { StabilityThresholds } from '../../config/thresholds.schema.js';
import type { BatchPair } from '../sequential/decide-cell.js';
import type { BinomialCount } from '../stats/binomial-count.js';
import { advanceBound, type BoundState, initialBound } from './bound-state.js';
import { firstLookIterations, lookSchedule, poolLookShares } from './looks.js';

/** What the pooled bound reads of a cell. */
export interface PooledCell {
  readonly variant: VariantName;
  /** Batches with their place in the run (`at`); without them only the totals count. */
  readonly batches?: readonly BatchPair[];
  readonly base: BinomialCount;
  readonly head: BinomialCount;
}

/**
 * The fine tolerance of the pool and its first look. The tolerance is the cells' own fine
 * tolerances averaged (plain 0.5% and ASan 1% make 0.75%): if every cell rose by its variant's
 * tolerance, the pool would rise by exactly that. The first look needs enough clean head
 * iterations to prove it, and at least every cell's coarse share, so that the pool speaks for
 * every cell, not only for the ones that ran first.
 */
export function pooledTolerance(
  cells: readonly Pick<PooledCell, 'variant'>[],
  t: StabilityThresholds,
): number {
  return cells.reduce((sum, c) => sum + t.tolerance[c.variant], 0) / cells.length;
}

export function initialPooledBound(
  cells: readonly Pick<PooledCell, 'variant'>[],
  t: StabilityThresholds,
): BoundState {
  const tolerance = pooledTolerance(cells, t);
  const shares = cells.length * firstLookIterations(t.cellTolerance, t.beta);
  const first = Math.max(firstLookIterations(tolerance, t.beta), shares);
  return initialBound(tolerance, lookSchedule(poolLookShares, first, t.beta));
}

/**
 * Head's failure rate over all cells together at most the fine tolerance above base's. The batches
 * of every cell are replayed in the order they ran (their `at`), so the looks fall where the
 * validation took them; cells without that order are judged once on their totals.
 */
export function pooledBound(cells: readonly PooledCell[], t: StabilityThresholds): BoundState {
  if (cells.length === 0) return initialBound(t.tolerance.plain, lookSchedule(poolLookShares, 1, t.beta));
  const state = initialPooledBound(cells, t);
  const ordered = cells.flatMap((c) => c.batches ?? []);
  const replay = cells.every((c) => c.batches) && ordered.every((b) => b.at !== undefined);
  if (!replay) {
    const sum = (pick: (c: PooledCell) => BinomialCount) => ({
      n: cells.reduce((a, c) => a + pick(c).n, 0),
      failures: cells.reduce((a, c) => a + pick(c).failures, 0),
    });
    return advanceBound(state, { base: sum((c) => c.base), head: sum((c) => c.head) });
  }
  let pool: Pool = { bound: state, ...emptyTotals };
  for (const b of [...ordered].sort((x, y) => (x.at ?? 0) - (y.at ?? 0))) {
    pool = addToPool(pool, b);
    if (pool.bound.shown) break;
  }
  return pool.bound;
}

/** The pooled bound with the running totals of every cell, as a validation adds batches to it. */
export interface Pool {
  readonly bound: BoundState;
  readonly base: BinomialCount;
  readonly head: BinomialCount;
}

const emptyTotals = { base: { n: 0, failures: 0 }, head: { n: 0, failures: 0 } } as const;

/** A pool before any batch. */
export function openPool(cells: readonly Pick<PooledCell, 'variant'>[], t: StabilityThresholds): Pool {
  return { bound: initialPooledBound(cells, t), ...emptyTotals };
}

/** Adds the next batch pair that ran (in any cell) to the pool. */
export function addToPool(pool: Pool, b: BatchPair): Pool {
  const add = (x: BinomialCount, y: BinomialCount) => ({ n: x.n + y.n, failures: x.failures + y.failures });
  const base = add(pool.base, b.base);
  const head = add(pool.head, b.head);
  return { bound: advanceBound(pool.bound, { base, head }), base, head };
}
