import { describe, expect, it } from 'vitest';
import { advanceBound, initialBound } from '../../src/compare/neutral/bound-state.js';
import {
  firstLookIterations,
  laterLooks,
  lookAt,
  lookLevel,
  lookReached,
} from '../../src/compare/neutral/looks.js';

describe('looks of a non-inferiority bound', () => {
  it('spends 0.8 beta at the first look and beta/30 at each of six later ones: beta in all, nothing after', () => {
    const beta = 0.05;
    const levels = Array.from({ length: laterLooks + 3 }, (_, k) => lookLevel(k, beta));
    expect(levels[0]).toBeCloseTo(0.04, 15);
    expect(levels[1]).toBeCloseTo(0.05 / 30, 15);
    expect(levels.reduce((a, b) => a + b, 0)).toBeCloseTo(beta, 15);
    expect(levels.slice(laterLooks + 1)).toEqual([0, 0]);
  });

  it('looks at 31, 47, 70, 105, 157, 236, 354 iterations for the default 10% (0 of 31: at most 10% at 96%)', () => {
    const first = firstLookIterations(0.1, 0.05);
    expect(first).toBe(31);
    expect(Array.from({ length: 7 }, (_, k) => lookAt(k, first))).toEqual([31, 47, 70, 105, 157, 236, 354]);
    expect([30, 31, 46, 47, 104, 105, 400].map((n) => lookReached(n, first))).toEqual([-1, 0, 0, 1, 2, 3, 6]);
  });

  it('is not looked at after the last look', () => {
    const clean = { n: 0, failures: 0 };
    // A bound past its seventh look stays as it was, even with totals that would show it.
    const past = { ...initialBound(0.1, 31), looks: laterLooks + 1 };
    const after = advanceBound(past, { base: { ...clean, n: 1000 }, head: { ...clean, n: 1000 } }, 0.05);
    expect(after).toBe(past);
  });
});
