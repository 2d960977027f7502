import { describe, expect, it } from 'vitest';
import { advanceBound, type BoundState, nextLookAt } from '../../src/compare/neutral/bound-state.js';
import { initialCellBound } from '../../src/compare/neutral/cell-bound.js';
import { addToPool, openPool, type Pool } from '../../src/compare/neutral/pooled-bound.js';
import { advance, initialState, type SequentialState } from '../../src/compare/sequential/decide-cell.js';
import { sequentialSettings } from '../../src/compare/sequential/settings.js';
import type { VariantName } from '../../src/compile/variants.js';
import { defaultThresholds } from '../../src/config/thresholds.schema.js';
import { type CellProgress, nextCell } from '../../src/pipeline/schedule/allocate.js';
import { batchToLook } from '../../src/pipeline/schedule/batch-to-look.js';
import { findingEvidenceMin } from '../../src/pipeline/schedule/finding-stop.js';
import {
  batchInBudget,
  type LookCell,
  lookPlanText,
  type PoolAhead,
  planLooks,
  stormExpectedMs,
} from '../../src/pipeline/schedule/look-budget.js';
import { neutralSettled } from '../../src/pipeline/schedule/neutral-settled.js';

const t = defaultThresholds.stability;
const lanes = 1;
const batch = 10;
// Wall time of one iteration of one side, ms, per variant (measured: the plan reads the same).
const ms: Readonly<Record<'plain' | 'asan', number>> = { plain: 300, asan: 600 };

/** The quick set's four cells (server-burst, client-burst × plain, asan) or the default set's 28. */
const variantsOf = (cells: number): ('plain' | 'asan')[] =>
  Array.from({ length: cells }, (_, i) => (i < cells / 2 ? 'plain' : 'asan'));

const settings = (v: VariantName, cells: number) => sequentialSettings(defaultThresholds, v, cells);

/**
 * The storms of a harmless head (no failure on either side), replayed with the allocator's own
 * functions (nextCell, batchToLook, batchInBudget, the coarse bounds, the pool and the pooled stop
 * of stormCells) and a modelled clock: only the wall time of an iteration is modelled, base
 * iterations below `cachedTo` cost nothing (the base-results cache). Returns the storm time spent
 * and what the plan expected before the first batch.
 */
function replay(o: { readonly cells: number; readonly cachedTo: number; readonly budgetMs: number }) {
  const variants = variantsOf(o.cells);
  const runs = variants.map((variant, index) => ({
    index,
    variant,
    done: 0,
    batches: 0,
    state: initialState(settings(variant, o.cells)) as SequentialState,
    coarse: initialCellBound(t) as BoundState,
  }));
  let pool: Pool = openPool(
    runs.map((r) => ({ variant: r.variant })),
    t,
  );
  const progress = (): CellProgress[] =>
    runs.map((r) => {
      const next = nextLookAt(r.coarse);
      const toLook = next !== null && next > r.done ? next - r.done : undefined;
      return {
        index: r.index,
        variant: r.variant,
        decision: r.state.decision,
        meanIterationMs: ms[r.variant],
        priorIterationMs: ms[r.variant],
        hasShare: r.coarse.shown,
        ...(toLook === undefined
          ? {}
          : { toLook, baseCached: Math.max(0, Math.min(toLook, o.cachedTo - r.done)) }),
        baseCachedAhead: Math.max(0, o.cachedTo - r.done),
      };
    });
  const poolAhead = (): PoolAhead => ({
    done: Math.min(pool.base.n, pool.head.n),
    nextAt: nextLookAt(pool.bound),
  });
  const expected = stormExpectedMs(planLooks(progress(), o.budgetMs, poolAhead()));
  let clock = 0;
  for (;;) {
    const settling = runs.map((r) => ({ decision: r.state.decision, coarse: r.coarse, stopped: false }));
    if (clock >= o.budgetMs || neutralSettled(settling, pool.bound, t)) break;
    const cells = progress();
    const pick = nextCell(cells, { budgetLeftMs: o.budgetMs - clock });
    if (!pick) break;
    const run = runs[pick.index];
    if (!run) throw new Error('unknown cell');
    const first = run.batches === 0 ? Math.min(batch, findingEvidenceMin) : batch;
    const wanted = batchToLook(run.coarse, run.done, first, lanes);
    const size = batchInBudget(pick, {
      size: wanted,
      lanes,
      budgetLeftMs: o.budgetMs - clock,
      leaning: false,
    });
    if (size === 0) break;
    const baseRan = size - Math.max(0, Math.min(size, o.cachedTo - run.done));
    clock += (size + baseRan) * ms[run.variant];
    run.done += size;
    run.batches++;
    const clean = { n: size, failures: 0 };
    run.state = advance(
      run.state,
      { base: clean, head: clean, at: run.batches },
      settings(run.variant, o.cells),
    );
    run.coarse = advanceBound(run.coarse, {
      base: { n: run.done, failures: 0 },
      head: { n: run.done, failures: 0 },
    });
    pool = addToPool(pool, { base: clean, head: clean });
  }
  return { expected, spent: clock, settled: pool.bound.shown, poolAt: Math.min(pool.base.n, pool.head.n) };
}

const cell = (variant: 'plain' | 'asan', more: Partial<LookCell> = {}): LookCell => ({
  variant,
  decision: initialState(settings(variant, 4)).decision,
  meanIterationMs: ms[variant],
  priorIterationMs: ms[variant],
  toLook: 31,
  ...more,
});

