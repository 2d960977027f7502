import type { ThroughputThresholds } from '../../config/thresholds.schema.js';
import { formatChange, formatCount, formatPercent } from '../../util/format.js';
import type { ThroughputRow, Verdict } from '../comparison.schema.js';
import type { ThroughputInput } from '../input.js';
import { combineVerdicts } from '../stability/compare-stability.js';
import { relativeChange } from '../stats/hodges-lehmann.js';
import { median } from '../stats/median.js';
import { pairedRelativeChange } from '../stats/signed-rank.js';
import { lookConfidence, lookSchedule } from './looks.js';

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

/** The thresholds' band as a reader sees it: "±3.0%", or "−3.0% to +5.0%" when they differ. */
export function thresholdBand(t: ThroughputThresholds): string {
  return t.regressionThreshold === t.improvementThreshold
    ? `±${formatPercent(t.regressionThreshold)}`
    : `${formatChange(-t.regressionThreshold)} to ${formatChange(t.improvementThreshold)}`;
}

/**
 * What a neutral row was shown to be: `neutral` only when its interval lies within the regression
 * and improvement thresholds (the change the design claims to tell apart); an interval within the
 * neutral margin but reaching past a threshold shows only that much ("no change beyond ±10.0%").
 */
export function neutralLabel(change: { lower: number; upper: number }, t: ThroughputThresholds): string {
  const within = change.lower >= -t.regressionThreshold && change.upper <= t.improvementThreshold;
  return within ? 'neutral' : `no change beyond ±${formatPercent(t.neutralMargin)}`;
}

function rowVerdict(
  input: ThroughputInput,
  change: Change | null,
  t: ThroughputThresholds,
): { verdict: Verdict; label: string; because: string } {
  const runs = Math.min(input.base.length, input.head.length);
  const cut = cutNote(input);
  if (runs < t.minRunsPerSide) {
    return {
      verdict: 'inconclusive',
      label: 'inconclusive',
      because: `only ${formatCount(runs)} successful runs on a side (at least ${t.minRunsPerSide} needed)${cut}`,
    };
  }
  if (!change || change.lower === null || change.upper === null) {
    return {
      verdict: 'inconclusive',
      label: 'inconclusive',
      because: `too few runs for an interval at this confidence${cut}`,
    };
  }
  // Named as the estimate it is: a paired estimate may differ in sign from the two medians' ratio.
  // No parentheses: the headline already wraps this in one pair.
  const said = `${paired(input) ? 'paired estimate' : 'estimate'} ${formatChange(change.estimate)}, ${interval(change)}, ${formatCount(input.base.length)} + ${formatCount(input.head.length)} runs${lookNote(input)}`;
  const { lower, upper } = change;
  const [verdict, why]: [Verdict, string] =
    upper < -t.regressionThreshold
      ? ['regression', `: more than ${formatPercent(t.regressionThreshold)} slower`]
      : lower > t.improvementThreshold
        ? ['improvement', `: more than ${formatPercent(t.improvementThreshold)} faster`]
        : lower >= -t.neutralMargin && upper <= t.neutralMargin
          ? [
              'neutral',
              neutralLabel({ lower, upper }, t) === 'neutral'
                ? `: within ${thresholdBand(t)}`
                : `: no change beyond ±${formatPercent(t.neutralMargin)}, not shown within ${thresholdBand(t)}`,
            ]
          : ['inconclusive', `: the interval is wider than ±${formatPercent(t.neutralMargin)}`];
  const label = verdict === 'neutral' ? neutralLabel({ lower, upper }, t) : verdict;
  return { verdict, label, because: `${said}${why}${cut}` };
}

/** Why a row had a smaller budget than configured, e.g. `; budget cut from 40 to 8 pairs: …`. */
function cutNote(input: ThroughputInput): string {
  if (input.cutFrom === undefined || input.budget === undefined) return '';
  return `; budget cut from ${formatCount(input.cutFrom)} to ${formatCount(input.budget)} pairs: the stability regression already decides the gate`;
}

/** Paired: made in the sequential design and still in pairs (no failed run broke them). */
const paired = (input: ThroughputInput): input is ThroughputInput & { budget: number } =>
  input.budget !== undefined && input.base.length === input.head.length;

/** Where a sequential row stopped, e.g. ` at look 1 of 3 of a 40-pair budget`. */
function lookNote(input: ThroughputInput): string {
  if (!paired(input)) return '';
  const looks = lookSchedule(input.budget);
  const k = looks.filter((n) => n <= input.base.length).length;
  return ` at look ${Math.max(1, k)} of ${looks.length} of a ${formatCount(input.budget)}-pair budget`;
}

/**
 * The relative change of one row at `confidence` shared over its looks: runs of the sequential
 * paired design by the signed-rank interval of their pairs' log ratios, at the confidence of the
 * look they ended at; independent runs (or pairs a failed run broke) by the Mann–Whitney interval
 * of all n·m log ratios.
 */
export function throughputChange(input: ThroughputInput, confidence: number): Change | null {
  if (!paired(input)) return relativeChange(input.base, input.head, confidence);
  const level = lookConfidence(input.budget, input.base.length, confidence);
  return pairedRelativeChange(input.base, input.head, level);
}

/** The confidence of each row: the comparison's, shared over the rows (Bonferroni). */
export const rowConfidence = (t: ThroughputThresholds, rows: number) =>
  1 - (1 - t.confidence) / Math.max(1, rows);

/**
 * Whether a look can stop the runs: its interval lies wholly on one side of each threshold (below
 * −regression, above +improvement, or between them). An interval that still contains a threshold
 * could turn into another verdict with more runs.
 */
export function throughputSettled(change: Change | null, t: ThroughputThresholds): boolean {
  if (!change || change.lower === null || change.upper === null) return false;
  const { lower, upper } = change;
  const straddles = (x: number) => lower <= x && x <= upper;
  return !straddles(-t.regressionThreshold) && !straddles(t.improvementThreshold);
}

/**
 * The stopping rule of one row of the sequential design, for the runs' looks: given the figures so
 * far, whether the interval (at its look's confidence) is settled. The only row measured at a time,
 * so its confidence is the comparison's whole.
 */
export function throughputStopRule(
  row: Pick<ThroughputInput, 'workload' | 'variant'> & { readonly budget: number },
  t: ThroughputThresholds,
): (figures: { readonly base: readonly number[]; readonly head: readonly number[] }) => boolean {
  const confidence = rowConfidence(t, 1);
  return (figures) => throughputSettled(throughputChange({ ...row, ...figures }, confidence), t);
}

/**
 * Throughput of head against base per workload: medians, the Hodges–Lehmann relative change and its
 * interval (throughputChange). The confidence is shared over the rows (Bonferroni) and, within a
 * row, over its looks, so that the chance of any false "regression" stays within 1 − confidence.
 */
export function compareThroughput(
  inputs: readonly ThroughputInput[],
  t: ThroughputThresholds,
): ThroughputComparison {
  const confidence = rowConfidence(t, inputs.length);
  const rows = inputs.map((input): ThroughputRow => {
    const change = throughputChange(input, confidence);
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
