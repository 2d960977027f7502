import type { BoundState } from '../../compare/neutral/bound-state.js';
import type { NeutralDesign } from '../../compare/neutral/design.js';
import type { SequentialDecision } from '../../compare/sequential/decision.js';
import type { StabilityThresholds } from '../../config/thresholds.schema.js';

/** What the pooled stop reads of a cell between batches. */
export interface SettlingCell {
  readonly decision: SequentialDecision;
  readonly coarse: BoundState;
  /** The cell stopped taking batches for a reason of its own. */
  readonly stopped: boolean;
  /**
   * The cell aims at a census finding not settled by itself (e.g. SIGPIPE no longer ignored): its
   * coarse bound is not enough, only its own fine test settles it (docs/threads.md).
   */
  readonly needsFine?: boolean;
}

/**
 * A cell has what the validation needs of it: its test stopped (or the cell did), or, under the
 * pooled neutral statement, its coarse bound is shown with its minimum iterations (it takes more
 * batches only when the pool needs them). What progress counts as a settled cell.
 */
export function cellSettled(c: SettlingCell, t: StabilityThresholds, design: NeutralDesign): boolean {
  const d = c.decision;
  if (c.stopped || d.state === 'stop') return true;
  return (
    design === 'pooled' &&
    !c.needsFine &&
    c.coarse.shown &&
    Math.min(d.iterations.base, d.iterations.head) >= t.minIterationsPerSide
  );
}

/**
 * The pooled neutral statement is settled, so more iterations add nothing: every cell is settled
 * (above) and the pool of all cells shows the fine bound (`pooled`: its looks taken in the order the
 * batches ran, as the comparison replays them).
 */
export function neutralSettled(
  cells: readonly SettlingCell[],
  pooled: BoundState,
  t: StabilityThresholds,
): boolean {
  return pooled.shown && cells.every((c) => cellSettled(c, t, 'pooled'));
}
