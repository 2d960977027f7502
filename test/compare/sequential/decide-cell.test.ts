import { describe, expect, it } from 'vitest';
import {
  advance,
  type BatchPair,
  decideCell,
  initialState,
} from '../../../src/compare/sequential/decide-cell.js';
import { type SequentialSettings, sequentialSettings } from '../../../src/compare/sequential/settings.js';
import { defaultThresholds } from '../../../src/config/thresholds.schema.js';

const settings: SequentialSettings = {
  alpha: 0.05,
  beta: 0.05,
  oddsRatio: 2,
  tolerance: 0.005,
  minIterationsPerSide: 20,
  maxIterationsPerSide: 2000,
  familySize: 1,
};

const batch = (baseFailures: number, headFailures: number, n = 10): BatchPair => ({
  base: { n, failures: baseFailures },
  head: { n, failures: headFailures },
});
const repeat = (times: number, b: BatchPair) => Array.from({ length: times }, () => b);

// Bounds: upper = −log(¾·α / familySize) = log(26.67) = 3.2834 (a quarter of α is kept for the
// fixed test at the cap), lower = log β = −2.9957.
// Per-batch LLRs are the hand counts of odds-ratio-llr.test.ts: 0/10 vs 3/10 gives 0.8807 for
// "worse" (and −1.1987 for "worse" when the sides are swapped); 2/10 vs 2/10 gives −0.19997 both ways.
describe('decideCell', () => {
  it('stops for a regression as soon as the worse-test crosses its upper bound', () => {
    // 3 × 0.8807 = 2.64 < 3.2834 ≤ 4 × 0.8807 = 3.52: the 4th batch.
    const d = decideCell(repeat(10, batch(0, 3)), settings);
    expect(d).toMatchObject({ state: 'stop', reason: 'regression', rule: 'odds-ratio-test', batches: 4 });
    expect(d.iterations).toEqual({ base: 40, head: 40 });
    expect(d.llr.worse).toBeCloseTo(4 * 0.8807457944547398, 12);
    expect(d.bounds.upper).toBeCloseTo(Math.log(1 / 0.0375), 14);
    expect(d.evidence).toBe(
      "base 0 of 40, head 12 of 40 failed: head's odds of failing are higher than base's (log-likelihood ratio 3.52 ≥ 3.28)",
    );
  });

  it('splits alpha over the family of cells (Bonferroni): 6 cells need log 160 = 5.08', () => {
    const d = decideCell(repeat(10, batch(0, 3)), { ...settings, familySize: 6 });
    expect(d).toMatchObject({ reason: 'regression', batches: 6 });
  });

  it('stops for an improvement once "worse" is ruled out and "better" shown', () => {
    // worse: 3 × −1.1987 ≤ −2.9957 at batch 3; better: 0.8807 per batch crosses at batch 4.
    const d = decideCell(repeat(10, batch(3, 0)), settings);
    expect(d).toMatchObject({ state: 'stop', reason: 'improvement', rule: 'odds-ratio-test', batches: 4 });
    expect(d.tests).toEqual({ worse: 'rejected', better: 'accepted' });
  });

  it('stops as equivalent when both one-sided tests rule out the designed odds ratio', () => {
    // 14 × −0.19997 = −2.80, 15 × −0.19997 = −3.00 ≤ −2.9957.
    const d = decideCell(repeat(20, batch(2, 2)), settings);
    expect(d).toMatchObject({ state: 'stop', reason: 'equivalent', rule: 'odds-ratio-test', batches: 15 });
    expect(d.evidence).toMatch(
      /^base 30 of 150, head 30 of 150 failed: neither side's odds of failing are 2× the other's/,
    );
  });

  it('proves the tolerance with a run of clean iterations: 0 of 600 per side', () => {
    // 598 clean iterations are needed at tolerance 0.5%; batches of 10 reach it at 600.
    const d = decideCell(repeat(80, batch(0, 0)), settings);
    expect(d).toMatchObject({ state: 'stop', reason: 'equivalent', rule: 'no-failures', batches: 60 });
    expect(d.certificateIterations).toBe(598);
    // 1 − 0.05^(1/600) = 0.4981%.
    expect(d.evidence).toBe("0 of 600 per side: head's failure rate is at most 0.50% at 95%");
  });

  it('stops when every iteration fails on both sides: the rate cannot separate them', () => {
    const d = decideCell(repeat(80, batch(10, 10)), settings);
    expect(d).toMatchObject({ reason: 'equivalent', rule: 'all-failures', batches: 60 });
  });

  it('stops at the cap without a decision', () => {
    const d = decideCell([batch(0, 1), ...repeat(10, batch(0, 0))], {
      ...settings,
      maxIterationsPerSide: 40,
    });
    expect(d).toMatchObject({ state: 'stop', reason: 'cap', rule: 'cap', batches: 4 });
    expect(d.evidence).toBe('base 0 of 40, head 1 of 40 failed: no decision at the cap of 40 per side');
  });

  it('stops at a cap below the minimum there, short of any verdict (a host cap is never exceeded)', () => {
    // 0/10 vs 3/10 twice would be a regression at the 4th batch; the cap of 20 comes first.
    const d = decideCell(repeat(10, batch(0, 3)), {
      ...settings,
      maxIterationsPerSide: 20,
      minIterationsPerSide: 30,
    });
    expect(d).toMatchObject({ state: 'stop', reason: 'cap', rule: 'cap', batches: 2 });
    expect(d.iterations).toEqual({ base: 20, head: 20 });
  });

  it('continues while open and says so', () => {
    const d = decideCell(repeat(2, batch(0, 1)), settings);
    expect(d).toMatchObject({ state: 'continue', reason: null, rule: null, batches: 2 });
    expect(d.tests).toEqual({ worse: 'open', better: 'open' });
    expect(d.evidence).toMatch(/^base 0 of 20, head 2 of 20 failed so far/);
  });

  it('waits for the minimum number of iterations before any stop', () => {
    const d = decideCell(repeat(10, batch(0, 3)), { ...settings, minIterationsPerSide: 50 });
    expect(d).toMatchObject({ reason: 'regression', batches: 5 });
  });

  it('keeps a stop final: later batches do not change it', () => {
    let state = initialState(settings);
    for (const b of repeat(4, batch(0, 3))) state = advance(state, b, settings);
    const stopped = state.decision;
    for (const b of repeat(5, batch(10, 0))) state = advance(state, b, settings);
    expect(state.decision).toEqual(stopped);
  });

  it('works with unequal batch sizes (the conditional test needs no pairing)', () => {
    const batches = repeat(12, { base: { n: 7, failures: 0 }, head: { n: 13, failures: 5 } });
    expect(decideCell(batches, settings)).toMatchObject({ state: 'stop', reason: 'regression' });
  });

  it('rejects impossible batches', () => {
    expect(() => decideCell([batch(11, 0)], settings)).toThrow(/0 <= failures <= n/);
  });
});

describe('sequentialSettings', () => {
  it('takes the per-variant tolerance and cap from the thresholds, with an optional cap override', () => {
    expect(sequentialSettings(defaultThresholds, 'plain', 6)).toEqual({
      alpha: 0.05,
      beta: 0.05,
      oddsRatio: 2,
      tolerance: 0.005,
      minIterationsPerSide: 20,
      maxIterationsPerSide: 2000,
      familySize: 6,
    });
    expect(sequentialSettings(defaultThresholds, 'tsan', 1)).toMatchObject({
      tolerance: 0.02,
      maxIterationsPerSide: 300,
    });
    expect(sequentialSettings(defaultThresholds, 'asan', 1, 77).maxIterationsPerSide).toBe(77);
    expect(() => sequentialSettings(defaultThresholds, 'asan', 0)).toThrow(/familySize/);
  });
});
