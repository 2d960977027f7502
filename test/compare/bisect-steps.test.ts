import { describe, expect, it } from 'vitest';
import {
  bisectSteps,
  certaintyAfter,
  designedTolerance,
  firstCap,
  splitErrors,
} from '../../src/compare/bisect/error-split.js';
import { narrow, nextProbe } from '../../src/compare/bisect/search.js';
import { stepVerdict } from '../../src/compare/bisect/step-verdict.js';
import { type BatchPair, decideCell } from '../../src/compare/sequential/decide-cell.js';
import { sequentialSettings } from '../../src/compare/sequential/settings.js';
import { Thresholds } from '../../src/config/thresholds.schema.js';

/** A step's settings as bisect gives them: per-step α and β, the designed tolerance, 10 iterations at least. */
function stepSettings(alpha: number, beta: number, tolerance: number) {
  const thresholds = Thresholds.parse({
    stability: { alpha, beta, tolerance: { plain: tolerance }, minIterationsPerSide: 10 },
  });
  return sequentialSettings(thresholds, 'plain', 1, 200);
}

/** Batches of `size` per side with the given failures each (recorded counts of a storm). */
const batches = (rows: readonly [number, number][], size = 2): BatchPair[] =>
  rows.map(([base, head]) => ({ base: { n: size, failures: base }, head: { n: size, failures: head } }));

describe('bisect: the error split', () => {
  it('takes 1 + ⌈log2 n⌉ steps, one more for the isolation of a patch', () => {
    expect(bisectSteps(1, true)).toBe(1);
    expect(bisectSteps(2, false)).toBe(2);
    expect(bisectSteps(7, false)).toBe(4);
    expect(bisectSteps(7, true)).toBe(5);
    expect(bisectSteps(8, true)).toBe(5);
    expect(bisectSteps(9, true)).toBe(6);
    expect(() => bisectSteps(0, true)).toThrow(RangeError);
  });

  it('splits α and β evenly; certainty is 1 − Σ max(α, β) over the decided steps', () => {
    const split = splitErrors(0.05, 0.05, 5);
    expect(split.perStep).toEqual({ alpha: 0.01, beta: 0.01 });
    expect(certaintyAfter(split, 5)).toBeCloseTo(0.95, 12);
    expect(certaintyAfter(split, 3)).toBeCloseTo(0.97, 12);
    expect(certaintyAfter(splitErrors(0.05, 0.1, 4), 4)).toBeCloseTo(0.9, 12);
  });

  it('designs the steps for half the observed rise, within [floor, 0.5]', () => {
    expect(designedTolerance(null, 0.005)).toBe(0.005);
    expect(designedTolerance(0.95, 0.005)).toBe(0.475);
    expect(designedTolerance(1, 0.005)).toBe(0.5);
    expect(designedTolerance(0.004, 0.005)).toBe(0.005);
    expect(designedTolerance(-0.2, 0.005)).toBe(0.005);
    // 0.5 at β = 0.01: (1 − 0.5)^7 = 0.0078 ≤ 0.01 < 0.5^6: 7 clean in a row; the cap is twice that.
    expect(firstCap(0.5, 0.01, 10)).toBe(14);
    expect(firstCap(0.5, 0.01, 20)).toBe(20);
  });
});

