import type { ThroughputRow, Verdict } from '../compare/comparison.schema.js';

/**
 * The throughput verdict as the report names it: the verdict, except a neutral one that rests on a
 * row shown only within the neutral margin, which is named by that row's label ("no change beyond
 * ±10.0%"): a row is called neutral only when its interval lies within the thresholds.
 */
export function throughputLabel(rows: readonly ThroughputRow[], verdict: Verdict): string {
  if (verdict !== 'neutral') return verdict;
  return rows.find((r) => r.verdict === 'neutral' && r.label !== 'neutral')?.label ?? verdict;
}
