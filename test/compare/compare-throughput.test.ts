import { describe, expect, it } from 'vitest';
import type { ThroughputInput } from '../../src/compare/input.js';
import { compareThroughput } from '../../src/compare/throughput/compare-throughput.js';
import { lookConfidence } from '../../src/compare/throughput/looks.js';
import { defaultThresholds } from '../../src/config/thresholds.schema.js';
import { headline } from '../../src/report/headline.js';
import { neutralThroughput, throughputRegressionScenario } from '../support/report-fixtures.js';

const t = defaultThresholds.throughput;
const row = (base: number[], head: number[], extra: Partial<ThroughputInput> = {}): ThroughputInput => ({
  workload: 'tcp-4streams',
  variant: 'plain',
  base,
  head,
  ...extra,
});
/** How deep the parentheses of a line nest at most. */
function parenthesisDepth(line: string): number {
  let depth = 0;
  let most = 0;
  for (const c of line) {
    if (c === '(') most = Math.max(most, ++depth);
    if (c === ')') depth--;
  }
  return most;
}
const scaled = (values: readonly number[], factor: number) => values.map((v) => v * factor);
const base5 = [9.1e9, 9.4e9, 9.0e9, 9.3e9, 9.2e9];

describe('compareThroughput', () => {
  it('calls a 20% slowdown a regression, sharing the confidence over the rows (97.5% each for 2)', () => {
    const c = compareThroughput(throughputRegressionScenario().throughput, t);
    expect(c.verdict).toBe('regression');
    expect(c.rows.map((r) => r.verdict)).toEqual(['regression', 'regression']);
    expect(c.rows[0]?.change?.confidence).toBeCloseTo(0.975, 12);
    expect(c.rows[1]).toMatchObject({ head: { failedRuns: 1 }, base: { failedRuns: 0 } });
    expect(c.summary).toMatch(
      /^tcp-4streams: estimate −19\.8%, 97\.5% interval −21\.2% to −18\.4%, 5 \+ 5 runs: more than 3\.0% slower; 2 of 2 workloads regression$/,
    );
  });

  it('reports the medians of each side', () => {
    const c = compareThroughput([row(base5, scaled(base5, 0.9))], t);
    expect(c.rows[0]?.base.median).toBe(9.2e9);
    expect(c.rows[0]?.head.median).toBeCloseTo(9.2e9 * 0.9, 0);
  });

  it('needs the whole interval beyond the threshold: −10% is a regression, a noisy −4% is not', () => {
    expect(compareThroughput([row(base5, scaled(base5, 0.9))], t).verdict).toBe('regression');
    // head = base × 0.96 with the spread reordered: the interval reaches above −3%.
    const noisy = compareThroughput([row(base5, scaled([9.4e9, 9.0e9, 9.3e9, 9.1e9, 9.2e9], 0.96))], t);
    expect(noisy.rows[0]?.change?.upper).toBeGreaterThan(-0.03);
    expect(noisy.verdict).toBe('neutral');
  });

  it('calls a row neutral only when its interval lies within the thresholds; else says what was shown', () => {
    // Paired, 16 pairs of a budget of 40 (look 1): each head within 0.5% of its base.
    const base = Array.from({ length: 16 }, (_, i) => 9e9 * (1 + 0.2 * Math.sin(i)));
    const tight = base.map((b, i) => b * (1 + ((i % 5) - 2) * 0.0025));
    const within = compareThroughput([row(base, tight, { budget: 40 })], t);
    expect(within.rows[0]?.change?.lower).toBeGreaterThanOrEqual(-0.03);
    expect(within.rows[0]?.change?.upper).toBeLessThanOrEqual(0.03);
    expect(within.rows[0]).toMatchObject({ verdict: 'neutral', label: 'neutral' });
    expect(within.rows[0]?.because).toMatch(/: within ±3\.0%$/);
    // The same pairs, head spread by up to ±7%: the interval stays within ±10% but reaches past −3%.
    const wide = base.map((b, i) => b * (1 + ((i % 5) - 2) * 0.035));
    const margin = compareThroughput([row(base, wide, { budget: 40 })], t);
    const change = margin.rows[0]?.change;
    expect(change?.lower).toBeLessThan(-0.03);
    expect(change?.lower).toBeGreaterThanOrEqual(-0.1);
    expect(change?.upper).toBeLessThanOrEqual(0.1);
    expect(margin.verdict).toBe('neutral');
    expect(margin.rows[0]?.label).toBe('no change beyond ±10.0%');
    expect(margin.rows[0]?.because).toMatch(/: no change beyond ±10\.0%, not shown within ±3\.0%$/);
    expect(margin.summary).toMatch(/no change beyond ±10\.0%/);
  });

  it('says when the budget was cut because the stability regression decides the gate', () => {
    const base = Array.from({ length: 8 }, (_, i) => 9e9 * (1 + 0.1 * Math.cos(i)));
    const head = base.map((b, i) => b * (1 + ((i % 3) - 1) * 0.004));
    const c = compareThroughput([row(base, head, { budget: 8, cutFrom: 40 })], t);
    expect(c.rows[0]?.because).toMatch(
      /, 8 \+ 8 runs at look 3 of 3 of a 8-pair budget: .*; budget cut from 40 to 8 pairs: the stability regression already decides the gate$/,
    );
    expect(c.summary).toMatch(/budget cut from 40 to 8 pairs/);
  });

  it('calls a clear speed-up an improvement', () => {
    expect(compareThroughput([row(base5, scaled(base5, 1.1))], t).verdict).toBe('improvement');
  });

  it('is neutral when the interval lies within ±10%, inconclusive when wider', () => {
    expect(compareThroughput(neutralThroughput, t).verdict).toBe('neutral');
    const wild = compareThroughput([row([5e9, 9e9, 7e9, 10e9, 6e9], [6e9, 10e9, 5e9, 9e9, 7.5e9])], t);
    expect(wild.verdict).toBe('inconclusive');
    expect(wild.rows[0]?.because).toMatch(/the interval is wider than ±10\.0%$/);
  });

  it('is inconclusive with fewer runs than configured and without any row', () => {
    const few = compareThroughput([row(base5.slice(0, 4), base5.slice(0, 4))], t);
    expect(few.rows[0]).toMatchObject({
      verdict: 'inconclusive',
      because: 'only 4 successful runs on a side (at least 5 needed)',
    });
    expect(compareThroughput([], t)).toEqual({
      verdict: 'inconclusive',
      summary: 'throughput not measured',
      rows: [],
    });
  });

  it('gives identical samples no change at all', () => {
    const c = compareThroughput([row(base5, [...base5])], t);
    expect(c.rows[0]?.change).toMatchObject({
      estimate: 0,
      lower: expect.any(Number),
      upper: expect.any(Number),
    });
    expect(c.verdict).toBe('neutral');
  });

  it('compares runs of the sequential design in pairs, at the confidence of the look they ended at', () => {
    // 12 pairs (look 1 of a budget of 30) on a machine drifting by ±25%: each pair's head is 10%
    // slower than its base. Unpaired, the drift hides the change; paired, it cancels.
    const drift = [1, 1.25, 0.8, 1.1, 0.75, 1.2, 0.9, 1.15, 0.85, 1.05, 0.95, 1.22];
    const base = drift.map((x) => 9e9 * x);
    const head = base.map((b, i) => b * (0.9 + (i % 3) * 0.002));
    const unpaired = compareThroughput([row(base, head)], t);
    expect(unpaired.verdict).toBe('inconclusive');
    const paired = compareThroughput([row(base, head, { budget: 30 })], t);
    expect(paired.verdict).toBe('regression');
    expect(paired.rows[0]?.change?.confidence).toBe(lookConfidence(30, 12, 0.95));
    expect(paired.rows[0]?.because).toMatch(
      /^paired estimate −9\.8%, 99\.7% interval −10\.0% to −9\.6%, 12 \+ 12 runs at look 1 of 3 of a 30-pair budget: more than 3\.0% slower$/,
    );
    // In the headline's parentheses the summary opens none of its own (issue 26: three deep).
    const line = headline(
      { stability: 'neutral', throughput: 'inconclusive' },
      { stability: 'in 1 cell', throughput: paired.summary },
    );
    expect(line).toContain('paired estimate −9.8%');
    expect(parenthesisDepth(line.split(' · ')[0] ?? '')).toBe(0);
    const tail = headline(
      { stability: 'regression', throughput: 'neutral' },
      { stability: 'x', throughput: paired.summary },
    );
    expect(parenthesisDepth(tail)).toBe(1);
  });

  it('has no paired interval below 6 pairs, and compares a row whose pairs a failed run broke unpaired', () => {
    const few = compareThroughput([row(base5, scaled(base5, 0.8), { budget: 5 })], t);
    expect(few.rows[0]).toMatchObject({ verdict: 'inconclusive', change: { lower: null, upper: null } });
    const broken = compareThroughput([row(base5, scaled(base5, 0.8).slice(0, 4), { budget: 6 })], t);
    expect(broken.rows[0]?.because).not.toMatch(/paired/);
    expect(broken.rows[0]?.change?.confidence).toBe(0.95);
  });
});
