import { describe, expect, it } from 'vitest';
import { initialBound } from '../../src/compare/neutral/bound-state.js';
import { initialCellBound } from '../../src/compare/neutral/cell-bound.js';
import type { SequentialDecision } from '../../src/compare/sequential/decision.js';
import { Thresholds } from '../../src/config/thresholds.schema.js';
import {
  cellSettled,
  neutralSettled,
  type SettlingCell,
} from '../../src/pipeline/schedule/neutral-settled.js';

const t = Thresholds.parse({}).stability;

function decision(state: 'continue' | 'stop', perSide: number): SequentialDecision {
  return {
    state,
    reason: state === 'stop' ? 'equivalent' : null,
    rule: state === 'stop' ? 'no-failures' : null,
    llr: { worse: 0, better: 0 },
    tests: { worse: 'open', better: 'open' },
    bounds: { upper: 3, lower: -3 },
    iterations: { base: perSide, head: perSide },
    failures: { base: 0, head: 0 },
    batches: perSide / 10,
    certificateIterations: 600,
    maxIterationsPerSide: 1000,
    evidence: '',
  };
}

const shown = { ...initialCellBound(t), shown: true, looks: 1 };
const cell = (perSide: number, coarseShown: boolean, o: Partial<SettlingCell> = {}): SettlingCell => ({
  decision: decision('continue', perSide),
  coarse: coarseShown ? shown : initialCellBound(t),
  stopped: false,
  ...o,
});

describe('a settled cell (what progress counts, what the pooled stop waits for)', () => {
  it('is a cell whose test or storm stopped, under either design', () => {
    for (const design of ['pooled', 'per-cell'] as const) {
      expect(cellSettled(cell(10, false, { decision: decision('stop', 10) }), t, design)).toBe(true);
      expect(cellSettled(cell(10, false, { stopped: true }), t, design)).toBe(true);
      expect(cellSettled(cell(10, false), t, design)).toBe(false);
    }
  });

  it('under the pooled statement, also an open cell with its coarse bound and its minimum iterations', () => {
    expect(cellSettled(cell(40, true), t, 'pooled')).toBe(true);
    expect(cellSettled(cell(40, true), t, 'per-cell')).toBe(false);
    // The coarse bound without the planned minimum per side is not enough.
    expect(cellSettled(cell(t.minIterationsPerSide - 10, true), t, 'pooled')).toBe(false);
  });

  it('settles the pooled statement only when every cell is settled and the pool shows its bound', () => {
    const cells = [cell(40, true), cell(40, false, { decision: decision('stop', 40) })];
    expect(neutralSettled(cells, shown, t)).toBe(true);
    expect(neutralSettled(cells, initialBound(0.0075, [{ at: 868, level: 0.04 }]), t)).toBe(false);
    expect(neutralSettled([...cells, cell(40, false)], shown, t)).toBe(false);
  });
});
