import { describe, expect, it } from 'vitest';
import { advance, initialState } from '../../src/compare/sequential/decide-cell.js';
import { sequentialSettings } from '../../src/compare/sequential/settings.js';
import { defaultThresholds } from '../../src/config/thresholds.schema.js';
import { type CellProgress, nextCell } from '../../src/pipeline/allocate.js';

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
  return { index, variant, decision: state.decision, meanIterationMs: batches.length > 0 ? 300 : null };
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
