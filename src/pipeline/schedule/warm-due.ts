import { type CellProgress, leaning } from './allocate.js';
import type { LookCell } from './look-budget.js';

/**
 * A cold base under fail fast (docs/validate.md, "A cold base"): every cell's first batch runs on
 * base and head interleaved, so that a clear regression is called in it as on a warm base (iterations
 * per side unchanged); the base's remaining shares are warmed only once nothing of those batches is
 * about to stop the run. Due when every open cell has had its first batch, no open cell leans towards
 * "head is worse" (it gets the next batches, ./allocate.ts rule 1: a regression may be settling), and
 * no finding that settles the verdict by itself waits for a cell's evidence (./finding-stop.ts: the
 * next batches of the cells aimed at it stop the run).
 */
export function coldWarmDue(
  cells: readonly CellProgress[],
  o: { readonly leanAbove: number; readonly findingPending: boolean },
): boolean {
  if (o.findingPending) return false;
  const open = cells.filter((c) => c.decision.state === 'continue');
  return open.every((c) => c.decision.batches > 0 && !leaning(c.decision, o.leanAbove));
}

/**
 * The cell as the look plan reads it once the base is warmed to `share` (iterations 0 … share − 1 of
 * every cell in the base-results cache): what a pending warm-up will store costs the storms nothing,
 * since the warm-up runs off the budget's clock. `baseDone`: base iterations the cell has now.
 */
export function asWarmed<C extends LookCell>(cell: C, baseDone: number, share: number): C {
  const warmedAhead = Math.max(0, share - baseDone);
  return {
    ...cell,
    ...(cell.toLook === undefined
      ? {}
      : { baseCached: Math.max(cell.baseCached ?? 0, Math.min(cell.toLook, warmedAhead)) }),
    baseCachedAhead: Math.max(cell.baseCachedAhead ?? 0, warmedAhead),
  };
}

/**
 * The storm time the first batches spent on base, ms: the spent time in proportion of the base
 * iterations run (cached ones cost nothing) to all run. The warm-up takes it off the budget's clock
 * too, so that head's looks get the budget a warm base leaves: its first batches' head iterations.
 */
export function baseSpentMs(
  spentMs: number,
  runs: readonly {
    readonly base: { readonly length: number };
    readonly head: { readonly length: number };
    readonly reusedBase: number;
  }[],
): number {
  const base = runs.reduce((sum, r) => sum + r.base.length - r.reusedBase, 0);
  const head = runs.reduce((sum, r) => sum + r.head.length, 0);
  return base + head > 0 ? (spentMs * base) / (base + head) : 0;
}
