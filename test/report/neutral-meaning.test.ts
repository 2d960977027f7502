import { describe, expect, it } from 'vitest';
import { compare } from '../../src/compare/compare.js';
import { censusEvidence } from '../../src/compare/neutral/meaning.js';
import type { BatchPair } from '../../src/compare/sequential/decide-cell.js';
import type { ThreadsReport } from '../../src/compare/threads/threads.schema.js';
import { defaultThresholds as t } from '../../src/config/thresholds.schema.js';
import { buildReport } from '../../src/report/build-report.js';
import { renderMarkdown } from '../../src/report/markdown/render-markdown.js';
import { renderTerminal } from '../../src/report/terminal.js';
import { baseBuild, cell, headBuild } from '../support/report-fixtures.js';

// Six clean cells (3 plain, 3 ASan) stormed round robin, 110 iterations per cell and side: every
// cell within the coarse 10%, and the pool within 0.75% (plain 0.5% and ASan 1% averaged) at its
// first look (428 per side: reached at 430, 0 of 430 is at most 0.746%).
function pooledCells() {
  const cells = Array.from({ length: 6 }, (_, i) => ({
    workload: `w${i % 3}`,
    variant: i < 3 ? ('plain' as const) : ('asan' as const),
    batches: [] as BatchPair[],
  }));
  let at = 0;
  for (let round = 0; round < 11; round++) {
    for (const c of cells)
      c.batches.push({ base: { n: 10, failures: 0 }, head: { n: 10, failures: 0 }, at: at++ });
  }
  return cells.map((c) => cell(c));
}

describe('the pooled neutral statement in the report', () => {
  it('says in one sentence what neutral was shown to mean', () => {
    const comparison = compare(pooledCells(), [], t, 'pooled');
    expect(comparison.verdict.stability).toBe('neutral');
    expect(comparison.stability.neutral).toMatchObject({
      design: 'pooled',
      cellsShown: 6,
      pooled: {
        shown: true,
        rule: 'head-clean',
        tolerance: expect.closeTo(0.0075, 12),
        iterations: { head: 430 },
      },
      census: null,
    });
    const report = buildReport({ base: baseBuild, head: headBuild('help-text.patch'), comparison });
    const markdown = renderMarkdown(report);
    expect(markdown).toContain(
      '**What neutral means here**: no cell was shown worse, head fails at most 10.0% more often than base in each cell and over all 6 cells pooled at most 0.75% (tolerance 0.75%, 430 head iterations, at 96%); power: a single cell whose head newly crashes in a share of its iterations would have shown it at least once in 110 head iterations (the fewest of any cell) with probability 89.2% at 2.0%, 99.6% at 5.0%.',
    );
    expect(renderTerminal(report)).toContain('Neutral means: no cell was shown worse');
    expect(report.headline).toMatch(/^✅ No regression: stability neutral \(no cell was shown worse/);
  });

  it('is inconclusive when every cell is within 10% but the pool is not yet within the fine tolerance', () => {
    const few = pooledCells().map((c) => ({ ...c, batches: c.batches?.slice(0, 7) }));
    const s = compare(few, [], t, 'pooled').stability;
    expect(s.neutral?.cellsShown).toBe(6);
    expect(s.neutral?.pooled.shown).toBe(false);
  });

  it('shows an equal thread census as evidence, and nothing when the census differs', () => {
    const row = (role: string) => ({ role, name: 'iperf3', takes: { SIGTERM: 'handler' } });
    const table = {
      process: 'server' as const,
      workload: 'server-burst',
      variant: 'plain' as const,
      base: [row('main'), row('stream')],
      head: [row('main'), row('stream')],
    };
    const same = { tables: [table], changes: [], tracing: null } as unknown as ThreadsReport;
    expect(censusEvidence(same)).toBe(
      'the thread census is the same on both sides (server 2 threads; same signal masks and dispositions)',
    );
    expect(
      censusEvidence({ ...same, tables: [{ ...table, head: [row('main')] }] } as ThreadsReport),
    ).toBeNull();
    expect(censusEvidence({ tables: [], changes: [], findings: [], tracing: null })).toBeNull();
  });
});
