import { describe, expect, it } from 'vitest';
import { emptyOutcomeCounts } from '../../src/classify/outcome.js';
import { cleanExitCodes, familiesOf, observeSide } from '../../src/compare/observe-side.js';
import { records } from '../support/record-fixtures.js';

describe('observeSide', () => {
  it('maps every signature of the records to its family, sanitizer findings included', () => {
    expect(Object.fromEntries(familiesOf(records))).toEqual({
      'tsan: data race | iperf_set_done': 'tsan: data race',
      'tsan: thread leak | main': 'tsan: thread leak',
      'SIGSEGV sig_handler': 'SIGSEGV',
    });
  });

  it('makes exit-code histograms of clean outcomes per role', () => {
    expect(cleanExitCodes(records, 'target')).toEqual({ '0': 1, '1': 1 });
    expect(cleanExitCodes(records, 'peer')).toEqual({ '0': 2, '1': 1 });
  });

  it('turns the records of one side of a cell into what the comparison reads', () => {
    const side = observeSide(records, ['TSan: data race', 'tsan: thread leak']);
    expect(side.noiseOnly).toBe(1);
    expect(side.signatures.find((s) => s.signature === 'tsan: thread leak | main')?.family).toBe(
      'tsan: thread leak',
    );
    expect(side.cleanExitCodes).toEqual({ '0': 1, '1': 1 });
    expect(side.outcomes).toEqual({
      ...emptyOutcomeCounts(),
      clean: 2,
      sanitizer: 1,
      crash: 1,
      'harness-error': 1,
    });
    expect(side.peerOutcomes).toEqual({ ...emptyOutcomeCounts(), clean: 3, crash: 1 });
    expect(side.interrupted).toBe(false);
    // Each signature keeps the iterations it was seen in, so a cause counts distinct iterations.
    for (const s of side.signatures) {
      const seen = records.filter((r) =>
        [r.target, r.peer].some(
          (p) =>
            p?.side === s.side &&
            (p === r.target) === (s.role === 'target') &&
            JSON.stringify(p.outcome).includes(JSON.stringify(s.signature)),
        ),
      );
      expect(s.iterations).toEqual(seen.map((r) => r.iteration).sort((a, b) => a - b));
      expect(s.iterations).toHaveLength(s.count);
    }
    expect(observeSide(records, [], { interrupted: true }).interrupted).toBe(true);
  });
});
