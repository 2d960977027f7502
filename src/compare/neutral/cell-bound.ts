import type { StabilityThresholds } from '../../config/thresholds.schema.js';
import type { BatchPair } from '../sequential/decide-cell.js';
import type { BinomialCount } from '../stats/binomial-count.js';
import { advanceBound, type BoundState, initialBound } from './bound-state.js';
import { cellLookShares, firstLookIterations, lookSchedule } from './looks.js';

/** A cell's coarse bound before any batch: head at most `cellTolerance` worse than base. */
export function initialCellBound(t: StabilityThresholds): BoundState {
  const first = firstLookIterations(t.cellTolerance, t.beta);
  return initialBound(t.cellTolerance, lookSchedule(cellLookShares, first, t.beta));
}

/** A cell's coarse bound after its batches in the order they ran (or its totals, for a fixed-size run). */
export function cellBound(
  batches: readonly BatchPair[] | undefined,
  totals: { readonly base: BinomialCount; readonly head: BinomialCount },
  t: StabilityThresholds,
): BoundState {
  let state = initialCellBound(t);
  if (!batches) return advanceBound(state, totals);
  const sum = { base: { n: 0, failures: 0 }, head: { n: 0, failures: 0 } };
  for (const b of batches) {
    sum.base = { n: sum.base.n + b.base.n, failures: sum.base.failures + b.base.failures };
    sum.head = { n: sum.head.n + b.head.n, failures: sum.head.failures + b.head.failures };
    state = advanceBound(state, sum);
  }
  return state;
}
