import { variantNames } from '../../compile/variants.js';
import type { StabilityThresholds } from '../../config/thresholds.schema.js';
import { formatCount, formatPercent } from '../../util/format.js';
import type { CellReport, NeutralBound } from '../comparison.schema.js';
import type { ThreadsReport } from '../threads/threads.schema.js';
import type { NeutralDesign } from './design.js';

const plural = (n: number, word: string) => `${formatCount(n)} ${word}${n === 1 ? '' : 's'}`;
const at = (b: NeutralBound) => `${Math.round((b.confidence ?? 0.95) * 100)}%`;

/** One sentence: what a neutral verdict shows for this comparison (docs/statistics.md, "Neutral"). */
export function neutralMeaning(
  design: NeutralDesign,
  cells: readonly CellReport[],
  pooled: NeutralBound,
  t: StabilityThresholds,
): string {
  if (design === 'per-cell') {
    const tolerances = variantNames
      .filter((v) => cells.some((c) => c.variant === v))
      .map((v) => `${formatPercent(t.tolerance[v])} ${v}`)
      .join(', ');
    return `neutral means: in every one of ${plural(cells.length, 'cell')} head fails at most its variant's tolerance (${tolerances}) more often than base, at ${Math.round((1 - t.beta) * 100)}%, and no cell was shown worse${powerText(cells)}`;
  }
  const pooledText =
    pooled.upper === null
      ? `over all cells pooled at most ${formatPercent(pooled.tolerance)}`
      : `over all ${plural(cells.length, 'cell')} pooled at most ${formatPercent(pooled.upper)} (tolerance ${formatPercent(pooled.tolerance)}, ${formatCount(pooled.iterations.head)} head iterations, at ${at(pooled)})`;
  return `neutral means: no cell was shown worse, head fails at most ${formatPercent(t.cellTolerance)} more often than base in each cell and ${pooledText}${powerText(cells)}`;
}

/** The rises of one cell's failure rate the power sentence speaks of (2 and 5 points). */
export const powerRises = [0.02, 0.05] as const;

/**
 * What this run's counts would have caught: a cell whose head newly fails (a crash or sanitizer
 * report base never showed, a regression by itself) in 2% or 5% of its iterations shows it at least
 * once with probability 1 − (1 − rise)^n, n the fewest head iterations of any cell.
 */
export function powerText(cells: readonly CellReport[]): string {
  if (cells.length === 0) return '';
  const n = Math.min(...cells.map((c) => c.head.judged));
  const chance = powerRises.map((r) => `${formatPercent(1 - (1 - r) ** n)} at ${formatPercent(r)}`);
  return `; power: a single cell whose head newly crashes in a share of its iterations would have shown it at least once in ${n} head iterations (the fewest of any cell) with probability ${chance.join(', ')}`;
}

/**
 * The thread census as evidence next to the rates: base and head run the same threads with the
 * same masks and dispositions (docs/threads.md). Null without a census on both sides, or when
 * they differ (the changes are reported on their own).
 */
export function censusEvidence(threads: ThreadsReport): string | null {
  if (threads.tables.length === 0 || threads.changes.length > 0) return null;
  const same = threads.tables.every((t) => t.base.length === t.head.length);
  if (!same) return null;
  const per = threads.tables.map((t) => `${t.process} ${plural(t.base.length, 'thread')}`).join(', ');
  return `the thread census is the same on both sides (${per}; same signal masks and dispositions)`;
}
