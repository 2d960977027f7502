import { describe, expect, it } from 'vitest';
import { advanceBound, type BoundState, nextLookAt } from '../../src/compare/neutral/bound-state.js';
import { initialCellBound } from '../../src/compare/neutral/cell-bound.js';
import { advance, initialState, type SequentialState } from '../../src/compare/sequential/decide-cell.js';
import { sequentialSettings } from '../../src/compare/sequential/settings.js';
import type { VariantName } from '../../src/compile/variants.js';
import { defaultThresholds } from '../../src/config/thresholds.schema.js';
import { type CellProgress, nextCell } from '../../src/pipeline/schedule/allocate.js';
import { batchToLook } from '../../src/pipeline/schedule/batch-to-look.js';
import {
  batchInBudget,
  costToLook,
  type LookCell,
  lookPlanAnnouncer,
  lookPlanText,
  lookShortfall,
  planLooks,
} from '../../src/pipeline/schedule/look-budget.js';

const t = defaultThresholds.stability;
const cells = 28;
const settings = (v: VariantName) => sequentialSettings(defaultThresholds, v, cells);

/**
 * The allocation loop of stormCells over clean cells (no failure on either side), replayed with a
 * wall time per iteration of each variant instead of storms: the allocator's own functions (nextCell,
 * batchToLook, the coarse bound and the sequential test) decide; only the clock is modelled.
 */
function replay(o: {
  readonly budgetMs: number;
  readonly msPerIteration: Readonly<Record<'plain' | 'asan', number>>;
  readonly planned: boolean;
  readonly onPlan?: (line: string) => void;
}) {
  const lanes = 2;
  const batch = 10;
  const runs = Array.from({ length: cells }, (_, index) => {
    const variant: 'plain' | 'asan' = index < cells / 2 ? 'plain' : 'asan';
    return {
      index,
      variant,
      done: 0,
      elapsedMs: 0,
      batches: 0,
      state: initialState(settings(variant)) as SequentialState,
      coarse: initialCellBound(t) as BoundState,
    };
  });
  const announce = lookPlanAnnouncer(o.onPlan);
  let clock = 0;
  for (;;) {
    if (clock >= o.budgetMs) break;
    const progress: CellProgress[] = runs.map((r) => {
      const next = nextLookAt(r.coarse);
      return {
        index: r.index,
        variant: r.variant,
        decision: r.state.decision,
        meanIterationMs: r.done > 0 ? r.elapsedMs / (2 * r.done) : null,
        priorIterationMs: 400,
        hasShare: r.coarse.shown,
        ...(next !== null && next > r.done ? { toLook: next - r.done } : {}),
      };
    });
    announce(progress, o.budgetMs - clock);
    const pick = nextCell(progress, o.planned ? { budgetLeftMs: o.budgetMs - clock } : {});
    if (!pick) break;
    const run = runs[pick.index];
    if (!run) throw new Error('unknown cell');
    const wanted = batchToLook(run.coarse, run.done, batch, lanes);
    // The batch planned within the budget left, as stormCells plans it (the rule off: as before).
    const size = o.planned
      ? batchInBudget(pick, { size: wanted, lanes, budgetLeftMs: o.budgetMs - clock, leaning: false })
      : wanted;
    if (size === 0) break;
    const ms = 2 * size * o.msPerIteration[run.variant];
    clock += ms;
    run.elapsedMs += ms;
    run.done += size;
    run.batches++;
    const clean = { n: size, failures: 0 };
    run.state = advance(run.state, { base: clean, head: clean, at: run.batches }, settings(run.variant));
    run.coarse = advanceBound(run.coarse, {
      base: { n: run.done, failures: 0 },
      head: { n: run.done, failures: 0 },
    });
  }
  return runs;
}

// 14 plain and 14 ASan cells, 0.3 s and 0.6 s per iteration and side (a cold base: both sides run):
// one round of batches of 10 takes 252 s, so a 700 s budget runs out in the third round with every
// cell at 30 or less of the 31 iterations its first look needs.
const msPerIteration = { plain: 300, asan: 600 };
const budgetMs = 700_000;

