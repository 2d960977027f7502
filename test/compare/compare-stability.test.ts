import { describe, expect, it } from 'vitest';
import { combineVerdicts, compareStability } from '../../src/compare/stability/compare-stability.js';
import { defaultThresholds } from '../../src/config/thresholds.schema.js';
import {
  cell,
  improvementScenario,
  inconclusiveScenario,
  neutralScenario,
  regressionScenario,
  repeat,
  throughputRegressionScenario,
} from '../support/report-fixtures.js';

const t = defaultThresholds;

describe('compareStability', () => {
  it('calls unblocked worker signals a regression, with the findings and the sequential stops', () => {
    const s = compareStability(regressionScenario().cells, t);
    expect(s.verdict).toBe('regression');
    expect(s.summary).toBe(
      'new in server-burst (asan): 21 of 30 reported asan: SEGV: iperf_send_stream < worker_thread; 2 more new causes in server-burst (plain, tsan)',
    );
    expect(s.cells.map((c) => [c.variant, c.verdict, c.sequential?.reason ?? null])).toEqual([
      ['plain', 'regression', 'regression'],
      ['asan', 'regression', 'regression'],
      ['tsan', 'regression', null],
      ['plain', 'neutral', 'equivalent'],
    ]);
    const [plain] = s.cells;
    // 4 cells: the sequential bound is −log(¾ · 0.05 / 4) = log(106.67).
    expect(plain?.sequential?.bounds.upper).toBeCloseTo(Math.log(4 / 0.0375), 12);
    expect(plain?.base).toMatchObject({ judged: 60, failures: 0, rate: 0 });
    expect(plain?.head).toMatchObject({ judged: 60, failures: 18, rate: 0.3 });
    // Holm never makes a p-value smaller.
    for (const c of s.cells) expect(c.pValues.worseAdjusted).toBeGreaterThanOrEqual(c.pValues.worse);
    expect(s.cells[2]).toMatchObject({
      findings: 1,
      because: '1 new failure cause in head that base never showed',
    });
    expect(s.totals).toEqual({ iterations: { base: 720, head: 720 }, failures: { base: 30, head: 69 } });
  });

  it('calls the sigwait fix an improvement and the help-text patch neutral', () => {
    expect(compareStability(improvementScenario().cells, t).verdict).toBe('improvement');
    const neutral = compareStability(neutralScenario().cells, t);
    expect(neutral.verdict).toBe('neutral');
    expect(neutral.summary).toBe(
      "in 3 cells; weakest: server-burst (asan), 0 of 300 per side: head's failure rate is at most 0.99% at 95%",
    );
    expect(neutral.signatures.map((e) => [e.bucket, e.finding])).toEqual([['persisting', false]]);
  });

  it('is inconclusive on too few iterations or dominating harness errors', () => {
    const s = compareStability(inconclusiveScenario().cells, t);
    expect(s.verdict).toBe('inconclusive');
    expect(s.cells.map((c) => c.because)).toEqual([
      'only 10 judged iterations on a side (at least 20 needed)',
      'harness errors in 20 of 70 head iterations (more than 20.0%)',
    ]);
    expect(s.cells[0]?.base.interrupted).toBe(true);
  });

  it('reports changed exit codes of clean exits as a behaviour change, not a failure', () => {
    const s = compareStability(throughputRegressionScenario().cells, t);
    expect(s.verdict).toBe('neutral');
    expect(s.behaviourChanges).toEqual([
      expect.objectContaining({
        role: 'target',
        base: { '1': 600 },
        head: { '0': 600 },
        description: 'clean exits of the server: base exit 1 ×600; head exit 0 ×600',
      }),
    ]);
  });

  describe('fixed-size runs (no sequential history): Fisher with Holm, then the difference bound', () => {
    const fixed = (name: string, baseFailures: number, headFailures: number, n: number) =>
      cell({
        workload: name,
        variant: 'plain',
        batches: [{ base: { n, failures: baseFailures }, head: { n, failures: headFailures } }],
        sequential: false,
      });

    it('flags a significant rise: 0/50 vs 5/50 has p = C(50,5)/C(100,5) = 0.0281', () => {
      const s = compareStability([fixed('a', 0, 5, 50)], t);
      expect(s.cells[0]?.pValues.worse).toBeCloseTo(2_118_760 / 75_287_520, 12);
      expect(s.cells[0]?.sequential).toBeNull();
      expect(s.verdict).toBe('regression');
      expect(s.cells[0]?.because).toBe(
        'head failed 5 of 50 (10.0%), base 0 of 50 (0%): head fails more often (Fisher p = 0.028 after Holm)',
      );
    });

    it('does not flag two such cells together: Holm doubles the smallest p-value to 0.056', () => {
      const s = compareStability([fixed('a', 0, 5, 50), fixed('b', 0, 5, 50)], t);
      expect(s.cells.map((c) => c.pValues.worseAdjusted)).toEqual([
        expect.closeTo(0.05628, 4),
        expect.closeTo(0.05628, 4),
      ]);
      expect(s.verdict).toBe('inconclusive');
    });

    it('is neutral when the one-sided 95% bound of the difference is under the tolerance', () => {
      // Newcombe upper end for 0/600 vs 0/600: z²/(n + z²) with z = 1.645: 0.449% ≤ 0.5%.
      const s = compareStability([fixed('a', 0, 0, 600)], t);
      expect(s.verdict).toBe('neutral');
      expect(s.cells[0]?.difference?.upper).toBeCloseTo(
        1.6448536269514722 ** 2 / (600 + 1.6448536269514722 ** 2),
        12,
      );
      expect(s.cells[0]?.because).toBe(
        'head failed 0 of 600 (0%), base 0 of 600 (0%): head fails at most 0.45% more often than base at 95%',
      );
    });

    it('is inconclusive when a rise above the tolerance cannot be ruled out', () => {
      const s = compareStability([fixed('a', 0, 1, 100)], t);
      expect(s.verdict).toBe('inconclusive');
      expect(s.cells[0]?.because).toMatch(
        /after a fixed-size run: a rise of up to .* cannot be ruled out \(tolerance 0\.50%\)$/,
      );
    });

    it('flags a significant fall as an improvement', () => {
      expect(compareStability([fixed('a', 12, 0, 60)], t).verdict).toBe('improvement');
    });
  });

  it('counts noise-only sanitizer outcomes (TSan races of healthy builds) as clean', () => {
    // 150 iterations per side, 140 of them with only data-race reports: 0 failures for the rates.
    const c = cell({
      workload: 'server-burst',
      variant: 'tsan',
      batches: repeat(15, 0, 0),
      baseExtra: { noiseOnly: 140 },
      headExtra: { noiseOnly: 140 },
    });
    const withNoise = {
      ...c,
      base: { ...c.base, outcomes: { ...c.base.outcomes, clean: 10, sanitizer: 140 } },
      head: { ...c.head, outcomes: { ...c.head.outcomes, clean: 10, sanitizer: 140 } },
    };
    const s = compareStability([withNoise], t);
    expect(s.cells[0]?.head).toMatchObject({ judged: 150, failures: 0, noiseOnly: 140, rate: 0 });
    expect(s.cells[0]).toMatchObject({ verdict: 'neutral', sequential: { rule: 'no-failures' } });
  });

  it('is inconclusive without cells', () => {
    expect(compareStability([], t)).toMatchObject({ verdict: 'inconclusive', summary: 'no storm cells ran' });
  });
});

describe('combineVerdicts', () => {
  it('lets the worst cell speak: regression over improvement over neutral; any open cell otherwise', () => {
    expect(combineVerdicts(['neutral', 'improvement', 'regression'])).toBe('regression');
    expect(combineVerdicts(['neutral', 'improvement', 'inconclusive'])).toBe('improvement');
    expect(combineVerdicts(['neutral', 'neutral'])).toBe('neutral');
    expect(combineVerdicts(['neutral', 'inconclusive'])).toBe('inconclusive');
    expect(combineVerdicts([])).toBe('inconclusive');
  });
});
