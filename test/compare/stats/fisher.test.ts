import { describe, expect, it } from 'vitest';
import { fisherOneSided } from '../../../src/compare/stats/fisher.js';

// Reference: scipy.stats.fisher_exact([[xh, nh − xh], [xb, nb − xb]], alternative='greater' | 'less').
describe('fisherOneSided', () => {
  it.each([
    // base failures, base n, head failures, head n, worse (greater), better (less)
    [0, 27, 8, 27, 0.002133731854845511, 1],
    [0, 2000, 0, 2000, 1, 1],
    [5, 100, 5, 100, 0.626235124935476, 0.626235124935476],
    [10, 100, 30, 100, 0.0003252053538017104, 0.9999227971381831],
    [3, 10, 0, 12, 1, 0.07792207792207792],
    [20, 20, 20, 20, 1, 1],
    [0, 60, 45, 60, 2.3598973637529814e-20, 1],
    [1, 1, 0, 1, 1, 0.5],
  ])('base %i/%i vs head %i/%i', (xb, nb, xh, nh, worse, better) => {
    const p = fisherOneSided({ n: nb, failures: xb }, { n: nh, failures: xh });
    expect(p.worse).toBeCloseTo(worse, 12);
    expect(p.better).toBeCloseTo(better, 12);
    // Tiny p-values must keep their relative precision, not only the absolute one.
    if (worse > 0 && worse < 1e-6) expect(Math.abs(p.worse / worse - 1)).toBeLessThan(1e-9);
  });

  it('matches the hypergeometric tail computed by hand: 0/27 vs 8/27 is C(27,8)/C(54,8)', () => {
    // C(27,8) = 2,220,075 and C(54,8) = 1,040,465,790: all 8 failures fell on head.
    expect(fisherOneSided({ n: 27, failures: 0 }, { n: 27, failures: 8 }).worse).toBeCloseTo(
      2_220_075 / 1_040_465_790,
      15,
    );
  });

  it('gives p = 1 both ways when either side judged nothing', () => {
    expect(fisherOneSided({ n: 0, failures: 0 }, { n: 10, failures: 4 })).toEqual({ worse: 1, better: 1 });
    expect(fisherOneSided({ n: 0, failures: 0 }, { n: 0, failures: 0 })).toEqual({ worse: 1, better: 1 });
  });
});
