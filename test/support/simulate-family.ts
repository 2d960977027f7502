import { advanceBound, type BoundState } from '../../src/compare/neutral/bound-state.js';
import { initialCellBound } from '../../src/compare/neutral/cell-bound.js';
import type { NeutralDesign } from '../../src/compare/neutral/design.js';
import { addToPool, openPool } from '../../src/compare/neutral/pooled-bound.js';
import {
  advance,
  type BatchPair,
  initialState,
  type SequentialState,
} from '../../src/compare/sequential/decide-cell.js';
import { sequentialSettings } from '../../src/compare/sequential/settings.js';
import { compareStability, type StabilityComparison } from '../../src/compare/stability/compare-stability.js';
import type { VariantName } from '../../src/compile/variants.js';
import type { Thresholds } from '../../src/config/thresholds.schema.js';
import { leanAbove, nextCell } from '../../src/pipeline/schedule/allocate.js';
import { batchToLook } from '../../src/pipeline/schedule/batch-to-look.js';
import { neutralSettled } from '../../src/pipeline/schedule/neutral-settled.js';
import { cell } from './report-fixtures.js';
import type { Draw } from './simulate-cell.js';

/**
 * Simulation of the *statistics* of a whole validation: failure counts drawn at known rates per
 * cell, batches given out by the real allocator, the real pooled stop, the real comparison. It
 * measures error rates and sample sizes; it never stands in for a storm's outcomes.
 */
export interface FamilyCell {
  readonly variant: VariantName;
  readonly base: number;
  readonly head: number;
}

export interface SimulatedFamily {
  readonly stability: StabilityComparison;
  /** Judged iterations per side of each cell (head's). */
  readonly iterations: number[];
  readonly batches: number;
}

export function simulateFamily(
  family: readonly FamilyCell[],
  t: Thresholds,
  design: NeutralDesign,
  draw: Draw,
  { batchSize = 10, maxBatches = 100_000, failFast = true } = {},
): SimulatedFamily {
  const cells = family.map((c, index) => {
    const settings = sequentialSettings(t, c.variant, family.length);
    return {
      index,
      ...c,
      settings,
      state: initialState(settings) as SequentialState,
      coarse: initialCellBound(t.stability) as BoundState,
      batches: [] as BatchPair[],
    };
  });
  let pool = openPool(family, t.stability);
  let batches = 0;
  for (; batches < maxBatches; batches++) {
    const settling = cells.map((c) => ({ decision: c.state.decision, coarse: c.coarse, stopped: false }));
    if (design === 'pooled' && neutralSettled(settling, pool.bound, t.stability)) break;
    const progress = cells.map((c) => ({
      index: c.index,
      variant: c.variant,
      decision: c.state.decision,
      meanIterationMs: c.batches.length > 0 ? 300 : null,
      priorIterationMs: 400,
      hasShare: design === 'pooled' && c.coarse.shown,
    }));
    const pick = nextCell(progress, { leanAbove: leanAbove(t.stability, design) });
    const c = pick && cells[pick.index];
    if (!c) break;
    // As the pipeline does: the last batch before a look of the cell's coarse bound is cut to it.
    const done = c.state.decision.iterations.head;
    const size = design === 'pooled' ? batchToLook(c.coarse, done, batchSize, 1) : batchSize;
    const pair: BatchPair = {
      base: { n: size, failures: draw(size, c.base) },
      head: { n: size, failures: draw(size, c.head) },
      at: batches,
    };
    c.batches.push(pair);
    c.state = advance(c.state, pair, c.settings);
    const d = c.state.decision;
    c.coarse = advanceBound(c.coarse, {
      base: { n: d.iterations.base, failures: d.failures.base },
      head: { n: d.iterations.head, failures: d.failures.head },
    });
    pool = addToPool(pool, pair);
    if (failFast && d.reason === 'regression') {
      batches++;
      break;
    }
  }
  const inputs = cells.map((c) => cell({ workload: `w${c.index}`, variant: c.variant, batches: c.batches }));
  return {
    stability: compareStability(inputs, t, design),
    iterations: cells.map((c) => c.state.decision.iterations.head),
    batches,
  };
}

/** The pr profile's default set: 14 workloads in plain and in ASan. */
export function defaultFamily(rates: { base: number; head: number } = { base: 0, head: 0 }): FamilyCell[] {
  return (['plain', 'asan'] as const).flatMap((variant) =>
    Array.from({ length: 14 }, () => ({ variant, ...rates })),
  );
}

/**
 * Iterations the pr profile's 600 s of storm time hold on 2 idle cores with a warm base: 0.577 s
 * each, the slowest of the runs `npx tsx bench/pooled-neutral.ts` measured (persisting noise, its
 * hangs included; the clean run took 0.48 s).
 */
export const prBudgetIterations = 1040;

/**
 * What a simulated run costs against that budget with a warm base: head's iterations, plus base's
 * beyond what the warm-up holds (the share, 31; 105 in a cell whose base fails).
 */
export function warmBaseCost(iterations: readonly number[], baseFails: (cell: number) => boolean): number {
  return iterations.reduce((a, n, i) => a + n + Math.max(0, n - (baseFails(i) ? 105 : 31)), 0);
}
