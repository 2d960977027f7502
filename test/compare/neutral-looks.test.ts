import { describe, expect, it } from 'vitest';
import { advanceBound, initialBound, nextLookAt } from '../../src/compare/neutral/bound-state.js';
import { initialCellBound } from '../../src/compare/neutral/cell-bound.js';
import {
  cellLookShares,
  firstLookIterations,
  lookAt,
  lookReached,
  lookSchedule,
  poolLookShares,
} from '../../src/compare/neutral/looks.js';
import { initialPooledBound } from '../../src/compare/neutral/pooled-bound.js';
import { Thresholds } from '../../src/config/thresholds.schema.js';
import { batchToLook } from '../../src/pipeline/schedule/batch-to-look.js';

const t = Thresholds.parse({}).stability;
const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

describe('looks of a non-inferiority bound', () => {
  it('spends beta in all over each schedule: 0.8 at the first look of both, the rest on three cell looks or six pool looks', () => {
    for (const shares of [cellLookShares, poolLookShares]) {
      expect(shares[0]).toEqual({ step: 0, share: 0.8 });
      expect(sum(shares.map((s) => s.share))).toBeCloseTo(1, 15);
    }
    expect(cellLookShares.map((s) => s.share)).toEqual([0.8, 0.14, 0.03, 0.03]);
    expect(poolLookShares.slice(1).map((s) => s.share * 30)).toEqual(Array(6).fill(expect.closeTo(1, 12)));
  });

  it('looks at 31, 105, 157 and 236 iterations per cell for the default 10% (0 of 31: at most 10% at 96%); the pool at 868 · 1.5^k', () => {
    const first = firstLookIterations(0.1, 0.05);
    expect(first).toBe(31);
    expect(Array.from({ length: 7 }, (_, k) => lookAt(k, first))).toEqual([31, 47, 70, 105, 157, 236, 354]);
    const cell = initialCellBound(t).schedule;
    expect(cell.map((l) => l.at)).toEqual([31, 105, 157, 236]);
    expect(cell.map((l) => l.level)).toEqual([0.04, 0.007, 0.0015, 0.0015].map((x) => expect.closeTo(x, 12)));
    expect([30, 31, 104, 105, 156, 157, 235, 400].map((n) => lookReached(n, cell))).toEqual([
      -1, 0, 0, 1, 1, 2, 2, 3,
    ]);
    const pool = initialPooledBound(
      Array.from({ length: 28 }, (_, i) => ({ variant: i < 14 ? ('plain' as const) : ('asan' as const) })),
      t,
    ).schedule;
    expect(pool.map((l) => l.at)).toEqual([868, 1302, 1953, 2930, 4395, 6592, 9888]);
  });

  it('takes one look at the highest count a batch jumps past, and none after the last', () => {
    const clean = { n: 0, failures: 0 };
    const bound = initialBound(0.1, lookSchedule(cellLookShares, 31, 0.05));
    // 2 of 160 on both sides: one look, at 157 (β·0.03); the 31 and 105 looks were jumped over.
    const at160 = advanceBound(bound, { base: { n: 160, failures: 2 }, head: { n: 160, failures: 2 } });
    expect(at160).toMatchObject({ looks: 3, level: expect.closeTo(0.0015, 12) });
    // 6 of 60 on head, none on base: not shown at the 31 look; the next is at 105.
    const at60 = advanceBound(bound, { base: { n: 60, failures: 0 }, head: { n: 60, failures: 6 } });
    expect(at60).toMatchObject({ looks: 1, shown: false, level: expect.closeTo(0.04, 12) });
    expect(nextLookAt(at60)).toBe(105);
    // A bound past its last look stays as it was, even with totals that would show it.
    const past = { ...bound, looks: 4 };
    expect(advanceBound(past, { base: { ...clean, n: 1000 }, head: { ...clean, n: 1000 } })).toBe(past);
    expect(nextLookAt(past)).toBeNull();
  });

  it('cuts a batch to end at the next look, in whole lanes, and leaves it whole otherwise', () => {
    const cell = initialCellBound(t);
    expect(batchToLook(cell, 30, 10, 1)).toBe(1);
    expect(batchToLook(cell, 0, 10, 1)).toBe(10);
    const afterFirst = { ...cell, looks: 1 };
    expect(batchToLook(afterFirst, 101, 10, 1)).toBe(4);
    expect(batchToLook(afterFirst, 101, 10, 3)).toBe(6);
    expect(batchToLook(afterFirst, 91, 10, 1)).toBe(10);
    expect(batchToLook({ ...cell, looks: 4 }, 240, 10, 1)).toBe(10);
    expect(batchToLook({ ...cell, shown: true, looks: 1 }, 40, 10, 1)).toBe(10);
  });
});
