import type { VariantName } from '../build/variants.js';
import type { NeutralDesign } from '../compare/neutral/design.js';
import type { SequentialDecision } from '../compare/sequential/decision.js';
import type { StabilityThresholds } from '../config/thresholds.schema.js';

/** What the allocator needs to know of a cell between batches. */
export interface CellProgress {
  readonly index: number;
  readonly variant: VariantName;
  readonly decision: SequentialDecision;
  /** Mean wall time of one iteration so far (both sides), ms; null before the first batch. */
  readonly meanIterationMs: number | null;
  /**
   * The census showed a risk this cell exercises (SIGPIPE no longer ignored: a peer that vanishes;
   * more handler threads: a signal aimed at a stream thread).
   */
  readonly steered?: boolean;
  /**
   * The cell has what the neutral statement needs of it (pooled design: its coarse bound is
   * shown); it gets batches only when no cell still needs its share. Absent: it still needs them.
   */
  readonly hasShare?: boolean;
}

/**
 * The head failure share above which a cell may lean (rule 1). Per-cell design: any (as before).
 * Pooled design: half the coarse tolerance, so that a regression failing in 5% of iterations keeps
 * the batch through an unlucky batch, while a rare head failure (1 in 100) does not take the budget.
 */
export function leanAbove(t: Pick<StabilityThresholds, 'cellTolerance'>, design: NeutralDesign): number {
  return design === 'pooled' ? t.cellTolerance / 2 : 0;
}

/** Prior cost of an iteration per variant, relative to plain, until a cell has measured its own. */
const variantCost: Readonly<Record<VariantName, number>> = { plain: 1, asan: 2, tsan: 6 };

function cost(cell: CellProgress): number {
  return cell.meanIterationMs ?? variantCost[cell.variant] * 400;
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
function leaning(d: SequentialDecision, leanAbove: number): boolean {
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
    if (variantCost[c.variant] !== variantCost[best.variant]) {
      return variantCost[c.variant] < variantCost[best.variant] ? c : best;
    }
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
 */
export function nextCell(
  cells: readonly CellProgress[],
  { leanAbove = 0 }: { readonly leanAbove?: number } = {},
): CellProgress | undefined {
  const open = cells.filter((c) => c.decision.state === 'continue');
  const lean = open.filter((c) => leaning(c.decision, leanAbove));
  if (lean.length > 0) {
    return lean.reduce((best, c) =>
      c.decision.llr.worse / cost(c) > best.decision.llr.worse / cost(best) ? c : best,
    );
  }
  const needing = open.filter((c) => !c.hasShare);
  let candidates = needing.length > 0 ? needing : open.filter((c) => !persistingNoise(c.decision));
  if (candidates.length === 0) candidates = open;
  const steered = candidates.filter((c) => c.steered);
  return leastLookedAt(steered.length > 0 ? steered : candidates);
}
