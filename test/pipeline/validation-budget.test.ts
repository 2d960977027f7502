import { describe, expect, it } from 'vitest';
import { initialState } from '../../src/compare/sequential/decide-cell.js';
import { sequentialSettings } from '../../src/compare/sequential/settings.js';
import { defaultThresholds } from '../../src/config/thresholds.schema.js';
import { evidenceExpectedMs } from '../../src/pipeline/evidence-pass.js';
import type { CellRun } from '../../src/pipeline/schedule/cell-run.js';
import { planLooks, stormExpectedMs } from '../../src/pipeline/schedule/look-budget.js';
import {
  aboutLeft,
  expectedLeftMs,
  expectedPairs,
  expectedPairsFrom,
  pairSpread,
  splitBudget,
  throughputPairPriorMs,
  throughputPairsFor,
  throughputRoundDue,
} from '../../src/pipeline/schedule/validation-budget.js';

// The throughput workload's default run: 3 s measured after 1 s of warm-up, 0.5 s around it.
const pairMs = throughputPairPriorMs({ seconds: 3, warmup: 1 });

describe('one budget for storms and throughput', () => {
  it('prices a throughput pair from its run length until one is measured', () => {
    expect(pairMs).toBe(9000);
  });

  it("splits the pr budget: throughput reserves a decided gate's pairs, the storms get the rest", () => {
    // 8 pairs (1 min 12 s) come off the top: the storms may use 8 min 48 s for their looks.
    expect(splitBudget({ budgetMs: 600_000, pairs: 40, pairMs, floorPairs: 8 })).toEqual({
      stormMs: 528_000,
      reservedPairs: 8,
    });
    // Fewer pairs configured than the floor: those.
    expect(splitBudget({ budgetMs: 600_000, pairs: 6, pairMs, floorPairs: 8 })).toEqual({
      stormMs: 546_000,
      reservedPairs: 6,
    });
    // No throughput: the storms get everything.
    expect(splitBudget({ budgetMs: 600_000, pairs: 0, pairMs, floorPairs: 8 })).toEqual({
      stormMs: 600_000,
      reservedPairs: 0,
    });
    // A budget too short for both: throughput keeps its floor, the storms keep 60% of the budget.
    expect(splitBudget({ budgetMs: 60_000, pairs: 40, pairMs, floorPairs: 8 })).toEqual({
      stormMs: 36_000,
      reservedPairs: 8,
    });
  });

  it('gives throughput the storm time left over, in whole rounds, never below the reserve', () => {
    // 5 min left: 33 pairs' worth, 32 in whole ABBA rounds.
    expect(throughputPairsFor({ leftMs: 300_000, pairs: 40, pairMs, reservedPairs: 8 })).toBe(32);
    expect(throughputPairsFor({ leftMs: 10_000, pairs: 40, pairMs, reservedPairs: 8 })).toBe(8);
    expect(throughputPairsFor({ leftMs: -5_000, pairs: 40, pairMs, reservedPairs: 8 })).toBe(8);
    expect(throughputPairsFor({ leftMs: 900_000, pairs: 40, pairMs, reservedPairs: 8 })).toBe(40);
    expect(throughputPairsFor({ leftMs: 900_000, pairs: 0, pairMs, reservedPairs: 0 })).toBe(0);
  });

  it('expects the storms time, then the pairs the budget leaves after them', () => {
    // 5 min of storms expected with 10 min left: 5 min pay 32 pairs (4 min 48 s).
    const left = expectedLeftMs({
      stormExpectedMs: 300_000,
      leftMs: 600_000,
      pairs: 40,
      pairMs,
      reservedPairs: 26,
    });
    expect(left).toBe(300_000 + 32 * 9000);
    expect(aboutLeft(left)).toBe('about 10 min left');
    // Storms expected to take their whole part: throughput gets its reserve.
    expect(
      expectedLeftMs({ stormExpectedMs: 528_000, leftMs: 600_000, pairs: 40, pairMs, reservedPairs: 8 }),
    ).toBe(528_000 + 8 * 9000);
    expect(aboutLeft(44_000)).toBe('about 40 s left');
    expect(aboutLeft(4_000)).toBe('less than 10 s left');
  });

  it("spreads throughput's reserve over the storms' time, one ABBA round at a time", () => {
    // 8 pairs reserved, storms of 500 s (spent and expected): rounds due at 100, 200, 300 and 400 s.
    const due = (spent: number, done: number, reservedPairs = 8) =>
      throughputRoundDue({
        stormSpentMs: spent,
        stormExpectedLeftMs: 500_000 - spent,
        donePairs: done,
        reservedPairs,
      });
    expect(due(99_000, 0)).toBe(false);
    expect(due(100_000, 0)).toBe(true);
    expect(due(150_000, 2)).toBe(false);
    expect(due(200_000, 2)).toBe(true);
    expect(due(399_000, 6)).toBe(false);
    expect(due(400_000, 6)).toBe(true);
    // The reserve made: no more between batches (the rest runs after the storms).
    expect(due(499_000, 8)).toBe(false);
    // A late round catches up one round per call: at 350 s with none made, the first is due.
    expect(due(350_000, 0)).toBe(true);
    // 5 pairs reserved: two whole rounds, at a third and two thirds.
    expect(due(166_000, 0, 5)).toBe(false);
    expect(due(167_000, 0, 5)).toBe(true);
    expect(due(400_000, 4, 5)).toBe(false);
    // A regression settled in the first batches: 3 s of 500 expected, nothing due.
    expect(due(3_000, 0)).toBe(false);
    // No reserve (throughput off): never.
    expect(due(400_000, 0, 0)).toBe(false);
  });

  it('expects the storms to bring every cell to its look when the budget allows, else to spend it', () => {
    const decision = initialState(sequentialSettings(defaultThresholds, 'plain', 2)).decision;
    const cell = (toLook: number) => ({
      variant: 'plain' as const,
      decision,
      meanIterationMs: 500,
      priorIterationMs: 400,
      toLook,
    });
    // Two cells 31 iterations from their looks at 0.5 s per iteration and side: 31 s each.
    expect(stormExpectedMs(planLooks([cell(31), cell(31)], 100_000))).toBe(62_000);
    // Only one fits: the storms run until the budget is spent.
    expect(stormExpectedMs(planLooks([cell(31), cell(31)], 40_000))).toBe(40_000);
    // No look to reach (every share shown): the budget left is the bound.
    expect(stormExpectedMs(planLooks([], 40_000))).toBe(40_000);
  });
});

