import { describe, expect, it } from 'vitest';
import { compare } from '../../src/compare/compare.js';
import { defaultThresholds as t } from '../../src/config/thresholds.schema.js';
import { buildReport } from '../../src/report/build-report.js';
import { renderMarkdown } from '../../src/report/markdown/render-markdown.js';
import { renderTerminal } from '../../src/report/terminal.js';
import { baseBuild, headBuild, neutralScenario } from '../support/report-fixtures.js';

// 16 pairs of a budget of 40 (look 1): base drifting by ±20%, head within ±7% of its base.
const base = Array.from({ length: 16 }, (_, i) => 9e9 * (1 + 0.2 * Math.sin(i)));
const rowOf = (spread: number) => ({
  workload: 'tcp-4streams',
  variant: 'plain' as const,
  base,
  head: base.map((b, i) => b * (1 + ((i % 5) - 2) * spread)),
  budget: 40,
});

function reportWith(spread: number) {
  const s = neutralScenario();
  const comparison = compare(s.cells, [rowOf(spread)], t, 'pooled');
  return buildReport({ base: baseBuild, head: headBuild('help-text.patch'), comparison });
}

describe('a neutral throughput row in the report', () => {
  it('is called neutral in the headline, heading and table when its interval lies within ±3%', () => {
    const report = reportWith(0.0025);
    expect(report.throughput.rows[0]?.label).toBe('neutral');
    expect(report.headline).toMatch(/· throughput neutral \(tcp-4streams: .*: within ±3\.0%\)$/);
    const md = renderMarkdown(report);
    expect(md).toContain('#### Throughput: ✅ neutral');
    expect(renderTerminal(report)).toContain('Throughput: neutral');
  });

  it('says only "no change beyond ±10%" when its interval reaches past a threshold', () => {
    const report = reportWith(0.035);
    expect(report.verdict.throughput).toBe('neutral');
    expect(report.throughput.rows[0]?.label).toBe('no change beyond ±10.0%');
    expect(report.headline).toMatch(/· throughput: no change beyond ±10\.0% \(tcp-4streams: /);
    expect(report.headline).not.toMatch(/throughput neutral/);
    const md = renderMarkdown(report);
    const section = md.slice(md.indexOf('#### Throughput'));
    expect(section).toMatch(/^#### Throughput: ✅ no change beyond ±10\.0%\n/);
    expect(section).toMatch(/\| 16 \+ 16 \| ✅ no change beyond ±10\.0% \|/);
    expect(section).not.toMatch(/neutral/);
    expect(renderTerminal(report)).toContain('Throughput: no change beyond ±10.0%');
  });
});
