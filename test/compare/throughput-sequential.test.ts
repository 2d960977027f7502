// The sequential throughput design: its looks, the confidence each look gets, and its error rates
// by simulation of pair differences (statistics only; the runs themselves are real in
// test/throughput/measure.test.ts and test/pipeline/validate.test.ts).
import { describe, expect, it } from 'vitest';
import { pairedRelativeChange } from '../../src/compare/stats/signed-rank.js';
import { throughputSettled } from '../../src/compare/throughput/compare-throughput.js';
import { lookConfidence, lookSchedule } from '../../src/compare/throughput/looks.js';
import { defaultThresholds } from '../../src/config/thresholds.schema.js';
import { iterationRandom } from '../../src/storm/prng.js';
import {
  contaminatedPairs,
  type DrawPair,
  normalPairs,
  simulateThroughputRow,
} from '../support/simulate-throughput.js';

const t = defaultThresholds.throughput;
const budget = 30;

describe('lookSchedule', () => {
  it('looks at 40%, 70% and all of the budget, in even pair counts rounded down', () => {
    expect(lookSchedule(30)).toEqual([12, 20, 30]);
    expect(lookSchedule(40)).toEqual([16, 28, 40]);
    expect(lookSchedule(7)).toEqual([2, 4, 7]);
    expect(lookSchedule(3)).toEqual([2, 3]);
    expect(lookSchedule(1)).toEqual([1]);
    expect(() => lookSchedule(0)).toThrow(RangeError);
  });
});

describe('lookConfidence', () => {
  it('spends α = 5% by α·t³ over the looks: 0.32%, 0.86% and 3.52% at 12, 20 and 30 of 30', () => {
    // t = 0.4, 2/3, 1: t³ = 0.064, 0.2963, 1.
    expect(lookConfidence(30, 12, 0.95)).toBeCloseTo(1 - 0.05 * 0.064, 12);
    expect(lookConfidence(30, 20, 0.95)).toBeCloseTo(1 - 0.05 * ((2 / 3) ** 3 - 0.064), 12);
    expect(lookConfidence(30, 30, 0.95)).toBeCloseTo(1 - 0.05 * (1 - (2 / 3) ** 3), 12);
    const spent = lookSchedule(30).reduce((sum, n) => sum + (1 - lookConfidence(30, n, 0.95)), 0);
    expect(spent).toBeCloseTo(0.05, 12);
  });

  it('judges a count between looks at the last look passed, and a single look at the full confidence', () => {
    expect(lookConfidence(30, 25, 0.95)).toBe(lookConfidence(30, 20, 0.95));
    expect(lookConfidence(30, 5, 0.95)).toBe(lookConfidence(30, 12, 0.95));
    expect(lookConfidence(7, 7, 0.95)).toBeCloseTo(1 - 0.05 * (1 - (4 / 7) ** 3), 12);
    expect(lookConfidence(1, 1, 0.95)).toBeCloseTo(0.95, 12);
  });
});

describe('throughputSettled', () => {
  const change = (lower: number | null, upper: number | null) => ({
    estimate: 0,
    lower,
    upper,
    confidence: 0.95,
    achievedConfidence: 0.96,
  });
  it('stops only when the interval holds no threshold', () => {
    expect(throughputSettled(change(-0.02, 0.02), t)).toBe(true);
    expect(throughputSettled(change(-0.2, -0.05), t)).toBe(true);
    expect(throughputSettled(change(0.04, 0.1), t)).toBe(true);
    expect(throughputSettled(change(-0.05, 0.01), t)).toBe(false);
    expect(throughputSettled(change(-0.01, 0.04), t)).toBe(false);
    expect(throughputSettled(change(null, null), t)).toBe(false);
    expect(throughputSettled(null, t)).toBe(false);
  });
});

/** Share of `runs` simulated rows (seeded) for which `event` holds. */
function share(
  draw: DrawPair,
  runs: number,
  event: (row: ReturnType<typeof simulateThroughputRow>) => boolean,
) {
  let hits = 0;
  for (let i = 0; i < runs; i++) if (event(simulateThroughputRow(draw, budget, t))) hits++;
  return hits / runs;
}

// 4000 rows each: the standard error of a 2.5% rate is 0.25 points, so the bounds below allow two.
const runs = 4000;
const slack = 2 * Math.sqrt((0.025 * 0.975) / runs);

describe('the sequential design keeps its error rates (simulation, 4000 rows each)', () => {
  it('calls a slowdown of exactly the threshold (−3%) a regression at most 2.5% of the time', () => {
    // The worst case for a false regression: the true change sits on the threshold. Every look that
    // stops here has an interval that misses the true change, so the looks' α add up (Bonferroni).
    const draw = normalPairs(iterationRandom(15, 1), -0.03, 0.02);
    expect(share(draw, runs, (r) => r.verdict === 'regression')).toBeLessThanOrEqual(0.025 + slack);
  });

  it('would not with 95% at every look: the same rule then errs more than 4.5% of the time', () => {
    const draw = normalPairs(iterationRandom(15, 1), -0.03, 0.02);
    const looks = lookSchedule(budget);
    let falseRegressions = 0;
    for (let i = 0; i < runs; i++) {
      const base: number[] = [];
      const head: number[] = [];
      for (let pair = 1; pair <= budget; pair++) {
        base.push(1);
        head.push(Math.exp(draw()));
        if (!looks.includes(pair)) continue;
        const change = pairedRelativeChange(base, head, 0.95);
        if (pair === budget || throughputSettled(change, t)) {
          if (change?.upper != null && change.upper < -t.regressionThreshold) falseRegressions++;
          break;
        }
      }
    }
    expect(falseRegressions / runs).toBeGreaterThan(0.045);
  });

  it('covers the true change at least 95% of the time, also with outlier pairs', () => {
    for (const [seed, draw, change] of [
      [2, normalPairs(iterationRandom(15, 2), 0, 0.05), 0],
      [3, contaminatedPairs(iterationRandom(15, 3), 0, 0.03), 0],
      [4, contaminatedPairs(iterationRandom(15, 4), -0.03, 0.03), -0.03],
    ] as const) {
      const missed = share(
        draw,
        runs,
        (r) => r.lower === null || r.upper === null || r.lower > change || r.upper < change,
      );
      expect(missed, `seed ${seed}`).toBeLessThanOrEqual(0.05 + 2 * Math.sqrt((0.05 * 0.95) / runs));
    }
  });

  it('never calls a harmless change a regression or an improvement, and stops early on a large one', () => {
    expect(share(normalPairs(iterationRandom(15, 5), 0, 0.02), 1000, (r) => r.verdict === 'neutral')).toBe(1);
    const big = normalPairs(iterationRandom(15, 6), -0.15, 0.04);
    expect(share(big, 1000, (r) => r.verdict === 'regression' && r.pairs === 12)).toBeGreaterThan(0.95);
  });
});
