import { describe, expect, it } from 'vitest';
import { cellBound } from '../../src/compare/neutral/cell-bound.js';
import { firstLookIterations } from '../../src/compare/neutral/looks.js';
import type { BatchPair } from '../../src/compare/sequential/decide-cell.js';
import { defaultThresholds as t } from '../../src/config/thresholds.schema.js';
import { seededBinomial } from '../support/simulate-cell.js';
import {
  defaultFamily,
  type FamilyCell,
  prBudgetIterations,
  simulateFamily,
  warmBaseCost,
} from '../support/simulate-family.js';
import { forEachRun } from '../support/yield-runs.js';

// The pooled neutral statement of the pr profile (docs/statistics.md, "Neutral"), simulated over a
// whole validation: failure counts drawn at known rates (statistics only), batches given out by the
// real allocator, the real pooled stop and the real comparison. A share may exceed its limit by 3
// standard errors of the simulated share, as in the other simulation tests.
const limit = (rate: number, runs: number) => rate + 3 * Math.sqrt((rate * (1 - rate)) / runs);
const { alpha, beta } = t.stability;

async function verdicts(family: readonly FamilyCell[], runs: number, seed: number, maxBatches = 100_000) {
  const draw = seededBinomial(seed);
  const counts: Record<string, number> = {};
  const iterations: number[][] = [];
  await forEachRun(runs, () => {
    const s = simulateFamily(family, t, 'pooled', draw, { maxBatches });
    counts[s.stability.verdict] = (counts[s.stability.verdict] ?? 0) + 1;
    iterations.push(s.iterations);
  });
  const share = (v: string) => (counts[v] ?? 0) / runs;
  const mean = (i: number) => iterations.reduce((a, it) => a + (it[i] ?? 0), 0) / runs;
  return { counts, share, mean, iterations };
}

const withCell = (cell: FamilyCell, at = 20) => defaultFamily().map((c, i) => (i === at ? cell : c));

describe('pooled neutral statement, simulated (statistics only)', () => {
  it('a clean pull request is neutral at the first look: 31 iterations per cell and side, 868 in all', () => {
    const first = firstLookIterations(t.stability.cellTolerance, beta);
    expect(first).toBe(31);
    const s = simulateFamily(defaultFamily(), t, 'pooled', seededBinomial(1));
    expect(s.stability.verdict).toBe('neutral');
    // The last batch before the share is cut to it: 3 batches of 10 and one of 1.
    expect(s.iterations).toEqual(Array.from({ length: 28 }, () => 31));
    expect(s.stability.neutral.pooled).toMatchObject({ shown: true, rule: 'head-clean', looks: 1 });
    expect(s.stability.summary).toMatch(
      /^no cell was shown worse, head fails at most 10\.0% more often than base in each cell and over all 28 cells pooled at most 0\.\d+% \(tolerance 0\.75%, 868 head iterations/,
    );
  });

  it('persisting noise in server-sighup (plain and ASan, 2% on both sides, as patches/noisy-cell.patch): neutral within the budget, no cell starves', async () => {
    const noisy = [11, 25];
    const family = defaultFamily().map((c, i) => (noisy.includes(i) ? { ...c, base: 0.02, head: 0.02 } : c));
    const runs = 200;
    const v = await verdicts(family, runs, 2, 1500);
    expect(v.share('neutral')).toBeGreaterThanOrEqual(0.95);
    expect(v.share('regression')).toBeLessThanOrEqual(limit(alpha, runs));
    for (const it of v.iterations) {
      for (const [i, n] of it.entries()) if (!noisy.includes(i)) expect(n).toBeGreaterThanOrEqual(31);
    }
    // Quiet cells are not stormed further on its account; the noisy ones take what their bound needs.
    expect(v.mean(0)).toBeLessThan(45);
    expect(v.mean(11)).toBeLessThan(200);
    // Within the pr budget on 2 idle cores with a warm base (~1,040 iterations; both server-sighup
    // cells warmed to 105). Under six equal later looks it was ~62%.
    const cost = v.iterations.map((it) => warmBaseCost(it, (i) => noisy.includes(i)));
    const inBudget = cost.filter((c) => c <= prBudgetIterations).length / runs;
    expect(inBudget).toBeGreaterThanOrEqual(0.72);
  });

  it.each([
    [0.01, 200, 3],
    [0.05, 200, 4],
  ])('false alarms at equal failure rates %d in every cell stay within alpha', async (rate, runs, seed) => {
    const v = await verdicts(defaultFamily({ base: rate, head: rate }), runs, seed, 1500);
    expect(v.share('regression')).toBeLessThanOrEqual(limit(alpha, runs));
  });

  it.each([
    ['0% → 10%', 'plain', 0, 0.1, 5],
    ['2% → 12%', 'plain', 0.02, 0.12, 6],
    ['0% → 10%', 'asan', 0, 0.1, 13],
  ] as const)(
    'one cell worse by the coarse tolerance (%s, %s) among clean ones: neutral at most beta',
    async (_, variant, base, head, seed) => {
      const runs = 400;
      const v = await verdicts(
        withCell({ variant, base, head }, variant === 'plain' ? 3 : 17),
        runs,
        seed,
        1500,
      );
      expect(v.share('neutral')).toBeLessThanOrEqual(limit(beta, runs));
    },
  );

  it.each([
    ['0% → 10%', 0, 0.1, 7],
    ['2% → 12%', 0.02, 0.12, 8],
    ['10% → 20%', 0.1, 0.2, 9],
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
    ['0%', 0, 10],
    ['1%', 0.01, 11],
  ])(
    "every cell worse by its variant's fine tolerance (from %s; plain 0.5, ASan 1 point; pooled 0.75): neutral at most beta",
    async (_, base, seed) => {
      const runs = 200;
      const family = defaultFamily({ base, head: 0 }).map((c) => ({
        ...c,
        head: base + t.stability.tolerance[c.variant],
      }));
      const v = await verdicts(family, runs, seed, 1500);
      expect(v.share('neutral')).toBeLessThanOrEqual(limit(beta, runs));
    },
  );

  it('a clear regression in one cell (0% → 30%) still settles in a few batches', async () => {
    const v = await verdicts(withCell({ variant: 'plain', base: 0, head: 0.3 }, 5), 200, 12);
    expect(v.share('regression')).toBe(1);
    expect(v.mean(5)).toBeLessThan(100);
  });
});
