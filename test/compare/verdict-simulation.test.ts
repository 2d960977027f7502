import { describe, expect, it } from 'vitest';
import { sequentialSettings } from '../../src/compare/sequential/settings.js';
import { compareStability } from '../../src/compare/stability/compare-stability.js';
import { defaultThresholds } from '../../src/config/thresholds.schema.js';
import { cell } from '../support/report-fixtures.js';
import { seededBinomial, simulateCell } from '../support/simulate-cell.js';

// The whole stability verdict, not just the sequential test: cells that reach the cap are judged
// by Fisher + Holm, which must not push the false-alarm rate over alpha. Simulated failure counts
// at equal rates (statistics only), default thresholds, plain variant (tolerance 0.5%, cap 2,000).
const t = defaultThresholds;
const limit = (rate: number, runs: number) => rate + 3 * Math.sqrt((rate * (1 - rate)) / runs);

function falseAlarms(rate: number, cellsPerRun: number, runs: number, seed: number) {
  const draw = seededBinomial(seed);
  const settings = sequentialSettings(t, 'plain', cellsPerRun);
  let alarms = 0;
  const verdicts: Record<string, number> = {};
  for (let r = 0; r < runs; r++) {
    const cells = Array.from({ length: cellsPerRun }, (_, i) => {
      const { batches } = simulateCell({ base: rate, head: rate }, settings, draw);
      return cell({ workload: `w${i}`, variant: 'plain', batches });
    });
    const s = compareStability(cells, t);
    verdicts[s.verdict] = (verdicts[s.verdict] ?? 0) + 1;
    if (s.verdict === 'regression') alarms++;
  }
  return { share: alarms / runs, verdicts };
}

describe('stability verdict at equal failure rates, simulated (statistics only)', () => {
  it.each([
    [0.005, 1, 600, 71],
    [0.03, 1, 600, 72],
    [0.01, 3, 200, 73],
  ])('rate %d, %i cell(s) per comparison: false alarms stay within alpha', (rate, cells, runs, seed) => {
    const { share } = falseAlarms(rate, cells, runs, seed);
    expect(share).toBeLessThanOrEqual(limit(t.stability.alpha, runs));
  });

  it('a clean tree comes out neutral every time', () => {
    const { verdicts } = falseAlarms(0, 2, 20, 74);
    expect(verdicts).toEqual({ neutral: 20 });
  });
});
