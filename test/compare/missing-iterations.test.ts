import { describe, expect, it } from 'vitest';
import { compare } from '../../src/compare/compare.js';
import { withMissingIterations } from '../../src/compare/stability/missing-iterations.js';
import { defaultThresholds } from '../../src/config/thresholds.schema.js';
import { cell, neutralThroughput, regressionScenario, repeat } from '../support/report-fixtures.js';

const gap = (workload: string, variant: string) => ({
  workload,
  variant,
  because: '200 planned iterations per side of shard 2/2 are missing',
});

describe('missing iterations are never clean', () => {
  it('turns a neutral cell its arrived iterations do not settle into inconclusive, and the verdict with it', () => {
    // 1,000 clean iterations a side in a fixed-size run: neutral by the difference bound alone.
    const fixed = cell({
      workload: 'server-burst',
      variant: 'plain',
      batches: repeat(100, 0, 0),
      sequential: false,
    });
    const comparison = compare([fixed], neutralThroughput, defaultThresholds);
    expect(comparison.verdict.stability).toBe('neutral');
    const merged = withMissingIterations(comparison, [gap('server-burst', 'plain')]);
    expect(merged.verdict.stability).toBe('inconclusive');
    expect(merged.stability.cells[0]?.verdict).toBe('inconclusive');
    expect(merged.stability.cells[0]?.because).toMatch(
      /^200 planned iterations per side of shard 2\/2 are missing/,
    );
    expect(merged.summary.stability).toMatch(/1 cell miss iterations of a failed shard/);
    // Throughput is not the storms' business.
    expect(merged.verdict.throughput).toBe(comparison.verdict.throughput);
  });

  it('keeps a verdict the arrived iterations settle: a sequential stop, or a regression already shown', () => {
    const settled = cell({ workload: 'server-burst', variant: 'plain', batches: repeat(60, 0, 0) });
    const comparison = compare([settled], neutralThroughput, defaultThresholds);
    expect(comparison.stability.cells[0]?.sequential?.reason).toBe('equivalent');
    expect(withMissingIterations(comparison, [gap('server-burst', 'plain')])).toEqual(comparison);

    const regression = regressionScenario();
    const found = compare(regression.cells, regression.throughput, defaultThresholds);
    const merged = withMissingIterations(
      found,
      regression.cells.map((c) => gap(c.workload, c.variant)),
    );
    expect(merged.verdict.stability).toBe('regression');
    // The clean client-term cell (600 a side, settled sequentially) stays neutral too.
    expect(merged.stability.cells.map((c) => c.verdict)).toEqual(found.stability.cells.map((c) => c.verdict));
  });
});
