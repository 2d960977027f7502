import type { SequentialDecision } from '../../compare/sequential/decision.js';
import type { VariantName } from '../../compile/variants.js';
import { formatCount } from '../../util/format.js';

/** What the look budget reads of a cell between batches (a CellProgress of ./allocate.ts). */
export interface LookCell {
  readonly variant: VariantName;
  readonly decision: SequentialDecision;
  /** Mean wall time of one iteration this run ran (either side), ms; null before the first batch. */
  readonly meanIterationMs: number | null;
  /**
   * Wall time of one iteration measured before this run (the base-results cache's records of the
   * cell), ms: the rate until the cell has measured its own; absent or null: the prior.
   */
  readonly cachedIterationMs?: number | null;
  /**
   * Wall time of one iteration the cell's workload definition leads to expect (./iteration-prior.ts,
   * over the lanes), ms: the rate until one is measured.
   */
  readonly priorIterationMs: number;
  /** Of the base iterations the cell's next look needs, how many the base-results cache holds. */
  readonly baseCached?: number;
  /** The cell has what the neutral statement needs of it (pooled: its coarse bound is shown). */
  readonly hasShare?: boolean;
  /**
   * Iterations per side the cell still needs to reach the next look of its coarse bound (pooled
   * design); absent: no look to plan for (per-cell design, or past its last look).
   */
  readonly toLook?: number;
  /**
   * How many base iterations the base-results cache holds in a row from the cell's current count on
   * (a warm-up stores a prefix): what the pool's further iterations of the cell cost nothing on base.
   */
  readonly baseCachedAhead?: number;
}

/**
 * The pooled bound as the plan reads it (pooled design): the iterations per side the pool of all
 * cells has now (the smaller side) and where its next look is (null: shown, or past its last look).
 */
export interface PoolAhead {
  readonly done: number;
  readonly nextAt: number | null;
}

/**
 * Wall time of one iteration of the cell (one side), ms: measured in this run, else measured before
 * (the base-results cache), else the prior its workload definition gives (./iteration-prior.ts).
 */
export function iterationCost(
  cell: Pick<LookCell, 'meanIterationMs' | 'cachedIterationMs' | 'priorIterationMs'>,
): number {
  return cell.meanIterationMs ?? cell.cachedIterationMs ?? cell.priorIterationMs;
}

/** Whether the cell's rate is a measurement (this run's or the cache's), not the prior. */
const rateMeasured = (c: LookCell): boolean => (c.meanIterationMs ?? c.cachedIterationMs ?? null) !== null;

/**
 * Wall time the cell needs to reach its next look, ms (head's iterations and the base iterations the
 * cache does not hold); null when it has none to reach.
 */
export function costToLook(cell: LookCell): number | null {
  if (cell.toLook === undefined || cell.toLook <= 0) return null;
  const base = cell.toLook - Math.min(cell.toLook, cell.baseCached ?? 0);
  return (cell.toLook + base) * iterationCost(cell);
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
  /**
   * Pooled design: the pool's iterations past the cells' looks up to its next look (per side, all
   * cells together), and the time they take, ms (0 when the cells' looks bring the pool there).
   */
  readonly pool?: { readonly iterations: number; readonly ms: number };
  /**
   * What the storms will run is not priced: a cell open without its share and without a look to
   * reach (it waits for its own fine test, docs/statistics.md "Census findings"), or (per-cell design)
   * no look at all: the storms stop when the tests settle, which no rate predicts.
   */
  readonly open: boolean;
}

/** Cells still open that need a look of their coarse bound to state anything. */
export const needsLook = (c: LookCell): boolean =>
  c.decision.state === 'continue' && !c.hasShare && costToLook(c) !== null;

/**
 * Plans the cells' looks against the budget left at their rates: how many of the cells that still
 * need a look reach it if the nearest are finished first (the most looks a budget can buy). With the
 * pool (pooled design), also what the pooled statement needs past them: the pool's next look.
 */
export function planLooks(cells: readonly LookCell[], budgetLeftMs: number, pool?: PoolAhead): LookPlan {
  const needing = cells.filter(needsLook);
  const costs = needing.map((c) => costToLook(c) as number).sort((a, b) => a - b);
  let spent = 0;
  let reachable = 0;
  for (const cost of costs) {
    if (spent + cost > budgetLeftMs) break;
    spent += cost;
    reachable++;
  }
  const open = cells.filter((c) => c.decision.state === 'continue');
  return {
    needing: needing.length,
    reachable,
    neededMs: costs.reduce((sum, c) => sum + c, 0),
    budgetLeftMs,
    measured: needing.every(rateMeasured),
    ...(pool ? { pool: poolPastLooks(open, pool) } : {}),
    open: pool ? open.some((c) => !c.hasShare && !needsLook(c)) : needing.length === 0,
  };
}

/**
 * The pool's iterations past the cells' looks, up to its next look, and their time, ms. A harmless
 * head's pool shows its bound at its next look (the first spends 0.8·β: a clean tree is settled
 * there); until then every open cell takes its turn (./allocate.ts rule 4, fewest batches first), so
 * the iterations are spread evenly over the open cells, each at its own rate, with the base
 * iterations the cache holds past the cell's look free.
 */