describe('the storm budget planned against the looks', () => {
  it('round robin leaves every cell short of its first look; the plan brings most of them there', () => {
    const first = initialCellBound(t).schedule[0]?.at;
    expect(first).toBe(31);
    const before = replay({ budgetMs, msPerIteration, planned: false });
    expect(before.filter((r) => r.coarse.shown)).toHaveLength(0);
    expect(Math.max(...before.map((r) => r.done))).toBeLessThan(31);

    const lines: string[] = [];
    const after = replay({ budgetMs, msPerIteration, planned: true, onPlan: (l) => lines.push(l) });
    const shown = after.filter((r) => r.coarse.shown);
    // After the first round (252 s) 448 s are left; a look costs 12.6 s (plain) or 25.2 s (ASan)
    // more: all 14 plain cells and 10 ASan cells, as the plan said (round robin: 24 cells at 30).
    expect(shown).toHaveLength(24);
    expect(before.filter((r) => r.done === 30)).toHaveLength(24);
    expect(shown.filter((r) => r.variant === 'plain')).toHaveLength(14);
    // Every cell was looked at once (a regression anywhere could have shown) before any was finished.
    expect(after.every((r) => r.batches >= 1)).toBe(true);
    // No cell is left short of its look: an unshown cell has its first batch only (the budget
    // left could not bring it to its look, so no batch was started that would stop short).
    expect(after.filter((r) => !r.coarse.shown && r.done > 10)).toHaveLength(0);
    // Said at the start (estimated) and again with the measured rates.
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      /^the looks of 28 cells need about \d+ min \(estimated\), 12 min of budget left/,
    );
    expect(lines[1]).toBe(
      'the looks of 28 cells need about 9 min (at the measured rate), 7 min of budget left: about 24 of 28 can reach theirs; the cells nearest their look go first, the rest stay inconclusive',
    );
  });

  it('with budget enough for every look, it keeps round robin and says every cell can reach its look', () => {
    const lines: string[] = [];
    const runs = replay({
      budgetMs: 1_200_000,
      msPerIteration,
      planned: true,
      onPlan: (l) => lines.push(l),
    });
    expect(runs.every((r) => r.coarse.shown)).toBe(true);
    expect(lines.at(-1)).toMatch(/: every cell can reach its look$/);
  });

  it('plans the nearest looks first: the most looks a budget can buy', () => {
    const cell = (toLook: number, meanIterationMs: number) => ({
      variant: 'plain' as const,
      decision: initialState(settings('plain')).decision,
      meanIterationMs,
      priorIterationMs: 400,
      toLook,
    });
    const plan = planLooks([cell(20, 500), cell(1, 500), cell(2, 500), cell(21, 100)], 10_000);
    // Costs 20 s, 1 s, 2 s, 4.2 s: 1 + 2 + 4.2 fit in 10 s, 20 s does not.
    expect(plan).toMatchObject({ needing: 4, reachable: 3, neededMs: 27_200, measured: true });
    expect(lookShortfall(plan)).toBe(true);
    expect(lookPlanText(plan)).toMatch(/about 3 of 4 can reach theirs/);
    expect(planLooks([cell(20, 500)], 30_000)).toMatchObject({ needing: 1, reachable: 1 });
    expect(planLooks([{ ...cell(1, 500), hasShare: true }], 0).needing).toBe(0);
  });

  it("prices a look with the cached base iterations free, at the measured rate or the cache's", () => {
    const decision = initialState(settings('plain')).decision;
    const base = { variant: 'plain' as const, decision, toLook: 10, priorIterationMs: 400 };
    // 10 head and 6 base iterations (4 cached) at 0.5 s.
    expect(costToLook({ ...base, meanIterationMs: 500, baseCached: 4 })).toBe(8000);
    // Before the cell measured its own rate, the base cache's; with neither, the workload's prior.
    expect(costToLook({ ...base, meanIterationMs: null, cachedIterationMs: 300 })).toBe(6000);
    expect(costToLook({ ...base, meanIterationMs: null })).toBe(8000);
    expect(costToLook({ ...base, meanIterationMs: null, priorIterationMs: 700 })).toBe(14_000);
    // A measured rate wins over the prior, whatever the prior.
    expect(
      costToLook({ ...base, meanIterationMs: 500, cachedIterationMs: 300, priorIterationMs: 9_000 }),
    ).toBe(10_000);
    expect(planLooks([{ ...base, meanIterationMs: null, cachedIterationMs: 300 }], 60_000).measured).toBe(
      true,
    );
    expect(planLooks([{ ...base, meanIterationMs: null }], 60_000).measured).toBe(false);
  });

  it('sizes the last batch to the budget left: to the look in one go, or none that would stop short', () => {
    const decision = initialState(settings('plain')).decision;
    // 20 of 31 done, 0.5 s per iteration and side (1 s per iteration of both): the look costs 11 s.
    const cell = {
      variant: 'plain' as const,
      decision,
      meanIterationMs: 500,
      priorIterationMs: 400,
      toLook: 11,
    };
    const size = (budgetLeftMs: number, more: Partial<LookCell> = {}, lanes = 1) =>
      batchInBudget({ ...cell, ...more }, { size: 10, lanes, budgetLeftMs, leaning: false });
    // Budget for the look and a batch more: the usual batch.
    expect(size(100_000)).toBe(10);
    // Budget for the look but not a batch beyond it: the whole rest in one batch (not 10 then 1).
    expect(size(15_000)).toBe(11);
    expect(size(15_000, {}, 2)).toBe(12);
    // Not even the look: no batch (iterations short of a look state nothing).
    expect(size(10_999)).toBe(0);
    // With 11 base iterations cached the look costs 5.5 s.
    expect(size(6_000, { baseCached: 11 })).toBe(11);
    // A cell past its share: its batch cut to what the budget pays, none below a lane's worth.
    expect(size(3_500, { hasShare: true })).toBe(3);
    expect(size(500, { hasShare: true })).toBe(0);
    // A cell leaning towards a regression: what the budget pays, look or not.
    expect(batchInBudget(cell, { size: 10, lanes: 1, budgetLeftMs: 4_000, leaning: true })).toBe(4);
  });
});
