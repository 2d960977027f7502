import { describe, expect, it } from 'vitest';
import { newcombeDifference } from '../../../src/compare/stats/newcombe.js';

// Reference: Newcombe (1998), "Interval estimation for the difference between independent
// proportions", Statistics in Medicine 17:873–890, method 10 (hybrid score), 95%; each row
// recomputed in Python from L = d − hypot(p1 − l1, u2 − p2), U = d + hypot(u1 − p1, p2 − l2)
// with Wilson ends (z = scipy.stats.norm.ppf(0.975)).
describe('newcombeDifference', () => {
  it.each([
    // head x/n, base x/n, lower, upper
    [56, 70, 48, 80, 0.052431472402365065, 0.333872654036906],
    [9, 10, 3, 10, 0.17052272393450296, 0.8090179735354881],
    [6, 7, 2, 7, 0.0582279274823122, 0.8062496375242277],
    [5, 56, 0, 29, -0.03813714790353688, 0.19256001385511162],
  ])('head %i/%i vs base %i/%i', (xh, nh, xb, nb, lower, upper) => {
    const d = newcombeDifference({ n: nb, failures: xb }, { n: nh, failures: xh });
    expect(d?.estimate).toBeCloseTo(xh / nh - xb / nb, 15);
    expect(d?.lower).toBeCloseTo(lower, 12);
    expect(d?.upper).toBeCloseTo(upper, 12);
  });

  it('bounds a zero-vs-zero difference by the Wilson upper bound of either side', () => {
    // 0 of 598 per side at 90% two-sided (95% one-sided): z² / (n + z²) with z = 1.6448536269514722.
    const z2 = 1.6448536269514722 ** 2;
    const d = newcombeDifference({ n: 598, failures: 0 }, { n: 598, failures: 0 }, 0.9);
    expect(d?.estimate).toBe(0);
    expect(d?.upper).toBeCloseTo(z2 / (598 + z2), 12);
    expect(d?.lower).toBeCloseTo(-z2 / (598 + z2), 12);
  });

  it('has no interval when a side judged nothing', () => {
    expect(newcombeDifference({ n: 0, failures: 0 }, { n: 10, failures: 1 })).toBeNull();
  });
});