export function poolPastLooks(
  open: readonly LookCell[],
  pool: PoolAhead,
): { readonly iterations: number; readonly ms: number } {
  if (pool.nextAt === null || open.length === 0) return { iterations: 0, ms: 0 };
  const toLooks = open.reduce((sum, c) => sum + (needsLook(c) ? (c.toLook as number) : 0), 0);
  const iterations = Math.max(0, pool.nextAt - pool.done - toLooks);
  const each = iterations / open.length;
  const ms = open.reduce((sum, c) => {
    const past = needsLook(c) ? (c.toLook as number) : 0;
    const cached = Math.min(each, Math.max(0, (c.baseCachedAhead ?? 0) - past));
    return sum + (2 * each - cached) * iterationCost(c);
  }, 0);
  return { iterations, ms };
}

/**
 * Storm time the plan expects to spend from now, ms: every cell that needs a look brought there and
 * (pooled design) the pool to its next look, when the budget allows it, else the whole budget left
 * (the storms run until it is spent). When the plan does not price what the storms run (`open`: the
 * per-cell design once no cell needs a look, or a cell waiting for its own fine test), the budget
 * left: the storms stop earlier only when the tests settle, which no rate predicts.
 */
export function stormExpectedMs(plan: LookPlan): number {
  const left = Math.max(0, plan.budgetLeftMs);
  if (plan.open || lookShortfall(plan)) return left;
  return Math.min(plan.neededMs + (plan.pool?.ms ?? 0), left);
}

/** The budget cannot bring every cell that needs a look there. */
export const lookShortfall = (plan: LookPlan): boolean => plan.reachable < plan.needing;

const minutes = (ms: number) => `${Math.max(1, Math.round(ms / 60_000))} min`;

/**
 * The plan as one progress line, e.g. "the looks of 28 cells need about 14 min (at the measured
 * rate), 10 min of budget left: about 19 of 28 can reach theirs; …", with the pool's look past the
 * cells' when they do not bring the pool there ("the pooled look 304 more iterations per side, about
 * 5 min").
 */
export function lookPlanText(plan: LookPlan): string {
  const rate = plan.measured ? 'at the measured rate' : 'estimated';
  const pooled = plan.pool && plan.pool.iterations > 0 ? plan.pool : null;
  const poolText = pooled
    ? `, the pooled look ${formatCount(Math.ceil(pooled.iterations))} more iterations per side, about ${minutes(pooled.ms)}`
    : '';
  const need = `the looks of ${formatCount(plan.needing)} cells need about ${minutes(plan.neededMs)} (${rate})${poolText}, ${minutes(plan.budgetLeftMs)} of budget left`;
  if (!lookShortfall(plan)) {
    const poolFits = !pooled || plan.neededMs + pooled.ms <= plan.budgetLeftMs;
    return `${need}: every cell can reach its look${poolFits ? '' : ', the pooled look may not'}`;
  }
  return `${need}: about ${formatCount(plan.reachable)} of ${formatCount(plan.needing)} can reach theirs; the cells nearest their look go first, the rest stay inconclusive`;
}

/**
 * Says the plan twice at most: at the start (the rates estimated) and once every cell that needs a
 * look has measured its own rate; the second only when the first was an estimate.
 */
export function lookPlanAnnouncer(
  say: ((line: string, plan: LookPlan) => void) | undefined,
): (cells: readonly LookCell[], budgetLeftMs: number, pool?: PoolAhead) => void {
  let said: 'nothing' | 'estimate' | 'measured' = 'nothing';
  return (cells, budgetLeftMs, pool) => {
    if (!say || said === 'measured') return;
    const plan = planLooks(cells, budgetLeftMs, pool);
    if (plan.needing === 0 || (said === 'estimate' && !plan.measured)) return;
    said = plan.measured ? 'measured' : 'estimate';
    say(lookPlanText(plan), plan);
  };
}

/**
 * Iterations per side of the picked cell's next batch within the storm budget left, or 0: start
 * none. `size` is the batch the schedule wants (./batch-to-look.ts). A batch that has started runs to
 * its end, so the budget is planned before it, at the cell's rate (measured, else estimated):
 * - a cell that still needs its look (not leaning towards a regression) gets nothing when the
 *   budget left cannot bring it there: iterations short of a look state nothing;
 * - when the budget left reaches its look but not its look and one more batch, the batch goes to the
 *   look in one go, so the cell is not left one batch short when the budget runs out;
 * - any other batch is cut to what the budget left pays for (in whole lanes), none when that is
 *   not a lane's worth.
 */
export function batchInBudget(
  cell: LookCell,
  o: {
    readonly size: number;
    readonly lanes: number;
    readonly budgetLeftMs: number;
    /** The cell leans towards "head is worse" (./allocate.ts, rule 1): a regression may be settling. */
    readonly leaning: boolean;
  },
): number {
  const perIteration = 2 * iterationCost(cell);
  const affordable = Math.floor(Math.max(0, o.budgetLeftMs) / perIteration / o.lanes) * o.lanes;
  const look = costToLook(cell);
  if (!o.leaning && needsLook(cell) && look !== null && cell.toLook !== undefined) {
    if (look > o.budgetLeftMs) return 0;
    const toLook = Math.ceil(cell.toLook / o.lanes) * o.lanes;
    if (o.size < toLook && look + o.size * perIteration > o.budgetLeftMs) return toLook;
    return o.size;
  }
  return Math.min(o.size, affordable);
}