describe('what the expected finish prices after the storms', () => {
  const t = defaultThresholds.throughput;
  it("throughput's pairs as its looks are expected to stop a harmless change, by the pairs' spread", () => {
    // The normal approximation against the design's replays (docs/throughput.md: 17, 35, 40 pairs).
    expect(expectedPairs({ budget: 40, spread: 0.02, thresholds: t })).toBeCloseTo(16.03, 2);
    expect(expectedPairs({ budget: 40, spread: 0.05, thresholds: t })).toBeCloseTo(33.69, 2);
    expect(expectedPairs({ budget: 40, spread: 0.08, thresholds: t })).toBe(40);
    // No spread known yet: the whole budget.
    expect(expectedPairs({ budget: 40, spread: null, thresholds: t })).toBe(40);
    expect(expectedPairs({ budget: 0, spread: 0.02, thresholds: t })).toBe(0);
    // Past the first look (16 pairs) without a stop: from there on.
    expect(expectedPairs({ budget: 40, spread: 0.02, from: 16, thresholds: t })).toBeCloseTo(28, 1);
    // The decided gate's 8 pairs (looks at 2, 4, 8), a quiet machine's spread.
    expect(expectedPairs({ budget: 8, spread: 0.02, thresholds: t })).toBeCloseTo(7.3, 1);
    // The expected finish takes them instead of the budget's: 300 s leave 32 pairs (looks at 12, 22
    // and 32), of which 12.29 are expected at a 2% spread.
    expect(
      expectedLeftMs({
        stormExpectedMs: 300_000,
        leftMs: 600_000,
        pairs: 40,
        pairMs: 9_000,
        reservedPairs: 8,
        pairsRun: (budget) => expectedPairs({ budget, spread: 0.02, thresholds: t }),
      }),
    ).toBeCloseTo(410_574, 0);
  });

  it('the spread of the pairs made so far, from 4 pairs on', () => {
    expect(pairSpread([100, 100, 100], [100, 100, 100])).toBeNull();
    const s = pairSpread([100, 100, 100, 100], [100, 100, 100, 100 * Math.E ** 0.04]) as number;
    // ln ratios 0, 0, 0, 0.04: mean 0.01, sample standard deviation 0.02.
    expect(s).toBeCloseTo(0.02, 12);
  });

  it('the pairs expected from the runs made so far: their spread, and the looks they are past', () => {
    // Three pairs say nothing of the spread: the whole budget.
    expect(expectedPairsFrom(40, { base: [100, 100, 100], head: [100, 100, 101] }, t)).toBe(40);
    // Sixteen pairs at a 2% spread (ln ratios ±0.02 alternating, mean 0): past the first look.
    const base = Array(16).fill(100);
    const head = base.map((b, i) => b * Math.E ** (i % 2 ? 0.02 : -0.02));
    const spread = pairSpread(base, head);
    expect(expectedPairsFrom(40, { base, head }, t)).toBe(
      expectedPairs({ budget: 40, spread, from: 16, thresholds: t }),
    );
    // Never past its own budget: a budget smaller than the pairs made is all made.
    expect(expectedPairsFrom(8, { base, head }, t)).toBe(8);
  });

  it('the evidence pass: each stackless build whose head crashed anew, its expected ASan reruns', () => {
    const crash = (signature: string) => ({ target: { outcome: { kind: 'crash', signature } } });
    const cell = (workload: string, variant: string, base: string[], head: string[]) =>
      ({
        plan: { workload: { name: workload }, variant },
        base: base.map(crash),
        head: head.map(crash),
      }) as unknown as CellRun;
    const runs = [
      cell('w1', 'plain', [], ['SIGSEGV a']),
      // Base crashed alike: not new.
      cell('w2', 'plain', ['SIGSEGV b'], ['SIGSEGV b']),
      // ASan gives its own stacks.
      cell('w3', 'asan', [], ['SIGSEGV c']),
      cell('w4', 'plain', [], []),
    ];
    // (1 − 0.8⁶) / 0.2 = 3.68928 attempts of 2 s.
    expect(evidenceExpectedMs(runs, () => 2_000)).toBeCloseTo(2_000 * 3.68928, 6);
    expect(evidenceExpectedMs(runs.slice(3), () => 2_000)).toBe(0);
    // Within the pass's time bound.
    expect(evidenceExpectedMs(runs, () => 60_000)).toBe(90_000);
  });
});
