import { advance, type BatchPair, initialState, type SequentialState } from './decide-cell.js';
import type { SequentialSettings } from './settings.js';

/**
 * One planned batch of a cell as a sharded validation delivers it: both sides complete, missing (its
 * shard's blob never arrived), or cut short on a side (its shard stopped mid-batch).
 */
export type BatchSlot =
  | { readonly kind: 'arrived'; readonly pair: BatchPair }
  | { readonly kind: 'missing' }
  | { readonly kind: 'partial' };

export interface IndexOrderFold {
  readonly state: SequentialState;
  /** The arrived batches the test read, in index order (up to and including its stop). */
  readonly counted: readonly number[];
  /** Arrived (or cut-short) batches after the stop: one machine would not have run them. */
  readonly afterStop: readonly number[];
  /** Missing batches before the stop (or anywhere, when the test did not stop). */
  readonly missing: readonly number[];
}

/**
 * The sequential test over a cell's planned batches in index order, as the merge of a sharded run
 * applies it: arrived batches are fed in order, missing and cut-short ones skipped, and the first
 * crossing is final. Whether a batch arrives is decided by its shard's runner (failure, time out,
 * cancel) and, within a shard, by the time the earlier batches took, never by the batch's own
 * outcomes; so skipping it keeps the likelihood ratio a supermartingale under H0 and the error
 * bounds of a single machine hold (docs/statistics.md, "Sharded runs").
 */
export function foldInIndexOrder(slots: readonly BatchSlot[], settings: SequentialSettings): IndexOrderFold {
  let state = initialState(settings);
  const counted: number[] = [];
  const afterStop: number[] = [];
  const missing: number[] = [];
  for (const [index, slot] of slots.entries()) {
    if (state.decision.state === 'stop') {
      if (slot.kind !== 'missing') afterStop.push(index);
      continue;
    }
    if (slot.kind === 'missing') missing.push(index);
    if (slot.kind !== 'arrived') continue;
    state = advance(state, slot.pair, settings);
    counted.push(index);
  }
  return { state, counted, afterStop, missing };
}
