import type { Thresholds } from '../config/thresholds.schema.js';
import { type CellPlan, startingLooks } from './schedule/cell-run.js';
import { iterationCost, planLooks, stormExpectedMs } from './schedule/look-budget.js';
import { aboutTime } from './schedule/validation-budget.js';
import { coldIterations, type WarmCellsInput, warmCells, warmShare } from './warm-base.js';

/** Wall time of one base iteration of the cell: the cache's measurement, else its workload's prior. */
const rateOf = (cell: CellPlan): number =>
  iterationCost({
    meanIterationMs: null,
    cachedIterationMs: cell.baseCache.meanIterationMs(),
    priorIterationMs: cell.priorIterationMs,
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
 * How a validation meets a cold base (docs/validate.md, "A cold base"):
 * - `cached`: the base-results cache holds every cell's share: nothing to do;
 * - `interleaved`: base and head together fit the storms' part of the budget: base is stormed
 *   interleaved with head, as its cells need it;
 * - `warm-first` (no fail fast): the base's shares are warmed first, as their own phase, and the
 *   budget starts after;
 * - `warm-after-first-batches` (fail fast): every cell's first batch runs on base and head
 *   interleaved, so a clear regression is called in it as on a warm base; once nothing in them
 *   stops the run (./schedule/warm-due.ts), the base's remaining shares are warmed as their own
 *   phase, off the budget's clock, and the budget goes on after it for head's looks.
 */
export type ColdBaseMode = 'cached' | 'interleaved' | 'warm-first' | 'warm-after-first-batches';

export function coldBaseMode(cold: Pick<ColdBase, 'missing' | 'warmFirst'>, failFast: boolean): ColdBaseMode {
  if (cold.missing === 0) return 'cached';
  if (!cold.warmFirst) return 'interleaved';
  return failFast ? 'warm-after-first-batches' : 'warm-first';
}

/** What the storms price to from the start (every cell's look and the pool's) and the start's ETA. */
interface StartPricing {
  readonly cells: readonly CellPlan[];
  readonly thresholds: Thresholds;
  readonly cap?: number;
  /** The storms' part of the budget, ms. */
  readonly stormMs: number;
  /** The validation's expected time after the warm-up, ms, given the storms'. */
  readonly afterMs: (stormMs: number) => number;
}

/**
 * The storms' expected time, ms, priced by the look plan the storms follow: every cell's look and
 * the pool's, base and head where base is cold, head alone past a warm-up of base iterations
 * 0 … warmedTo − 1 (./schedule/look-budget.ts).
 */
function stormsPriced(o: StartPricing, warmedTo: number): number {
  const start = startingLooks(o.cells, o.thresholds, {
    ...(o.cap === undefined ? {} : { cap: o.cap }),
    warmedTo,
  });
  return stormExpectedMs(planLooks(start.cells, o.stormMs, start.pool));
}

/**
 * The time the cold-base notice at the start expects the validation to take from there, ms: the
 * storms interleaved with base (`interleaved`), else the warm-up's missing base iterations and the
 * validation after it, with the warmed shares free (bench/iteration-prior.ts prices the default
 * `pr` request with it).
 */
export function coldStartExpectedMs(
  mode: Exclude<ColdBaseMode, 'cached'>,
  cold: Pick<ColdBase, 'warmMs'>,
  share: number,
  o: StartPricing,
): number {
  if (mode === 'interleaved') return o.afterMs(stormsPriced(o, 0));
  return cold.warmMs + o.afterMs(stormsPriced(o, share));
}

/** A cold base's warm-up due after the first batches (storm-cells' `warmUp`). */
export interface ColdWarmUp {
  /** Base iterations per cell the warm-up stores (the pooled share). */
  readonly share: number;
  /** Base iterations of the shares still missing, and their time at the cache's rate, ms. */
  readonly pending: () => { readonly missing: number; readonly warmMs: number };
  /**
   * Warms the base's shares into the base-results cache (what `validate --warm-base` does), with
   * its own announced lines; `afterMs`: the validation's expected time once it is done, ms.
   */
  readonly run: (afterMs: () => number) => Promise<void>;
}

/**
 * Step 3a: a cold base is named at the start with what it costs and how it is paid (coldBaseMode).
 * `warm-first` warms here, before the budget starts; `warm-after-first-batches` returns the warm-up
 * for the storms to run after the first batches (docs/validate.md, "Reused base results").
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
     * would delay by its whole length (the demo's 2 + 2 iterations waited 6 min): the warm-up waits
     * for the first batches.
     */
    readonly failFast: boolean;
  },
): Promise<ColdWarmUp | undefined> {
  const lanes = o.pool.lanes.length;
  const cold = coldBase(o.cells, { ...o, lanes });
  const mode = coldBaseMode(cold, o.failFast);
  if (mode === 'cached') return undefined;
  const { share } = warmShare(o.thresholds, lanes, o.cap);
  const cost = (c: { missing: number; warmMs: number }) =>
    `${c.missing} base iterations, ${aboutTime(c.warmMs)}`;
  const notice = (message: string, expectedLeftMs: number) =>
    o.emit({ phase: 'storm', message, notice: true, iterationsDone: 0, iterationsTotal: 0, expectedLeftMs });
  const budget = aboutTime(o.budgetMs).replace('about ', '');
  const storms = (warmedTo: number) => stormsPriced(o, warmedTo);
  const atStart = coldStartExpectedMs(mode, cold, share, o);
  if (mode === 'interleaved') {
    notice(
      `base results not cached: this validation storms base too (${cost(cold)}, inside the budget); later validations against this base reuse them`,
      atStart,
    );
    return undefined;
  }
  // The warm-up's progress: its own lines, with the time left at the rate measured so far (the
  // estimate's before the first cell): the warm-up's rest, then the validation after it.
  const warm = async (of: ColdBase, afterMs: (scale: number) => number) => {
    const started = performance.now();
    const perIteration = of.warmMs / Math.max(1, of.missing);
    const warmed = await warmCells({
      ...o,
      emit: (p) => {
        const ran = p.iterationsDone;
        const scale = ran > 0 ? (performance.now() - started) / ran / perIteration : 1;
        o.emit({
          ...p,
          message: `warming base: ${p.message}`,
          expectedLeftMs: Math.max(0, of.missing - ran) * perIteration * scale + afterMs(scale),
        });
      },
    });
    return { ran: warmed.ran, took: aboutTime(performance.now() - started).replace('about ', '') };
  };
  if (mode === 'warm-first') {
    const warmedStorms = storms(share);
    notice(
      `base results not cached: warming the base once (${cost(cold)}); later validations against this base reuse them, and this one's ${budget} budget starts after`,
      atStart,
    );
    const warmed = await warm(cold, (scale) => o.afterMs(Math.min(o.stormMs, warmedStorms * scale)));
    // The storms at the rate the warm-up measured (the cache's records now).
    notice(
      `base warmed: ${warmed.ran} iterations in ${warmed.took}; the budget starts now`,
      o.afterMs(storms(0)),
    );
    return undefined;
  }
  // Fail fast: the first batches first, interleaved; the warm-up after them, off the budget's clock.
  notice(
    `base results not cached: every cell's first batch runs on base and head (a clear regression is called there), then the base is warmed once (${cost(cold)}, off this validation's ${budget} budget, which goes on after it for head's looks); later validations against this base reuse them`,
    atStart,
  );
  const pending = () => coldBase(o.cells, { ...o, lanes });
  return {
    share,
    pending,
    run: async (afterMs) => {
      const now = pending();
      if (now.missing === 0) return;
      notice(
        `warming base once: ${cost(now)}; later validations against this base reuse them; the budget is paused meanwhile`,
        now.warmMs + afterMs(),
      );
      // After the first batches the rates are measured: the validation after it is priced as it is.
      const warmed = await warm(now, () => afterMs());
      notice(
        `base warmed: ${warmed.ran} iterations in ${warmed.took}; the budget goes on for head's looks`,
        afterMs(),
      );
    },
  };
}
