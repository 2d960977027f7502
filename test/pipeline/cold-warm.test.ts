import { describe, expect, it } from 'vitest';
import { advance, initialState } from '../../src/compare/sequential/decide-cell.js';
import { sequentialSettings } from '../../src/compare/sequential/settings.js';
import { defaultThresholds } from '../../src/config/thresholds.schema.js';
import { type BaseCache, noBaseCache } from '../../src/pipeline/base-cache.js';
import { coldBase, coldBaseMode } from '../../src/pipeline/cold-base.js';
import type { CellProgress } from '../../src/pipeline/schedule/allocate.js';
import type { CellPlan } from '../../src/pipeline/schedule/cell-run.js';
import { costToLook } from '../../src/pipeline/schedule/look-budget.js';
import { asWarmed, baseSpentMs, coldWarmDue } from '../../src/pipeline/schedule/warm-due.js';
import { StormWorkload } from '../../src/workload/schema.js';

const settings = sequentialSettings(defaultThresholds, 'plain', 4);

/** A cell after the given batches of 2 iterations per side (a whole run's first batch on one lane). */
function cell(index: number, batches: ReadonlyArray<{ base: number; head: number }>): CellProgress {
  let state = initialState(settings);
  for (const b of batches) {
    state = advance(state, { base: { n: 2, failures: b.base }, head: { n: 2, failures: b.head } }, settings);
  }
  return {
    index,
    variant: 'plain',
    decision: state.decision,
    meanIterationMs: batches.length > 0 ? 400 : null,
    priorIterationMs: 400,
  };
}

const clean = { base: 0, head: 0 };
const due = (cells: CellProgress[], findingPending = false) =>
  coldWarmDue(cells, { leanAbove: defaultThresholds.stability.cellTolerance / 2, findingPending });

describe('a cold base under fail fast: when the warm-up is due', () => {
  it('not before every open cell has had its first batch', () => {
    expect(due([cell(0, [clean]), cell(1, [])])).toBe(false);
    expect(due([cell(0, [clean]), cell(1, [clean])])).toBe(true);
    // A stopped cell does not wait for a batch.
    const stopped = { ...cell(1, []), decision: { ...cell(1, []).decision, state: 'stop' as const } };
    expect(due([cell(0, [clean]), stopped])).toBe(true);
  });

  it('not while a cell leans towards "head is worse" (it gets the next batches first), nor while a finding waits for its evidence', () => {
    // Head failed both of its first 2 iterations, base none: above half the 10% coarse tolerance.
    expect(due([cell(0, [clean]), cell(1, [{ base: 0, head: 2 }])])).toBe(false);
    // Both sides failed alike: persisting noise, no lean.
    expect(due([cell(0, [clean]), cell(1, [{ base: 2, head: 2 }])])).toBe(true);
    expect(due([cell(0, [clean]), cell(1, [clean])], true)).toBe(false);
  });
});

describe('a pending warm-up prices the base shares as cached', () => {
  it('head alone to the look, and the pool past it, below the share', () => {
    // A cell 2 iterations in, 29 to its look at 31 (the share), nothing more cached.
    const cold = { ...cell(0, [clean]), toLook: 29, baseCached: 0, baseCachedAhead: 0 };
    expect(costToLook(cold)).toBe(2 * 29 * 400);
    const warmed = asWarmed(cold, 2, 31);
    expect(warmed).toMatchObject({ toLook: 29, baseCached: 29, baseCachedAhead: 29 });
    expect(costToLook(warmed)).toBe(29 * 400);
    // What the cache already holds further stays; past the share nothing is added.
    expect(asWarmed({ ...cold, baseCachedAhead: 50 }, 2, 31).baseCachedAhead).toBe(50);
    expect(asWarmed({ ...cold, toLook: 74, baseCached: 0 }, 31, 31)).toMatchObject({
      baseCached: 0,
      baseCachedAhead: 0,
    });
  });
});

describe('how a validation meets a cold base', () => {
  const workload = StormWorkload.parse({
    kind: 'storm',
    name: 'mine',
    description: 'a user-defined storm',
    signal: { to: 'server', pattern: [{ signal: 'SIGTERM' }] },
    at: { moment: 'established', delayMs: [50, 400] },
  });
  const plan = (priorIterationMs: number, baseCache: BaseCache = noBaseCache): CellPlan => ({
    index: 0,
    workload,
    workloadRef: 'mine',
    variant: 'plain',
    priorIterationMs,
    baseCache,
  });
  const o = { thresholds: defaultThresholds, lanes: 1, stormMs: 600_000 };

  it("prices the missing base iterations at each cell's prior, the cache's rate where it has one", () => {
    // 31 base iterations per cell (the share), none cached.
    expect(coldBase([plan(300), plan(700)], o)).toMatchObject({ missing: 62, warmMs: 31 * 1000 });
    // A cache that holds iterations 0-9 at 0.5 s each: its rate, not the prior, for the 21 missing.
    const partial: BaseCache = {
      ...noBaseCache,
      take: (indices) => ({ cached: [], missing: indices.filter((i) => i >= 10) }),
      meanIterationMs: () => 500,
    };
    expect(coldBase([plan(300, partial)], o)).toMatchObject({ missing: 21, warmMs: 21 * 500 });
  });

  it('by the cache, the budget and fail fast', () => {
    expect(coldBaseMode({ missing: 0, warmFirst: false }, true)).toBe('cached');
    expect(coldBaseMode({ missing: 124, warmFirst: false }, true)).toBe('interleaved');
    expect(coldBaseMode({ missing: 868, warmFirst: true }, false)).toBe('warm-first');
    expect(coldBaseMode({ missing: 868, warmFirst: true }, true)).toBe('warm-after-first-batches');
  });
});

describe("the first batches' base time, given back with the warm-up", () => {
  it('in proportion of the base iterations run to all run (cached base iterations cost nothing)', () => {
    const run = (base: number, head: number, reusedBase: number) => ({
      base: { length: base },
      head: { length: head },
      reusedBase,
    });
    expect(baseSpentMs(180_000, [run(2, 2, 0), run(2, 2, 0)])).toBe(90_000);
    // One cell's base came from the cache: 2 of 6 run iterations were base.
    expect(baseSpentMs(60_000, [run(2, 2, 0), run(2, 2, 2)])).toBe(20_000);
    expect(baseSpentMs(60_000, [])).toBe(0);
  });
});
