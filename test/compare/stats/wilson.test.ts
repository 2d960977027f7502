import { describe, expect, it } from 'vitest';
import { rateOf } from '../../../src/compare/stats/binomial-count.js';
import { wilsonInterval } from '../../../src/compare/stats/wilson.js';

// Reference: the Wilson formula evaluated in Python with z = scipy.stats.norm.ppf(0.975)
// = 1.959963984540054: centre = (p + z²/2n)/(1 + z²/n), half = z/(1 + z²/n)·sqrt(p(1−p)/n + z²/4n²).
describe('wilsonInterval', () => {
  it.each([
    [0, 1, 0, 0.7934506856227626],
    [1, 1, 0.20654931437723745, 1],
    [0, 2000, 0, 0.001917047281252934],
    [3, 10, 0.10779126740630099, 0.6032218525388546],
    [50, 100, 0.4038315303659956, 0.5961684696340044],
    [1, 20, 0.008881448800795402, 0.23613119344674205],
    [45, 60, 0.6276792992295218, 0.8422347746994333],
  ])('%i of %i failures', (failures, n, lower, upper) => {
    const interval = wilsonInterval({ n, failures });
    expect(interval?.lower).toBeCloseTo(lower, 12);
    expect(interval?.upper).toBeCloseTo(upper, 12);
    expect(interval?.confidence).toBe(0.95);
  });

  it('ends exactly at 0 with no failures and at 1 when all failed', () => {
    expect(wilsonInterval({ n: 2000, failures: 0 })?.lower).toBe(0);
    expect(wilsonInterval({ n: 7, failures: 7 })?.upper).toBe(1);
  });

  it('has no interval when nothing was judged', () => {
    expect(wilsonInterval({ n: 0, failures: 0 })).toBeNull();
    expect(rateOf({ n: 0, failures: 0 })).toBeNull();
  });

  it('narrows with a lower confidence (z = 1.6448536269514722 at 90%)', () => {
    // 3 of 10 at 90%, same formula with z = norm.ppf(0.95): [0.12687658390319786, 0.5583002041301649].
    const interval = wilsonInterval({ n: 10, failures: 3 }, 0.9);
    expect(interval?.lower).toBeCloseTo(0.12687658390319786, 12);
    expect(interval?.upper).toBeCloseTo(0.5583002041301649, 12);
  });

  it('rejects counts no storm can produce', () => {
    expect(() => wilsonInterval({ n: 3, failures: 4 })).toThrow(/0 <= failures <= n/);
    expect(() => wilsonInterval({ n: 2.5, failures: 1 })).toThrow(RangeError);
  });
});
