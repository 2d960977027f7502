import { describe, expect, it } from 'vitest';
import { advance, initialState } from '../../src/compare/sequential/decide-cell.js';
import { sequentialSettings } from '../../src/compare/sequential/settings.js';
import { defaultThresholds } from '../../src/config/thresholds.schema.js';
import { type CellProgress, nextCell, persistingNoise } from '../../src/pipeline/schedule/allocate.js';

const settings = sequentialSettings(defaultThresholds, 'plain', 4);

function cell(
  index: number,
  variant: CellProgress['variant'],
  batches: ReadonlyArray<{ base: number; head: number }>,
): CellProgress {
  let state = initialState(settings);
  for (const b of batches) {
    state = advance(
      state,
      { base: { n: 10, failures: b.base }, head: { n: 10, failures: b.head } },
      settings,
    );
  }
  return {
    index,
    variant,
    decision: state.decision,
    meanIterationMs: batches.length > 0 ? 300 : null,
    priorIterationMs: 400,
  };
}

describe('nextCell', () => {
  it('looks at every cell once before any twice, plain before asan before tsan', () => {
    const cells = [
      cell(0, 'tsan', []),
      cell(1, 'asan', []),
      cell(2, 'plain', [{ base: 0, head: 0 }]),
      cell(3, 'plain', []),
    ];
    expect(nextCell(cells)?.index).toBe(3);
    expect(nextCell(cells.filter((c) => c.index !== 3))?.index).toBe(1);
  });

  it('a cell the census steers to (SIGPIPE no longer ignored, a vanishing peer) goes before the rest', () => {
    const cells = [cell(0, 'plain', []), { ...cell(1, 'plain', [{ base: 0, head: 0 }]), steered: true }];
    expect(nextCell(cells)?.index).toBe(1);
    // …but not before a cell that leans towards regression.
    expect(nextCell([...cells, cell(2, 'plain', [{ base: 0, head: 3 }])])?.index).toBe(2);
  });

  it('gives the batch to a cell leaning towards regression, even if it ran more', () => {
    const cells = [cell(0, 'plain', []), cell(1, 'plain', [{ base: 0, head: 3 }]), cell(2, 'asan', [])];
    expect(nextCell(cells)?.index).toBe(1);
  });

  it('prefers the leaning cell with more evidence per second', () => {
    const weak = cell(0, 'plain', [{ base: 0, head: 1 }]);
    const strong = cell(1, 'plain', [{ base: 0, head: 4 }]);
    expect(nextCell([weak, strong])?.index).toBe(1);
    const slowStrong = { ...strong, meanIterationMs: 100_000 };
    expect(nextCell([weak, slowStrong])?.index).toBe(0);
  });

  it('persisting noise (failures on both sides, head a little ahead) does not get the batch for leaning', () => {
    const noisy = cell(0, 'asan', [
      { base: 1, head: 2 },
      { base: 1, head: 1 },
    ]);
    expect(persistingNoise(noisy.decision)).toBe(true);
    const quiet = cell(1, 'plain', [{ base: 0, head: 0 }]);
    expect(nextCell([noisy, quiet])?.index).toBe(1);
    // Fresh failures on head only are not noise: that cell leans.
    const fresh = cell(2, 'asan', [{ base: 0, head: 2 }]);
    expect(persistingNoise(fresh.decision)).toBe(false);
    expect(nextCell([noisy, quiet, fresh])?.index).toBe(2);
  });

  it('cells that still need their share go first; once all have it, quiet cells before noisy ones', () => {
    const two = [
      { base: 0, head: 0 },
      { base: 0, head: 0 },
    ];
    const shown = { ...cell(0, 'plain', []), hasShare: true };
    const needing = { ...cell(1, 'asan', two), hasShare: false };
    expect(nextCell([shown, needing])?.index).toBe(1);
    const noisy = {
      ...cell(2, 'plain', [
        { base: 1, head: 1 },
        { base: 0, head: 0 },
      ]),
      hasShare: true,
    };
    const quiet = { ...cell(3, 'asan', [...two, ...two]), hasShare: true };
    expect(nextCell([noisy, quiet])?.index).toBe(3);
  });

  it('with leanAbove (the coarse tolerance), a rare head failure does not pour the budget into its cell', () => {
    const rare = cell(
      0,
      'plain',
      Array.from({ length: 6 }, (_, i) => ({ base: 0, head: i === 5 ? 1 : 0 })),
    );
    const other = cell(
      1,
      'plain',
      Array.from({ length: 6 }, () => ({ base: 0, head: 0 })),
    );
    expect(nextCell([rare, other])?.index).toBe(0);
    expect(nextCell([rare, other], { leanAbove: 0.05 })?.index).toBe(0); // fewest batches tie: plan order
    const more = cell(
      2,
      'plain',
      Array.from({ length: 2 }, () => ({ base: 0, head: 0 })),
    );
    expect(nextCell([rare, more], { leanAbove: 0.05 })?.index).toBe(2);
    expect(nextCell([rare, more])?.index).toBe(0);
  });

  it('returns nothing when every cell has stopped', () => {
    let c = cell(0, 'plain', []);
    for (let i = 0; i < 20 && c.decision.state === 'continue'; i++) {
      c = cell(
        0,
        'plain',
        Array.from({ length: i + 1 }, () => ({ base: 0, head: 8 })),
      );
    }
    expect(c.decision.state).toBe('stop');
    expect(nextCell([c])).toBeUndefined();
  });
});
