import { describe, expect, it } from 'vitest';
import { relativeChange } from '../../../src/compare/stats/hodges-lehmann.js';
import { median } from '../../../src/compare/stats/median.js';
import { mannWhitneyCdf, shiftIntervalRanks } from '../../../src/compare/stats/rank-sum-distribution.js';

describe('median', () => {
  it('takes the middle value, or the mean of the two middle ones', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
    expect(median([5, 5, 5, 5])).toBe(5);
    expect(median([])).toBeNull();
  });
});

// Reference: the null distribution of U counted by brute force in Python, enumerating every way
// to place the first sample among the n + m ranks (itertools.combinations): C(10, 5) = 252 for
// 5 + 5, C(8, 4) = 70, C(6, 3) = 20, C(10, 3) = 120, C(12, 6) = 924.
describe('mannWhitneyCdf', () => {
  it.each([
    [5, 5, 252, [1, 2, 4, 7, 12, 19]],
    [4, 4, 70, [1, 2, 4]],
    [3, 3, 20, [1, 2]],
    [3, 7, 120, [1, 2, 4, 7, 11]],
    [6, 6, 924, [1, 2, 4, 7, 12, 19, 30, 43]],
  ])('%i and %i', (n, m, total, cumulative) => {
    const cdf = mannWhitneyCdf(n, m);
    expect(cdf.length).toBe(n * m + 1);
    for (const [u, count] of cumulative.entries()) expect(cdf[u]).toBeCloseTo(count / total, 15);
    expect(cdf[n * m]).toBe(1);
  });

  it('is symmetric: P(U <= u) = 1 - P(U <= nm - u - 1)', () => {
    const cdf = mannWhitneyCdf(7, 9);
    for (let u = 0; u < 63; u++) expect((cdf[u] as number) + (cdf[62 - u] as number)).toBeCloseTo(1, 12);
  });
});

describe('shiftIntervalRanks', () => {
  it('picks the ranks of R wilcox.test(conf.int = TRUE)', () => {
    // 5 + 5: P(U <= 2) = 4/252 < 0.025 <= P(U <= 3) = 7/252, so the 3rd and 23rd of 25 differences,
    // covering 1 − 2·4/252 = 0.9682539682539683.
    expect(shiftIntervalRanks(5, 5, 0.95)).toEqual({
      lower: 3,
      upper: 23,
      achievedConfidence: 1 - 8 / 252,
      method: 'exact',
    });
    // 6 + 6: P(U <= 5) = 19/924 < 0.025 <= 30/924: the 6th and 31st of 36.
    expect(shiftIntervalRanks(6, 6, 0.95)).toMatchObject({ lower: 6, upper: 31 });
    // 4 + 4: P(U <= 0) = 1/70 < 0.025 <= 2/70: the whole range, covering 1 − 2/70.
    expect(shiftIntervalRanks(4, 4, 0.95)).toMatchObject({
      lower: 1,
      upper: 16,
      achievedConfidence: 1 - 2 / 70,
    });
  });

  it('cannot reach 95% with 3 runs per side (P(U = 0) = 1/20 > 0.025)', () => {
    expect(shiftIntervalRanks(3, 3, 0.95)).toBeNull();
    expect(shiftIntervalRanks(0, 5, 0.95)).toBeNull();
  });

  it('switches to the normal approximation for large samples', () => {
    // 60 + 60: nm/2 − z·sqrt(nm(n + m + 1)/12) = 1800 − 1.959964·sqrt(3600·121/12) = 1800 − 373.4 → 1426.
    expect(shiftIntervalRanks(60, 60, 0.95)).toMatchObject({ lower: 1426, upper: 2175, method: 'normal' });
  });
});

// Reference: Python, d = sorted(log(h) − log(b) for every pair); estimate = expm1(median(d)),
// interval = expm1 of the ranks above (1-based).
describe('relativeChange', () => {
  it('measures a 10% slowdown over 5 interleaved runs per side', () => {
    const base = [9.1e9, 9.4e9, 9.0e9, 9.3e9, 9.2e9];
    const head = [8.1e9, 8.3e9, 8.0e9, 8.4e9, 8.2e9];
    const change = relativeChange(base, head);
    expect(change?.estimate).toBeCloseTo(-0.1086956521739106, 12);
    expect(change?.lower).toBeCloseTo(-0.1382978723404267, 12);
    expect(change?.upper).toBeCloseTo(-0.07777777777777906, 12);
    expect(change?.achievedConfidence).toBeCloseTo(0.968254, 6);
  });

  it('uses the whole range with 4 runs per side', () => {
    const change = relativeChange([100, 104, 98, 102], [101, 99, 105, 103]);
    expect(change?.estimate).toBeCloseTo(0.009901956025590642, 12);
    expect(change?.lower).toBeCloseTo(-0.04807692307692304, 12);
    expect(change?.upper).toBeCloseTo(0.0714285714285707, 12);
  });

  it('uses the 6th and 31st differences with 6 runs per side', () => {
    const change = relativeChange(
      [10.0, 10.2, 9.9, 10.1, 10.05, 9.95],
      [10.3, 10.5, 10.4, 10.25, 10.6, 10.35],
    );
    expect(change?.estimate).toBeCloseTo(0.0352647035644425, 12);
    expect(change?.lower).toBeCloseTo(0.01980198019801966, 12);
    expect(change?.upper).toBeCloseTo(0.054726368159203856, 12);
  });

  it('gives exactly no change for identical samples', () => {
    const change = relativeChange([5e9, 5e9, 5e9, 5e9, 5e9], [5e9, 5e9, 5e9, 5e9, 5e9]);
    expect(change).toMatchObject({ estimate: 0, lower: 0, upper: 0 });
  });

  it('has an estimate but no interval with too few runs, and nothing without runs', () => {
    const change = relativeChange([10, 11, 12], [12, 13, 14]);
    expect(change?.lower).toBeNull();
    expect(change?.upper).toBeNull();
    expect(change?.estimate).toBeCloseTo(Math.expm1(Math.log(13) - Math.log(11)), 12);
    expect(relativeChange([], [1, 2])).toBeNull();
    expect(relativeChange([3], [6])?.estimate).toBeCloseTo(1, 15);
  });

  it('rejects a run without throughput (a failed run is counted, not averaged in)', () => {
    expect(() => relativeChange([1, 0], [1, 1])).toThrow(/not positive/);
  });
});
