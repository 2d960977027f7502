import { describe, expect, it } from 'vitest';
import { initialState } from '../../src/compare/sequential/decide-cell.js';
import { sequentialSettings } from '../../src/compare/sequential/settings.js';
import { defaultThresholds } from '../../src/config/thresholds.schema.js';
import { planLooks, stormExpectedMs } from '../../src/pipeline/schedule/look-budget.js';
import {
  aboutLeft,
  expectedLeftMs,
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
    const cell = (toLook: number) => ({ variant: 'plain' as const, decision, meanIterationMs: 500, toLook });
    // Two cells 31 iterations from their looks at 0.5 s per iteration and side: 31 s each.
    expect(stormExpectedMs(planLooks([cell(31), cell(31)], 100_000))).toBe(62_000);
    // Only one fits: the storms run until the budget is spent.
    expect(stormExpectedMs(planLooks([cell(31), cell(31)], 40_000))).toBe(40_000);
    // No look to reach (every share shown): the budget left is the bound.
    expect(stormExpectedMs(planLooks([], 40_000))).toBe(40_000);
  });
});
