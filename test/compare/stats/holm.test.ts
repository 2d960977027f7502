import { describe, expect, it } from 'vitest';
import { holmAdjust } from '../../../src/compare/stats/holm.js';

// Reference: Holm's step-down by hand (R: p.adjust(p, "holm")): sort ascending, multiply the i-th
// smallest by (m − i + 1), keep the running maximum, cap at 1, put back in the input order.
describe('holmAdjust', () => {
  it('adjusts a family of four, keeping the input order', () => {
    // sorted 0.01, 0.02, 0.03, 0.04 → 0.04, 0.06, 0.06 (max with 0.06), 0.06 (max(0.04, 0.06)).
    const adjusted = holmAdjust([0.03, 0.01, 0.04, 0.02]);
    expect(adjusted[0]).toBeCloseTo(0.06, 15);
    expect(adjusted[1]).toBeCloseTo(0.04, 15);
    expect(adjusted[2]).toBeCloseTo(0.06, 15);
    expect(adjusted[3]).toBeCloseTo(0.06, 15);
  });

  it('caps at 1 and is the identity for a single test', () => {
    expect(holmAdjust([0.6, 0.7])).toEqual([1, 1]);
    expect(holmAdjust([0.012])).toEqual([0.012]);
    expect(holmAdjust([])).toEqual([]);
  });

  it('keeps ties together', () => {
    // 0.01 × 3 = 0.03, then max(0.03, 0.01 × 2) = 0.03, then 0.5 × 1 = 0.5.
    expect(holmAdjust([0.01, 0.5, 0.01])).toEqual([0.03, 0.5, 0.03]);
  });

  it('rejects a value that is not a probability', () => {
    expect(() => holmAdjust([0.1, Number.NaN])).toThrow(/not in \[0, 1\]/);
  });
});
