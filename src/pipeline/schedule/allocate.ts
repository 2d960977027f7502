import type { NeutralDesign } from '../../compare/neutral/design.js';
import type { SequentialDecision } from '../../compare/sequential/decision.js';
import { variantNames } from '../../compile/variants.js';
import type { StabilityThresholds } from '../../config/thresholds.schema.js';
import { costToLook, iterationCost, type LookCell, lookShortfall, planLooks } from './look-budget.js';

/** What the allocator needs to know of a cell between batches. */
export interface CellProgress extends LookCell {
  readonly index: number;
  /**
   * The census showed a risk this cell exercises (SIGPIPE no longer ignored: a peer that vanishes;
   * more handler threads: a signal aimed at a stream thread).
   */
  readonly steered?: boolean;
}

/**
 * The head failure share above which a cell may lean (rule 1). Per-cell design: any (as before).
 * Pooled design: half the coarse tolerance, so that a regression failing in 5% of iterations keeps
 * the batch through an unlucky batch, while a rare head failure (1 in 100) does not take the budget.
 */
export function leanAbove(t: Pick<StabilityThresholds, 'cellTolerance'>, design: NeutralDesign): number {
  return design === 'pooled' ? t.cellTolerance / 2 : 0;
}

/**
 * Persisting noise: both sides fail, and head's lead (if any) is far from what the "worse" test
 * needs. An upstream bug that hangs base and head alike is not a reason to pour the budget into a
 * cell; its own sequential test still runs on the batches it gets.
 */
export function persistingNoise(d: SequentialDecision): boolean {
  return d.failures.base > 0 && d.failures.head > 0 && d.llr.worse < d.bounds.upper / 2;
}

/**
 * Head failed more than base, not as persisting noise, and more often than `leanAbove`: a
 * regression may be settling. (A rare failure below the coarse tolerance is no reason to pour the
 * budget into a cell: the pooled statement covers it.)
 */
export function leaning(d: SequentialDecision, leanAbove: number): boolean {
  return (
    d.failures.head > d.failures.base &&
    d.llr.worse > 0 &&
    !persistingNoise(d) &&
    d.failures.head > leanAbove * d.iterations.head
  );
}

/** Fewest batches first, then cheapest variant (plain before ASan before TSan), then plan order. */
function leastLookedAt(cells: readonly CellProgress[]): CellProgress | undefined {
  return cells.reduce<CellProgress | undefined>((best, c) => {
    if (!best) return c;
    if (c.decision.batches !== best.decision.batches)
      return c.decision.batches < best.decision.batches ? c : best;
    // The variants in the order of their cost: plain, ASan, TSan.
    const rank = (v: CellProgress) => variantNames.indexOf(v.variant);
    if (rank(c) !== rank(best)) return rank(c) < rank(best) ? c : best;
    return c.index < best.index ? c : best;
  }, undefined);
}

/**
 * The cell to give the next batch to, or undefined when every cell has stopped.
 *
 * 1. A cell leaning towards "head is worse" (head failed more than base, not persisting noise,
 *    head's failure share above `leanAbove`, see leanAbove()) gets the batch, the one with the most evidence per second first: a real regression settles
 *    in a few batches instead of waiting its turn behind cells that have shown nothing.
 * 2. Otherwise the cells that still need their share (the minimum iterations, and the coarse bound
 *    of the pooled neutral statement) come before the ones that have it: no cell starves, and a
 *    noisy cell whose bound is shown gets no more than it needs.
 * 3. Among those, a cell the census steers to (it exercises a risky disposition change or the
 *    signal-mask finding) first.
 * 4. Then fewest batches first, cheapest variant first: every cell is looked at once before any
 *    is looked at twice. When every cell has its share, quiet cells before noisy ones: more clean
 *    iterations tighten the pooled bound, more noise does not.
 * 5. With `budgetLeftMs`, once every cell has had a batch: when the budget left cannot bring every
 *    cell that needs its look there at the measured rates (./look-budget.ts), the one nearest its
 *    look goes first instead of the least looked at. A budget that buys 20 of 28 looks then shows
 *    20 cells' bounds, where round robin would leave all 28 just short of theirs.
 */
export function nextCell(
  cells: readonly CellProgress[],
  {
    leanAbove = 0,
    budgetLeftMs,
  }: {
    readonly leanAbove?: number;
    /** Storm time left, ms: with it, the allocator plans the cells' looks against it (rule 5). */
    readonly budgetLeftMs?: number;
  } = {},
): CellProgress | undefined {
  const open = cells.filter((c) => c.decision.state === 'continue');
  const lean = open.filter((c) => leaning(c.decision, leanAbove));
  if (lean.length > 0) {
    return lean.reduce((best, c) =>
      c.decision.llr.worse / iterationCost(c) > best.decision.llr.worse / iterationCost(best) ? c : best,
    );
  }
  const needing = open.filter((c) => !c.hasShare);
  let candidates = needing.length > 0 ? needing : open.filter((c) => !persistingNoise(c.decision));
  if (candidates.length === 0) candidates = open;
  const steered = candidates.filter((c) => c.steered);
  const pool = steered.length > 0 ? steered : candidates;
  if (budgetLeftMs !== undefined && needing.length > 0 && needing.every((c) => c.decision.batches > 0)) {
    // Rule 5: every cell has been looked at once and the budget cannot bring all of them to their
    // looks at their rates: finish the cells nearest their look first, so that some reach it
    // rather than every one falling just short.
    if (lookShortfall(planLooks(needing, budgetLeftMs))) {
      const reaching = pool.filter((c) => costToLook(c) !== null);
      if (reaching.length > 0) return nearestLook(reaching);
    }
  }
  return leastLookedAt(pool);
}

/** The cell that needs the least time to reach its look; ties: fewest batches, cheapest, plan order. */
function nearestLook(cells: readonly CellProgress[]): CellProgress | undefined {
  const least = Math.min(...cells.map((c) => costToLook(c) as number));
  return leastLookedAt(cells.filter((c) => costToLook(c) === least));
}
