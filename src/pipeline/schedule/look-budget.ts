import type { SequentialDecision } from '../../compare/sequential/decision.js';
import type { VariantName } from '../../compile/variants.js';
import { formatCount } from '../../util/format.js';

/** What the look budget reads of a cell between batches (a CellProgress of ./allocate.ts). */
export interface LookCell {
  readonly variant: VariantName;
  readonly decision: SequentialDecision;
  /** Mean wall time of one iteration so far (both sides), ms; null before the first batch. */
  readonly meanIterationMs: number | null;
  /** The cell has what the neutral statement needs of it (pooled: its coarse bound is shown). */
  readonly hasShare?: boolean;
  /**
   * Iterations per side the cell still needs to reach the next look of its coarse bound (pooled
   * design); absent: no look to plan for (per-cell design, or past its last look).
   */
  readonly toLook?: number;
}

/** Prior cost of an iteration per variant, relative to plain, until a cell has measured its own. */
export const variantCost: Readonly<Record<VariantName, number>> = { plain: 1, asan: 2, tsan: 6 };

/** Wall time of one iteration of the cell (one side), ms: measured, or the variant's prior. */
export function iterationCost(cell: Pick<LookCell, 'meanIterationMs' | 'variant'>): number {
  return cell.meanIterationMs ?? variantCost[cell.variant] * 400;
}

/** Wall time the cell needs to reach its next look (both sides), ms; null when it has none to reach. */
export function costToLook(cell: LookCell): number | null {
  if (cell.toLook === undefined || cell.toLook <= 0) return null;
  return 2 * cell.toLook * iterationCost(cell);
}

/** Whether the budget left brings every cell that still needs its look there, and if not how many. */
export interface LookPlan {
  /** Open cells that still need their next look. */
  readonly needing: number;
  /** Of them, how many the budget left reaches when the nearest are finished first. */
  readonly reachable: number;
  /** Time all of them need, ms. */
  readonly neededMs: number;
  readonly budgetLeftMs: number;
  /** Every one of them has measured its own rate (else some cost is a prior). */
  readonly measured: boolean;
}

/** Cells still open that need a look of their coarse bound to state anything. */
export const needsLook = (c: LookCell): boolean =>
  c.decision.state === 'continue' && !c.hasShare && costToLook(c) !== null;

/**
 * Plans the cells' looks against the budget left at their rates: how many of the cells that still
 * need a look reach it if the nearest are finished first (the most looks a budget can buy).
 */
export function planLooks(cells: readonly LookCell[], budgetLeftMs: number): LookPlan {
  const needing = cells.filter(needsLook);
  const costs = needing.map((c) => costToLook(c) as number).sort((a, b) => a - b);
  let spent = 0;
  let reachable = 0;
  for (const cost of costs) {
    if (spent + cost > budgetLeftMs) break;
    spent += cost;
    reachable++;
  }
  return {
    needing: needing.length,
    reachable,
    neededMs: costs.reduce((sum, c) => sum + c, 0),
    budgetLeftMs,
    measured: needing.every((c) => c.meanIterationMs !== null),
  };
}

/** The budget cannot bring every cell that needs a look there. */
export const lookShortfall = (plan: LookPlan): boolean => plan.reachable < plan.needing;

const minutes = (ms: number) => `${Math.max(1, Math.round(ms / 60_000))} min`;

/**
 * The plan as one progress line, e.g. "the looks of 28 cells need about 14 min at the measured
 * rate, 10 min left: 19 of 28 will reach theirs, nearest first; the rest stay inconclusive".
 */
export function lookPlanText(plan: LookPlan): string {
  const rate = plan.measured ? 'at the measured rate' : 'estimated';
  const need = `the looks of ${formatCount(plan.needing)} cells need about ${minutes(plan.neededMs)} (${rate}), ${minutes(plan.budgetLeftMs)} of budget left`;
  if (!lookShortfall(plan)) return `${need}: every cell can reach its look`;
  return `${need}: about ${formatCount(plan.reachable)} of ${formatCount(plan.needing)} can reach theirs; the cells nearest their look go first, the rest stay inconclusive`;
}

/**
 * Says the plan twice at most: at the start (the rates estimated) and once every cell that needs a
 * look has measured its own rate; the second only when the first was an estimate.
 */
export function lookPlanAnnouncer(
  say: ((line: string, plan: LookPlan) => void) | undefined,
): (cells: readonly LookCell[], budgetLeftMs: number) => void {
  let said: 'nothing' | 'estimate' | 'measured' = 'nothing';
  return (cells, budgetLeftMs) => {
    if (!say || said === 'measured') return;
    const plan = planLooks(cells, budgetLeftMs);
    if (plan.needing === 0 || (said === 'estimate' && !plan.measured)) return;
    said = plan.measured ? 'measured' : 'estimate';
    say(lookPlanText(plan), plan);
  };
}
