import type { VariantName } from '../build/variants.js';
import type { SequentialDecision } from '../compare/sequential/decision.js';

/** What the allocator needs to know of a cell between batches. */
export interface CellProgress {
  readonly index: number;
  readonly variant: VariantName;
  readonly decision: SequentialDecision;
  /** Mean wall time of one iteration so far (both sides), ms; null before the first batch. */
  readonly meanIterationMs: number | null;
  /** The census showed a risk this cell exercises (SIGPIPE no longer ignored, a peer that vanishes). */
  readonly steered?: boolean;
}

/** Prior cost of an iteration per variant, relative to plain, until a cell has measured its own. */
const variantCost: Readonly<Record<VariantName, number>> = { plain: 1, asan: 2, tsan: 6 };

function cost(cell: CellProgress): number {
  return cell.meanIterationMs ?? variantCost[cell.variant] * 400;
}

/**
 * The cell to give the next batch to, or undefined when every cell has stopped.
 *
 * 1. A cell leaning towards "head is worse" (head failed more than base) gets the batch, the one
 *    with the most evidence per second first: a real regression settles in a few batches instead
 *    of waiting its turn behind cells that have shown nothing.
 * 2. Otherwise a cell the census steers to (it exercises a risky disposition change), fewest
 *    batches first: the iterations go where the risk would show.
 * 3. Otherwise the open cell with the fewest batches, cheapest variant first (plain before ASan
 *    before TSan): every cell is looked at once before any is looked at twice.
 */
export function nextCell(cells: readonly CellProgress[]): CellProgress | undefined {
  const open = cells.filter((c) => c.decision.state === 'continue');
  const leaning = open.filter(
    (c) => c.decision.failures.head > c.decision.failures.base && c.decision.llr.worse > 0,
  );
  if (leaning.length > 0) {
    return leaning.reduce((best, c) =>
      c.decision.llr.worse / cost(c) > best.decision.llr.worse / cost(best) ? c : best,
    );
  }
  const steered = open.filter((c) => c.steered);
  return (steered.length > 0 ? steered : open).reduce<CellProgress | undefined>((best, c) => {
    if (!best) return c;
    if (c.decision.batches !== best.decision.batches)
      return c.decision.batches < best.decision.batches ? c : best;
    if (variantCost[c.variant] !== variantCost[best.variant]) {
      return variantCost[c.variant] < variantCost[best.variant] ? c : best;
    }
    return c.index < best.index ? c : best;
  }, undefined);
}
