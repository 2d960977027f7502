import { describe, expect, it } from 'vitest';
import { lowerBound, upperBound } from '../../../src/compare/stats/clopper-pearson.js';

// Reference: scipy.stats.beta.ppf(0.95, x + 1, n − x) for the upper bound and
// beta.ppf(0.05, x, n − x + 1) for the lower one; with x = 0 the upper bound is 1 − 0.05^(1/n).
describe('upperBound (exact one-sided)', () => {
  it.each([
    [0, 2000, 0.0014967448951882837],
    [0, 1200, 0.00249333003751867],
    [3, 100, 0.07571079374983004],
    [0, 1, 0.95],
    [1, 2000, 0.002369713367656843],
    [8, 27, 0.47139151548304575],
  ])('%i of %i failures', (failures, n, bound) => {
    expect(upperBound({ n, failures })).toBeCloseTo(bound, 12);
  });

  it('gives the rule-of-three figure of the brief: 0 of 2,000 is at most 0.15%', () => {
    const bound = upperBound({ n: 2000, failures: 0 });
    expect(bound).toBeCloseTo(1 - 0.05 ** (1 / 2000), 14);
    expect((bound * 100).toFixed(2)).toBe('0.15');
  });

  it('is 1 when every iteration failed or nothing was judged', () => {
    expect(upperBound({ n: 5, failures: 5 })).toBe(1);
    expect(upperBound({ n: 0, failures: 0 })).toBe(1);
  });
});

describe('lowerBound (exact one-sided)', () => {
  it.each([
    [8, 27, 0.156819022137558],
    [1200, 1200, 0.9975066699624813],
    [3, 100, 0.008225829107652688],
  ])('%i of %i failures', (failures, n, bound) => {
    expect(lowerBound({ n, failures })).toBeCloseTo(bound, 12);
  });

  it('is 0 with no failures or nothing judged', () => {
    expect(lowerBound({ n: 40, failures: 0 })).toBe(0);
    expect(lowerBound({ n: 0, failures: 0 })).toBe(0);
  });
});
