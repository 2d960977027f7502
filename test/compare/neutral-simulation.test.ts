import { describe, expect, it } from 'vitest';
import { cellBound } from '../../src/compare/neutral/cell-bound.js';
import { firstLookIterations } from '../../src/compare/neutral/looks.js';
import type { BatchPair } from '../../src/compare/sequential/decide-cell.js';
import { defaultThresholds as t } from '../../src/config/thresholds.schema.js';
import { seededBinomial } from '../support/simulate-cell.js';
import { defaultFamily, type FamilyCell, simulateFamily } from '../support/simulate-family.js';

// The pooled neutral statement of the pr profile (docs/statistics.md, "Neutral"), simulated over a
// whole validation: failure counts drawn at known rates (statistics only), batches given out by the
// real allocator, the real pooled stop and the real comparison. A share may exceed its limit by 3
// standard errors of the simulated share, as in the other simulation tests.
const limit = (rate: number, runs: number) => rate + 3 * Math.sqrt((rate * (1 - rate)) / runs);
const { alpha, beta } = t.stability;

function verdicts(family: readonly FamilyCell[], runs: number, seed: number, maxBatches = 100_000) {
  const draw = seededBinomial(seed);
  const counts: Record<string, number> = {};
  const iterations: number[][] = [];
  for (let r = 0; r < runs; r++) {
    const s = simulateFamily(family, t, 'pooled', draw, { maxBatches });
    counts[s.stability.verdict] = (counts[s.stability.verdict] ?? 0) + 1;
    iterations.push(s.iterations);
  }
  const share = (v: string) => (counts[v] ?? 0) / runs;
  const mean = (i: number) => iterations.reduce((a, it) => a + (it[i] ?? 0), 0) / runs;
  return { counts, share, mean, iterations };
}

const withCell = (cell: FamilyCell, at = 20) => defaultFamily().map((c, i) => (i === at ? cell : c));

describe('pooled neutral statement, simulated (statistics only)', () => {
  it('a clean pull request is neutral at the first look: ~60 iterations per cell and side', () => {
    const first = firstLookIterations(t.stability.cellTolerance, beta);
    expect(first).toBe(63);
    const s = simulateFamily(defaultFamily(), t, 'pooled', seededBinomial(1));
    expect(s.stability.verdict).toBe('neutral');
    // The last batch before the share is cut to it: 6 batches of 10 and one of 3.
    expect(s.iterations).toEqual(Array.from({ length: 28 }, () => 63));
    expect(s.stability.neutral.pooled).toMatchObject({ shown: true, rule: 'head-clean', looks: 1 });
    expect(s.stability.summary).toMatch(
      /^no cell was shown worse, head fails at most 5\.0% more often than base in each cell and over all 28 cells pooled at most 0\.\d+% \(tolerance 0\.50%/,
    );
  });

  it('a persisting noisy cell (2% on both sides) is recognised: neutral, no cell starves, the noisy one gets what it needs', () => {
    const noisy = 20;
    const v = verdicts(withCell({ variant: 'asan', base: 0.02, head: 0.02 }, noisy), 200, 2);
    expect(v.share('neutral')).toBeGreaterThanOrEqual(0.95);
    expect(v.share('regression')).toBeLessThanOrEqual(limit(alpha, 200));
    for (const it of v.iterations) {
      for (const [i, n] of it.entries()) if (i !== noisy) expect(n).toBeGreaterThanOrEqual(63);
    }
    // Quiet cells are not stormed further on its account, and it takes a few hundred, not the cap.
    expect(v.mean(0)).toBeLessThan(90);
    expect(v.mean(noisy)).toBeLessThan(400);
  });

  it.each([
    [0.01, 200, 3],
    [0.05, 200, 4],
  ])('false alarms at equal failure rates %d in every cell stay within alpha', (rate, runs, seed) => {
    const v = verdicts(defaultFamily({ base: rate, head: rate }), runs, seed, 1500);
    expect(v.share('regression')).toBeLessThanOrEqual(limit(alpha, runs));
  });

  it.each([
    ['0% → 5%', 0, 0.05, 5],
    ['2% → 7%', 0.02, 0.07, 6],
  ])(
    'one cell worse by the coarse tolerance (%s) among clean ones: neutral at most beta',
    (_, base, head, seed) => {
      const runs = 400;
      const v = verdicts(withCell({ variant: 'plain', base, head }, 3), runs, seed, 1500);
      expect(v.share('neutral')).toBeLessThanOrEqual(limit(beta, runs));
    },
  );

  it.each([
    ['0% → 5%', 0, 0.05, 7],
    ['2% → 7%', 0.02, 0.07, 8],
    ['10% → 15%', 0.1, 0.15, 9],
  ])('the coarse bound alone, one cell at %s: shown at most beta', (_, base, head, seed) => {
    const draw = seededBinomial(seed);
    const runs = 2000;
    let shown = 0;
    for (let r = 0; r < runs; r++) {
      const batches: BatchPair[] = Array.from({ length: 200 }, () => ({
        base: { n: 10, failures: draw(10, base) },
        head: { n: 10, failures: draw(10, head) },
      }));
      const total = (side: 'base' | 'head') => ({
        n: 2000,
        failures: batches.reduce((a, b) => a + b[side].failures, 0),
      });
      if (cellBound(batches, { base: total('base'), head: total('head') }, t.stability).shown) shown++;
    }
    expect(shown / runs).toBeLessThanOrEqual(limit(beta, runs));
  });

  it.each([
    ['0% → 0.5%', 0, 0.005, 10],
    ['1% → 1.5%', 0.01, 0.015, 11],
  ])('every cell worse by the fine tolerance (%s, pooled): neutral at most beta', (_, base, head, seed) => {
    const runs = 200;
    const v = verdicts(defaultFamily({ base, head }), runs, seed, 1500);
    expect(v.share('neutral')).toBeLessThanOrEqual(limit(beta, runs));
  });

  it('a clear regression in one cell (0% → 30%) still settles in a few batches', () => {
    const v = verdicts(withCell({ variant: 'plain', base: 0, head: 0.3 }, 5), 200, 12);
    expect(v.share('regression')).toBe(1);
    expect(v.mean(5)).toBeLessThan(100);
  });
});
