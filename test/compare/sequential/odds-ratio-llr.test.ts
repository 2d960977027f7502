import { describe, expect, it } from 'vitest';
import { certificateIterations } from '../../../src/compare/sequential/certificate.js';
import { batchLogLikelihoodRatio } from '../../../src/compare/sequential/odds-ratio-llr.js';

// Reference: scipy.stats.nchypergeom_fisher(M = nb + nh, n = nh, N = xb + xh, odds).pmf(xh),
// LLR = log(pmf at odds ψ / pmf at odds 1).
describe('batchLogLikelihoodRatio', () => {
  it.each([
    // base failures / n, head failures / n, odds ratio, LLR
    [0, 10, 3, 10, 2, 0.8807457944547398],
    [0, 1, 1, 1, 2, 0.28768207245178085],
    [4, 25, 11, 30, 2, 1.3036256188468542],
    [4, 25, 11, 30, 0.5, -2.616247666356253],
    [7, 7, 0, 5, 3, -3.6582379953041455],
  ])('base %i/%i vs head %i/%i at odds ratio %d', (xb, nb, xh, nh, psi, llr) => {
    expect(batchLogLikelihoodRatio({ n: nb, failures: xb }, { n: nh, failures: xh }, psi)).toBeCloseTo(
      llr,
      12,
    );
  });

  it('matches the hand count for 0 of 10 vs 3 of 10 at odds ratio 2', () => {
    // Weights C(10,x)·C(10,3−x)·2^x for x = 0..3: 120, 900, 1800, 960 (sum 3780); at odds 1:
    // 120, 450, 450, 120 (sum 1140). LLR = log((960/3780) / (120/1140)).
    expect(batchLogLikelihoodRatio({ n: 10, failures: 0 }, { n: 10, failures: 3 }, 2)).toBeCloseTo(
      Math.log(960 / 3780 / (120 / 1140)),
      14,
    );
  });

  it('is a discordant pair test when batches hold one iteration per side: log(2ψ / (1 + ψ))', () => {
    expect(batchLogLikelihoodRatio({ n: 1, failures: 0 }, { n: 1, failures: 1 }, 3)).toBeCloseTo(
      Math.log(1.5),
      14,
    );
    expect(batchLogLikelihoodRatio({ n: 1, failures: 1 }, { n: 1, failures: 0 }, 3)).toBeCloseTo(
      Math.log(0.5),
      14,
    );
  });

  it('carries no information without failures, with only failures, or when the total fixes the split', () => {
    expect(batchLogLikelihoodRatio({ n: 50, failures: 0 }, { n: 50, failures: 0 }, 2)).toBe(0);
    expect(batchLogLikelihoodRatio({ n: 50, failures: 50 }, { n: 40, failures: 40 }, 2)).toBe(0);
    expect(batchLogLikelihoodRatio({ n: 0, failures: 0 }, { n: 10, failures: 4 }, 2)).toBe(0);
  });

  it('is antisymmetric: swapping base and head is the test at the inverse odds ratio', () => {
    const a = batchLogLikelihoodRatio({ n: 12, failures: 2 }, { n: 9, failures: 5 }, 2);
    const b = batchLogLikelihoodRatio({ n: 9, failures: 5 }, { n: 12, failures: 2 }, 0.5);
    expect(a).toBeCloseTo(b, 12);
  });

  it('stays finite for large batches (log-sum-exp, no overflow of ψ^x)', () => {
    const llr = batchLogLikelihoodRatio({ n: 5000, failures: 1500 }, { n: 5000, failures: 2500 }, 2);
    expect(Number.isFinite(llr)).toBe(true);
    expect(llr).toBeGreaterThan(100);
  });
});

describe('certificateIterations', () => {
  it('is the rule of three: ceil(log β / log(1 − tolerance))', () => {
    // log(0.05) / log(0.9975) = 1196.8 → 1,197: the brief's "0 of 1,200 per side: at most 0.25%".
    expect(certificateIterations(0.0025, 0.05)).toBe(1197);
    // log(0.05) / log(0.995) = 597.6 → 598; log(0.05) / log(0.98) = 148.3 → 149.
    expect(certificateIterations(0.005, 0.05)).toBe(598);
    expect(certificateIterations(0.02, 0.05)).toBe(149);
    expect(certificateIterations(0.01, 0.1)).toBe(230);
  });

  it('rejects a tolerance or beta outside (0, 1)', () => {
    expect(() => certificateIterations(0, 0.05)).toThrow(RangeError);
    expect(() => certificateIterations(0.01, 1)).toThrow(RangeError);
  });
});
