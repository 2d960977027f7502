import { describe, expect, it } from 'vitest';
import { Report } from '../../src/report/report.schema.js';
import { looseTolerance, patch, shortThroughput, validate } from '../support/validate-subject.js';

/**
 * `sigstorm validate` on the bundled subject when stability does not change (real builds, real
 * storms): a throughput regression beside a neutral stability verdict, and a harmless change called
 * neutral twice, the second time on the first one's base iterations. Beside validate.test.ts (the
 * regression and the improvement) so that the two run side by side.
 */
describe('sigstorm validate on the bundled subject, stability unchanged (real builds, real storms)', () => {
  it('sees slow-send.patch as a throughput regression and no stability change', async () => {
    const result = await validate({
      base: {},
      head: { patches: [patch('slow-send.patch')] },
      workloads: ['server-sigterm', shortThroughput],
      variants: ['plain'],
      thresholds: looseTolerance,
      throughputRuns: 6,
      budgetSeconds: 300,
      baseCache: false,
    });
    const report = Report.parse(result.report);
    expect(report.verdict.throughput).toBe('regression');
    expect(report.verdict.stability).toBe('neutral');
    const row = report.throughput.rows[0];
    expect(row?.change?.upper).toBeLessThan(-0.03);
    expect(row?.because).toMatch(/^paired estimate .*, 6 \+ 6 runs at look 3 of 3 of a 6-pair budget/);
    expect(result.markdown).toContain('xychart-beta');
    // Storms and then 6 + 6 throughput runs: 108 s measured at load 10–12, past the default 120 s with little to spare.
  }, 240_000);

  it('calls help-text.patch neutral, stating the bound it rests on, and reuses base iterations the second time', async () => {
    const request = {
      base: {},
      head: { patches: [patch('help-text.patch')] },
      workloads: ['server-sigterm'],
      variants: ['plain' as const],
      thresholds: looseTolerance,
      iterations: 20,
      seed: 4242,
      budgetSeconds: 120,
    };
    const first = Report.parse((await validate(request)).report);
    const second = Report.parse((await validate(request)).report);
    for (const report of [first, second]) {
      expect(report.verdict.stability).toBe('neutral');
      const cell = report.stability.cells[0];
      expect(cell?.sequential?.reason).toBe('equivalent');
      expect(cell?.because).toMatch(/at most/);
    }
    expect(first.stability.cells[0]?.base.iterations).toBe(second.stability.cells[0]?.base.iterations);
    expect(second.notRun.some((n) => /reused/.test(n.why))).toBe(true);
  });
});
