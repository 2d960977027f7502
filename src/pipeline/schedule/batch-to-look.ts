import { type BoundState, nextLookAt } from '../../compare/neutral/bound-state.js';

/**
 * The size of a cell's next batch under the pooled design: the profile's batch, cut so that it ends
 * at the next look of the cell's coarse bound when that is nearer (in whole lanes). A clean cell
 * runs its share and not a batch more; a noisy one is looked at exactly at 105, not at the end of
 * the batch that jumped past it.
 */
export function batchToLook(
  coarse: BoundState,
  /** Iterations per side the cell has (the smaller side). */
  done: number,
  batch: number,
  lanes: number,
): number {
  const next = nextLookAt(coarse);
  const missing = next === null ? 0 : next - done;
  if (missing <= 0 || missing >= batch) return batch;
  return Math.ceil(missing / lanes) * lanes;
}