describe('bisect: a step decides on recorded counts', () => {
  const settings = stepSettings(0.01, 0.01, 0.5);

  it('the bug (every head iteration fails, base clean) is bad after 16 + 16 at α = 0.01, not before', () => {
    const rows: [number, number][] = Array.from({ length: 8 }, () => [0, 2]);
    const before = decideCell(batches(rows.slice(0, 7)), settings);
    expect(before.state).toBe('continue');
    expect(stepVerdict([before])).toBe('inconclusive');
    const d = decideCell(batches(rows), settings);
    // Bounds: ln(1 / (0.75 × 0.01)) = 4.89 to cross; 16 failing vs 16 clean at odds ratio 2 give 4.90.
    expect(d.llr.worse).toBeGreaterThanOrEqual(d.bounds.upper);
    expect(d.bounds.upper).toBeCloseTo(Math.log(1 / 0.0075), 10);
    expect(d.state).toBe('stop');
    expect(d.reason).toBe('regression');
    expect(d.iterations).toEqual({ base: 16, head: 16 });
    expect(stepVerdict([d])).toBe('bad');
  });

  it('a harmless candidate (both sides clean) is good once 7 clean in a row show the bound and 10 are in', () => {
    const d = decideCell(
      batches([
        [0, 0],
        [0, 0],
        [0, 0],
        [0, 0],
        [0, 0],
      ]),
      settings,
    );
    expect(d.reason).toBe('equivalent');
    expect(d.rule).toBe('no-failures');
    expect(stepVerdict([d])).toBe('good');
    // Before the minimum, no verdict.
    expect(
      stepVerdict([
        decideCell(
          batches([
            [0, 0],
            [0, 0],
          ]),
          settings,
        ),
      ]),
    ).toBe('inconclusive');
  });

  it('a rare failure on both sides keeps it open: inconclusive, to be retested', () => {
    const d = decideCell(
      batches([
        [0, 0],
        [1, 0],
        [0, 1],
        [0, 0],
        [0, 0],
      ]),
      settings,
    );
    expect(d.state).toBe('continue');
    expect(stepVerdict([d])).toBe('inconclusive');
  });

  it('one cell bad makes the step bad; good needs every cell good', () => {
    const bad = decideCell(batches(Array.from({ length: 8 }, () => [0, 2])), settings);
    const good = decideCell(
      batches([
        [0, 0],
        [0, 0],
        [0, 0],
        [0, 0],
        [0, 0],
      ]),
      settings,
    );
    const open = decideCell(batches([[0, 1]]), settings);
    expect(stepVerdict([good, bad])).toBe('bad');
    expect(stepVerdict([good, open])).toBe('inconclusive');
    expect(stepVerdict([good, good])).toBe('good');
    expect(stepVerdict([])).toBe('inconclusive');
  });

  it('at the whole α (no split), the same counts cross sooner: the split is what costs', () => {
    const rows: [number, number][] = [
      [0, 2],
      [0, 2],
      [0, 2],
      [0, 2],
      [0, 2],
      [0, 2],
    ];
    const whole = stepSettings(0.05, 0.05, 0.5);
    const crossedAt = (s: typeof settings) => {
      for (let k = 1; k <= rows.length; k++)
        if (decideCell(batches(rows.slice(0, k)), s).reason === 'regression') return k;
      return null;
    };
    expect(crossedAt(whole)).not.toBeNull();
    expect(crossedAt(whole) ?? 99).toBeLessThanOrEqual(crossedAt(settings) ?? 99);
  });
});

describe('bisect: the search', () => {
  it('halves the range until good and bad are neighbours', () => {
    let range = { good: 0, bad: 7 };
    const probes: number[] = [];
    // The first bad candidate is 4.
    for (let p = nextProbe(range); p !== null; p = nextProbe(range)) {
      probes.push(p);
      range = narrow(range, p, p >= 4 ? 'bad' : 'good');
    }
    expect(probes).toEqual([3, 5, 4]);
    expect(range).toEqual({ good: 3, bad: 4 });
    expect(() => narrow({ good: 0, bad: 2 }, 2, 'bad')).toThrow(RangeError);
  });

  it('never probes more than ⌈log2 n⌉ times', () => {
    for (let n = 1; n <= 33; n++) {
      for (let culprit = 1; culprit <= n; culprit++) {
        let range = { good: 0, bad: n };
        let probes = 0;
        for (let p = nextProbe(range); p !== null; p = nextProbe(range)) {
          probes++;
          range = narrow(range, p, p >= culprit ? 'bad' : 'good');
        }
        expect(range.bad).toBe(culprit);
        expect(probes).toBeLessThanOrEqual(Math.ceil(Math.log2(n)));
      }
    }
  });
});