describe("the storms' expected time: the cells' looks and the pool's", () => {
  it('takes its looks from the schedule the stop uses: 31 per cell, the pool at max(428, cells × 31)', () => {
    expect(nextLookAt(initialCellBound(t))).toBe(31);
    expect(
      nextLookAt(
        openPool(
          variantsOf(4).map((variant) => ({ variant })),
          t,
        ).bound,
      ),
    ).toBe(428);
    expect(
      nextLookAt(
        openPool(
          variantsOf(28).map((variant) => ({ variant })),
          t,
        ).bound,
      ),
    ).toBe(868);
  });

  it('prices the pool past the cells’ looks: the quick set, cold base', () => {
    const cells = [cell('plain'), cell('plain'), cell('asan'), cell('asan')];
    const plan = planLooks(cells, 528_000, { done: 0, nextAt: 428 });
    // The cells' looks: 31 per side, base and head, 2 × 31 × (0.3 + 0.3 + 0.6 + 0.6) s = 111.6 s.
    expect(plan.neededMs).toBe(111_600);
    // The pool needs 428 − 4 × 31 = 304 more per side, 76 per cell: 2 × 76 × 1.8 s = 273.6 s.
    expect(plan.pool).toEqual({ iterations: 304, ms: 273_600 });
    expect(stormExpectedMs(plan)).toBe(385_200);
    // The cells' looks alone (what the first estimate priced) are 3.45 times too short.
    expect(stormExpectedMs(planLooks(cells, 528_000))).toBe(111_600);
    expect(lookPlanText(plan)).toBe(
      'the looks of 4 cells need about 2 min (at the measured rate), the pooled look 304 more iterations per side, about 5 min, 9 min of budget left: every cell can reach its look',
    );
  });

  it("prices base iterations the cache holds as free: a warmed share, and a base cached past the pool's look", () => {
    // A warm-up stored base 0 … 30 of every cell: the looks cost head only, the pool's rest both sides.
    const warm = [cell('plain'), cell('plain'), cell('asan'), cell('asan')].map((c) => ({
      ...c,
      baseCached: 31,
      baseCachedAhead: 31,
    }));
    const shares = planLooks(warm, 528_000, { done: 0, nextAt: 428 });
    expect(shares.neededMs).toBe(55_800);
    expect(shares.pool?.ms).toBe(273_600);
    // A cold run before stored base 0 … 199: head alone all the way, 76 × 1.8 s for the pool.
    const deep = warm.map((c) => ({ ...c, baseCachedAhead: 200 }));
    expect(stormExpectedMs(planLooks(deep, 528_000, { done: 0, nextAt: 428 }))).toBe(55_800 + 136_800);
    // Cached in part past the look (0 … 69: 39 of the cell's 76 free).
    const part = warm.map((c) => ({ ...c, baseCachedAhead: 70 }));
    expect(planLooks(part, 528_000, { done: 0, nextAt: 428 }).pool?.ms).toBe((2 * 76 - 39) * 1800);
  });

  it('expects the whole budget when the pool’s look does not fit, and nothing once the statement is shown', () => {
    const cells = [cell('plain'), cell('plain'), cell('asan'), cell('asan')];
    const short = planLooks(cells, 300_000, { done: 0, nextAt: 428 });
    expect(stormExpectedMs(short)).toBe(300_000);
    expect(lookPlanText(short)).toMatch(/every cell can reach its look, the pooled look may not$/);
    // Every share shown and the pool's bound shown: the pooled stop ends the storms now.
    const shown = cells.map((c) => ({ ...c, hasShare: true, toLook: undefined }));
    expect(stormExpectedMs(planLooks(shown, 300_000, { done: 428, nextAt: null }))).toBe(0);
    // Shares shown, the pool 100 short of its look: 25 per cell, both sides.
    expect(stormExpectedMs(planLooks(shown, 300_000, { done: 328, nextAt: 428 }))).toBe(2 * 25 * 1800);
    // A cell open with no look to reach (it waits for its own fine test): no rate predicts the end.
    const waiting = [...shown.slice(1), { ...cell('plain'), toLook: undefined }];
    expect(stormExpectedMs(planLooks(waiting, 300_000, { done: 328, nextAt: 428 }))).toBe(300_000);
  });

  it('the estimate at the start matches the storms the allocator and the pooled stop run (quick set)', () => {
    for (const cachedTo of [0, 31, 200]) {
      const run = replay({ cells: 4, cachedTo, budgetMs: 528_000 });
      expect(run.settled).toBe(true);
      // The pool reaches its look in batches of 10: at most one batch per side past it.
      expect(run.poolAt).toBeGreaterThanOrEqual(428);
      expect(run.poolAt).toBeLessThan(428 + batch);
      // Within one batch of the slowest variant on both sides (12 s) of the storms that ran.
      expect(Math.abs(run.spent - run.expected)).toBeLessThanOrEqual(2 * batch * ms.asan);
    }
    // Cold base: 385.2 s expected (the cells' looks alone said 111.6 s).
    expect(replay({ cells: 4, cachedTo: 0, budgetMs: 528_000 }).expected).toBe(385_200);
  });

  it('the default set: the cells’ looks bring the pool to its look, the estimate is theirs', () => {
    const run = replay({ cells: 28, cachedTo: 31, budgetMs: 528_000 });
    expect(run.settled).toBe(true);
    expect(run.poolAt).toBe(868);
    // 14 × 31 × 0.3 s + 14 × 31 × 0.6 s, head only: exactly what ran.
    expect(run.expected).toBe(390_600);
    expect(run.spent).toBe(run.expected);
  });
});
