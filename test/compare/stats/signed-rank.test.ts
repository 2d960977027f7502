import { describe, expect, it } from 'vitest';
import {
  pairedRelativeChange,
  signedRankCdf,
  walshIntervalRanks,
} from '../../../src/compare/stats/signed-rank.js';

// Reference: the null distribution of T counted by brute force in Python, enumerating all 2^n sign
// patterns of the ranks 1..n (itertools.product): cumulative counts of T = 0, 1, 2, …
describe('signedRankCdf', () => {
  it.each([
    [5, 32, [1, 2, 3, 5, 7, 10, 13, 16, 19, 22, 25, 27]],
    [6, 64, [1, 2, 3, 5, 7, 10, 14, 18, 22, 27, 32, 37]],
    [8, 256, [1, 2, 3, 5, 7, 10, 14, 19, 25, 32, 40, 49]],
    [10, 1024, [1, 2, 3, 5, 7, 10, 14, 19, 25, 33, 43, 54]],
  ])('n = %i', (n, total, cumulative) => {
    const cdf = signedRankCdf(n);
    expect(cdf.length).toBe((n * (n + 1)) / 2 + 1);
    for (const [t, count] of cumulative.entries()) expect(cdf[t]).toBeCloseTo(count / total, 15);
    expect(cdf[cdf.length - 1]).toBe(1);
  });

  it('is symmetric: P(T <= t) = 1 - P(T <= n(n+1)/2 - t - 1)', () => {
    const cdf = signedRankCdf(13);
    const max = (13 * 14) / 2;
    for (let t = 0; t < max; t++)
      expect((cdf[t] as number) + (cdf[max - t - 1] as number)).toBeCloseTo(1, 12);
  });

  it('has the one outcome of no pairs, and refuses a count that is not a whole number', () => {
    expect([...signedRankCdf(0)]).toEqual([1]);
    expect(() => signedRankCdf(2.5)).toThrow(RangeError);
  });
});

describe('walshIntervalRanks', () => {
  it('picks the ranks of R wilcox.test(d, conf.int = TRUE)', () => {
    // n = 6: P(T <= 0) = 1/64 < 0.025 <= P(T <= 1) = 2/64: the smallest and largest of 21 averages,
    // covering 1 − 2/64.
    expect(walshIntervalRanks(6, 0.95)).toEqual({
      lower: 1,
      upper: 21,
      achievedConfidence: 1 - 2 / 64,
      method: 'exact',
    });
    // n = 8: P(T <= 3) = 5/256 < 0.025 <= 7/256: the 4th and 33rd of 36.
    expect(walshIntervalRanks(8, 0.95)).toEqual({
      lower: 4,
      upper: 33,
      achievedConfidence: 1 - 10 / 256,
      method: 'exact',
    });
    // n = 10: P(T <= 8) = 25/1024 < 0.025 <= 33/1024: the 9th and 47th of 55.
    expect(walshIntervalRanks(10, 0.95)).toMatchObject({ lower: 9, upper: 47 });
  });

  it('cannot reach 95% with 5 pairs (P(T = 0) = 1/32 > 0.025)', () => {
    expect(walshIntervalRanks(5, 0.95)).toBeNull();
    expect(walshIntervalRanks(0, 0.95)).toBeNull();
    // 99.9% needs P(T = 0) = 2^-n <= 0.0005: 11 pairs.
    expect(walshIntervalRanks(10, 0.999)).toBeNull();
    expect(walshIntervalRanks(11, 0.999)).toMatchObject({ lower: 1, upper: 66 });
  });

  it('switches to the normal approximation for many pairs, close to the exact ranks', () => {
    const exact = walshIntervalRanks(400, 0.95);
    const normal = walshIntervalRanks(401, 0.95);
    expect(exact?.method).toBe('exact');
    expect(normal?.method).toBe('normal');
    expect(Math.abs((normal?.lower ?? 0) - (exact?.lower ?? 0))).toBeLessThan(250);
  });
});

describe('pairedRelativeChange', () => {
  it('is the median of the Walsh averages of ln(head/base), with the signed-rank interval', () => {
    // d = −0.3 −0.1 0 0.1 0.2 0.5; the 21 averages (d_i + d_j)/2, i <= j, sorted:
    // −0.3 −0.2 −0.15 −0.1 −0.1 −0.05 −0.05 0 0 0.05 [0.05] 0.1 0.1 0.1 0.15 0.2 0.2 0.25 0.3 0.35 0.5
    const d = [-0.3, -0.1, 0, 0.1, 0.2, 0.5];
    const base = [7e9, 8e9, 9e9, 6e9, 7.5e9, 8.5e9];
    const head = base.map((b, i) => b * Math.exp(d[i] as number));
    const change = pairedRelativeChange(base, head, 0.95);
    expect(change?.estimate).toBeCloseTo(Math.expm1(0.05), 12);
    expect(change?.lower).toBeCloseTo(Math.expm1(-0.3), 12);
    expect(change?.upper).toBeCloseTo(Math.expm1(0.5), 12);
    expect(change?.achievedConfidence).toBe(1 - 2 / 64);
  });

  it('gives identical pairs no change, and a common factor exactly that factor', () => {
    const base = [9.1e9, 9.4e9, 9.0e9, 9.3e9, 9.2e9, 9.6e9];
    expect(pairedRelativeChange(base, [...base])).toMatchObject({ estimate: 0, lower: 0, upper: 0 });
    const slower = pairedRelativeChange(
      base,
      base.map((b) => b * 0.9),
    );
    expect(slower?.estimate).toBeCloseTo(-0.1, 12);
    expect(slower?.upper).toBeCloseTo(-0.1, 12);
  });

  it('cancels what the two runs of a pair share: a drift of ±30% leaves a 5% slowdown exact', () => {
    const drift = [1, 1.3, 0.7, 1.1, 0.8, 1.2, 0.9, 1.25];
    const base = drift.map((x) => 9e9 * x);
    const head = base.map((b) => b * 0.95);
    const change = pairedRelativeChange(base, head);
    expect(change?.upper).toBeCloseTo(-0.05, 12);
    expect(change?.lower).toBeCloseTo(-0.05, 12);
  });

  it('moves one rank for an outlier pair, not the estimate', () => {
    const base = [1, 1, 1, 1, 1, 1, 1, 1];
    const calm = [0.97, 0.98, 0.99, 1.0, 0.96, 0.98, 0.99, 0.97];
    const burst = [...calm.slice(0, 7), 0.3];
    const a = pairedRelativeChange(base, calm);
    const b = pairedRelativeChange(base, burst);
    expect(Math.abs((b?.estimate ?? 0) - (a?.estimate ?? 0))).toBeLessThan(0.01);
  });

  it('has no interval below 6 pairs at 95%, and refuses unequal or non-positive samples', () => {
    expect(pairedRelativeChange([1, 2, 3, 4, 5], [1, 2, 3, 4, 5])).toMatchObject({
      lower: null,
      upper: null,
    });
    expect(pairedRelativeChange([], [])).toBeNull();
    expect(() => pairedRelativeChange([1, 2], [1])).toThrow(/2 base runs but 1 head runs/);
    expect(() => pairedRelativeChange([1, 0], [1, 1])).toThrow(/not positive/);
  });
});
