import { variantNames } from '../../build/variants.js';
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
    return `neutral means: in every one of ${plural(cells.length, 'cell')} head fails at most its variant's tolerance (${tolerances}) more often than base, at ${Math.round((1 - t.beta) * 100)}%, and no cell was shown worse`;
  }
  const pooledText =
    pooled.upper === null
      ? `over all cells pooled at most ${formatPercent(pooled.tolerance)}`
      : `over all ${plural(cells.length, 'cell')} pooled at most ${formatPercent(pooled.upper)} (tolerance ${formatPercent(pooled.tolerance)}, ${formatCount(pooled.iterations.head)} head iterations, at ${at(pooled)})`;
  return `neutral means: no cell was shown worse, head fails at most ${formatPercent(t.cellTolerance)} more often than base in each cell and ${pooledText}`;
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
