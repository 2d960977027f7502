import { describe, expect, it } from 'vitest';
import type { SequentialSettings } from '../../../src/compare/sequential/settings.js';
import { seededBinomial, tally } from '../../support/simulate-cell.js';

// Many simulated cells at known failure rates, counted: the error rates the config promises must
// hold. Allowed slack is 3 standard errors of the simulated share (a true rate at the limit fails
// this check about once in 700 runs of the suite; a rate 1.5× the limit fails it almost always).
const settings: SequentialSettings = {
  alpha: 0.05,
  beta: 0.05,
  oddsRatio: 2,
  tolerance: 0.005,
  minIterationsPerSide: 20,
  maxIterationsPerSide: 2000,
  familySize: 1,
};
const limit = (rate: number, runs: number) => rate + 3 * Math.sqrt((rate * (1 - rate)) / runs);
const share = (t: { runs: number; reasons: Record<string, number> }, reason: string) =>
  (t.reasons[reason] ?? 0) / t.runs;

describe('sequential test, simulated (statistics only)', () => {
  it.each([
    [0.02, 1000, 11],
    [0.1, 2000, 12],
    [0.3, 2000, 13],
    [0.9, 1000, 14],
  ])('false alarms at equal failure rates %d stay within alpha (%i runs)', (rate, runs, seed) => {
    const t = tally(runs, { base: rate, head: rate }, settings, seededBinomial(seed));
    expect(share(t, 'regression')).toBeLessThanOrEqual(limit(settings.alpha, runs));
    // The mirror test: head is not called better either.
    expect(share(t, 'improvement')).toBeLessThanOrEqual(limit(settings.alpha, runs));
  });

  it('false alarms over a family of 6 cells stay within alpha for the family', () => {
    // Bonferroni: each cell gets alpha / 6; the chance that any of 6 independent cells alarms is
    // at most 1 − (1 − alpha/6)^6 ≈ alpha. Simulate 6 cells per comparison, 500 comparisons.
    const draw = seededBinomial(21);
    const runs = 500;
    let alarms = 0;
    for (let i = 0; i < runs; i++) {
      const t = tally(6, { base: 0.1, head: 0.1 }, { ...settings, familySize: 6 }, draw);
      if ((t.reasons.regression ?? 0) > 0) alarms++;
    }
    expect(alarms / runs).toBeLessThanOrEqual(limit(settings.alpha, runs));
  });

  it.each([
    [0.1, 2000, 31],
    [0.3, 2000, 32],
  ])('misses at the designed odds ratio 2 (base rate %d) stay within beta', (baseRate, runs, seed) => {
    const headRate = (2 * baseRate) / (1 - baseRate + 2 * baseRate); // odds(head) = 2 × odds(base)
    const uncapped = { ...settings, maxIterationsPerSide: 1_000_000 };
    const t = tally(runs, { base: baseRate, head: headRate }, uncapped, seededBinomial(seed));
    expect(share(t, 'equivalent')).toBeLessThanOrEqual(limit(settings.beta, runs));
    expect(share(t, 'regression')).toBeGreaterThanOrEqual(1 - limit(settings.beta, runs));
  });

  it('misses at the tolerance (base 0%, head 0.5%) stay within beta', () => {
    const runs = 1000;
    const t = tally(runs, { base: 0, head: settings.tolerance }, settings, seededBinomial(41));
    expect(share(t, 'equivalent')).toBeLessThanOrEqual(limit(settings.beta, runs));
  });

  it('stops a clear regression (base 0%, head 30%) after a small fraction of the fixed budget', () => {
    const runs = 2000;
    const t = tally(runs, { base: 0, head: 0.3 }, { ...settings, familySize: 6 }, seededBinomial(51));
    expect(share(t, 'regression')).toBe(1);
    // A fixed design would run the cap, 2,000 per side; sequential stopping needs a few dozen.
    expect(t.meanIterations).toBeLessThan(settings.maxIterationsPerSide / 20);
    expect(t.maxIterations).toBeLessThan(settings.maxIterationsPerSide / 5);
  });

  it('proves a clean tree neutral at the rule-of-three count, never earlier', () => {
    const t = tally(200, { base: 0, head: 0 }, settings, seededBinomial(61));
    expect(t.reasons).toEqual({ equivalent: 200 });
    expect(t.meanIterations).toBe(600);
  });
});
