import type { BoundState } from '../compare/neutral/bound-state.js';
import type { SequentialDecision } from '../compare/sequential/decision.js';
import type { StabilityThresholds } from '../config/thresholds.schema.js';

/** What the pooled stop reads of a cell between batches. */
export interface SettlingCell {
  readonly decision: SequentialDecision;
  readonly coarse: BoundState;
  /** The cell stopped taking batches for a reason of its own. */
  readonly stopped: boolean;
}

/**
 * The pooled neutral statement is settled, so more iterations add nothing: every cell has stopped
 * or shown its coarse bound with its minimum iterations, and the pool of all cells shows the fine
 * bound (`pooled`: its looks taken in the order the batches ran, as the comparison replays them).
 */
export function neutralSettled(
  cells: readonly SettlingCell[],
  pooled: BoundState,
  t: StabilityThresholds,
): boolean {
  if (!pooled.shown) return false;
  const settled = cells.every((c) => {
    const d = c.decision;
    if (c.stopped || d.state === 'stop') return true;
    return c.coarse.shown && Math.min(d.iterations.base, d.iterations.head) >= t.minIterationsPerSide;
  });
  return settled;
}
