import type { Thresholds } from '../config/thresholds.schema.js';
import { type CellPlan, startingLooks } from './schedule/cell-run.js';
import { iterationCost, planLooks, stormExpectedMs } from './schedule/look-budget.js';
import { aboutTime } from './schedule/validation-budget.js';
import { coldIterations, type WarmCellsInput, warmCells, warmShare } from './warm-base.js';

/** Wall time of one base iteration of the cell: the cache's measurement, else the variant's prior. */
const rateOf = (cell: CellPlan): number =>
  iterationCost({
    meanIterationMs: null,
    priorIterationMs: cell.baseCache.meanIterationMs(),
    variant: cell.variant,
  });

/** What a cold base costs: the base iterations of the shares not cached, and their time and head's. */
export interface ColdBase {
  readonly missing: number;
  /** Time the missing base iterations take, ms. */
  readonly warmMs: number;
  /** Time head's shares take, ms. */
  readonly headMs: number;
  /** Warm first: base and head together would not fit the storm budget. */
  readonly warmFirst: boolean;
}

/**
 * Whether the base-results cache lacks the pooled shares (a cold base), and whether storming them
 * inside the budget would eat head's looks: then they are warmed first, as their own phase.
 */
export function coldBase(
  cells: readonly CellPlan[],
  o: {
    readonly thresholds: Thresholds;
    readonly lanes: number;
    readonly cap?: number;
    readonly stormMs: number;
  },
): ColdBase {
  const { share } = warmShare(o.thresholds, o.lanes, o.cap);
  const missing = coldIterations(cells, share);
  const warmMs = cells.reduce((sum, c) => sum + coldIterations([c], share) * rateOf(c), 0);
  const headMs = cells.reduce((sum, c) => sum + share * rateOf(c), 0);
  return { missing, warmMs, headMs, warmFirst: missing > 0 && warmMs + headMs > o.stormMs };
}

/**
 * Step 3a: a cold base is named at the start with what it costs. When base and head together fit
 * the storm budget, they run interleaved as usual; otherwise the base's shares are warmed first
 * into the cache (what `validate --warm-base` does), and the validation's budget starts after, so
 * that head gets all of it (docs/validate.md, "Reused base results").
 */
export async function coldBasePhase(
  o: WarmCellsInput & {
    /** The storms' part of the budget, ms. */
    readonly stormMs: number;
    /** The whole budget, ms, to say when it starts. */
    readonly budgetMs: number;
    /**
     * The validation's expected time after the warm-up, ms, given the storms' (for the progress's
     * time left).
     */
    readonly afterMs: (stormMs: number) => number;
    /**
     * Fail fast: a clear regression settles in the first batches, which a warm-up before them
     * would delay by its whole length (the demo's 2 + 2 iterations waited 6 min). Then base is
     * stormed interleaved, as it is needed, never warmed first.
     */
    readonly failFast: boolean;
  },
): Promise<void> {
  const cold = coldBase(o.cells, { ...o, lanes: o.pool.lanes.length });
  if (cold.missing === 0) return;
  const warmFirst = cold.warmFirst && !o.failFast;
  const cost = `${cold.missing} base iterations, ${aboutTime(cold.warmMs)}`;
  const notice = (message: string, expectedLeftMs: number) =>
    o.emit({ phase: 'storm', message, notice: true, iterationsDone: 0, iterationsTotal: 0, expectedLeftMs });
  // The storms priced by the look plan the storms follow: every cell's look and the pool's, base and
  // head where base is cold, head alone past a warm-up (./schedule/look-budget.ts).
  const storms = (warmedTo: number) => {
    const start = startingLooks(o.cells, o.thresholds, {
      ...(o.cap === undefined ? {} : { cap: o.cap }),
      warmedTo,
    });
    return stormExpectedMs(planLooks(start.cells, o.stormMs, start.pool));
  };
  if (!warmFirst) {
    const after = o.afterMs(storms(0));
    notice(
      cold.warmFirst
        ? `base results not cached: this validation storms base as its cells need it (all shares: ${cost}, more than the budget leaves head; fail fast does not wait for a warm-up); later validations against this base reuse them`
        : `base results not cached: this validation storms base too (${cost}, inside the budget); later validations against this base reuse them`,
      after,
    );
    return;
  }
  const { share } = warmShare(o.thresholds, o.pool.lanes.length, o.cap);
  const warmedStorms = storms(share);
  notice(
    `base results not cached: warming the base once (${cost}); later validations against this base reuse them, and this one's ${aboutTime(o.budgetMs).replace('about ', '')} budget starts after`,
    cold.warmMs + o.afterMs(warmedStorms),
  );
  const started = performance.now();
  const warmed = await warmCells({
    cells: o.cells,
    build: o.build,
    pool: o.pool,
    seed: o.seed,
    thresholds: o.thresholds,
    ...(o.cap === undefined ? {} : { cap: o.cap }),
    sandbox: o.sandbox,
    // The warm-up's own lines, with the time left at the rate measured so far (the estimate's
    // before the first cell): the warm-up's rest, then the validation, scaled alike.
    emit: (p) => {
      const ran = p.iterationsDone;
      const scale = ran > 0 ? (performance.now() - started) / ran / (cold.warmMs / cold.missing) : 1;
      const warmLeft = Math.max(0, cold.missing - ran) * (cold.warmMs / cold.missing) * scale;
      o.emit({
        ...p,
        message: `warming base: ${p.message}`,
        expectedLeftMs: warmLeft + o.afterMs(Math.min(o.stormMs, warmedStorms * scale)),
      });
    },
    ...(o.signal ? { signal: o.signal } : {}),
  });
  // The storms at the rate the warm-up measured (the cache's records now).
  notice(
    `base warmed: ${warmed.ran} iterations in ${aboutTime(performance.now() - started).replace('about ', '')}; the budget starts now`,
    o.afterMs(storms(0)),
  );
}
