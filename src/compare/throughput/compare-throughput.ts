import type { ThroughputThresholds } from '../../config/thresholds.schema.js';
import { formatChange, formatCount, formatPercent } from '../../util/format.js';
import type { ThroughputRow, Verdict } from '../comparison.schema.js';
import type { ThroughputInput } from '../input.js';
import { combineVerdicts } from '../stability/compare-stability.js';
import { relativeChange } from '../stats/hodges-lehmann.js';
import { median } from '../stats/median.js';

export interface ThroughputComparison {
  readonly verdict: Verdict;
  readonly summary: string;
  readonly rows: ThroughputRow[];
}

type Change = NonNullable<ThroughputRow['change']>;

const interval = (c: Change) =>
  c.lower === null || c.upper === null
    ? 'no interval'
    : `${Math.round(c.confidence * 1000) / 10}% interval ${formatChange(c.lower)} to ${formatChange(c.upper)}`;

function rowVerdict(
  input: ThroughputInput,
  change: Change | null,
  t: ThroughputThresholds,
): { verdict: Verdict; because: string } {
  const runs = Math.min(input.base.length, input.head.length);
  if (runs < t.minRunsPerSide) {
    return {
      verdict: 'inconclusive',
      because: `only ${formatCount(runs)} successful runs on a side (at least ${t.minRunsPerSide} needed)`,
    };
  }
  if (!change || change.lower === null || change.upper === null) {
    return { verdict: 'inconclusive', because: 'too few runs for an interval at this confidence' };
  }
  const said = `${formatChange(change.estimate)} (${interval(change)}; ${formatCount(input.base.length)} + ${formatCount(input.head.length)} runs)`;
  if (change.upper < -t.regressionThreshold) {
    return {
      verdict: 'regression',
      because: `${said}: more than ${formatPercent(t.regressionThreshold)} slower`,
    };
  }
  if (change.lower > t.improvementThreshold) {
    return {
      verdict: 'improvement',
      because: `${said}: more than ${formatPercent(t.improvementThreshold)} faster`,
    };
  }
  if (change.lower >= -t.neutralMargin && change.upper <= t.neutralMargin) {
    return { verdict: 'neutral', because: said };
  }
  return {
    verdict: 'inconclusive',
    because: `${said}: the interval is wider than ±${formatPercent(t.neutralMargin)}`,
  };
}

/**
 * Throughput of head against base per workload: medians, the Hodges–Lehmann relative change and its
 * Mann–Whitney interval. The confidence is shared over the rows (Bonferroni), so that the chance of
 * any false "regression" stays within 1 − confidence.
 */
export function compareThroughput(
  inputs: readonly ThroughputInput[],
  t: ThroughputThresholds,
): ThroughputComparison {
  const confidence = 1 - (1 - t.confidence) / Math.max(1, inputs.length);
  const rows = inputs.map((input): ThroughputRow => {
    const change = relativeChange(input.base, input.head, confidence);
    return {
      workload: input.workload,
      variant: input.variant,
      unit: 'bit/s',
      base: { runs: [...input.base], median: median(input.base), failedRuns: input.failedRuns?.base ?? 0 },
      head: { runs: [...input.head], median: median(input.head), failedRuns: input.failedRuns?.head ?? 0 },
      change,
      ...rowVerdict(input, change, t),
    };
  });
  const verdict = combineVerdicts(rows.map((r) => r.verdict));
  return { verdict, summary: summariseThroughput(verdict, rows), rows };
}

function summariseThroughput(verdict: Verdict, rows: readonly ThroughputRow[]): string {
  if (rows.length === 0) return 'throughput not measured';
  const row = rows.find((r) => r.verdict === verdict) ?? (rows[0] as ThroughputRow);
  const same = rows.filter((r) => r.verdict === verdict).length;
  const more =
    rows.length > 1 ? `; ${formatCount(same)} of ${formatCount(rows.length)} workloads ${verdict}` : '';
  return `${row.workload}: ${row.because}${more}`;
}
