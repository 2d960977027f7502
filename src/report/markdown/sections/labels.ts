import type { CellHalt, CellReport, SideStats, Verdict } from '../../../compare/comparison.schema.js';
import { formatCount, formatPercent } from '../../../util/format.js';

export const verdictIcon: Record<Verdict, string> = {
  regression: '❌',
  improvement: '✅',
  neutral: '✅',
  inconclusive: '⚠️',
};

export const verdictLabel = (v: Verdict) => `${verdictIcon[v]} ${v}`;

export const cellLabel = (c: { workload: string; variant: string; side: string }) =>
  `${c.workload} · ${c.variant} · ${c.side}`;

/** "0 of 600 (≤ 0.50%)" or "15 of 50: 30.0% (19.1–43.8%)": the count behind every rate. */
export function rateText(s: SideStats): string {
  const counted = `${formatCount(s.failures)} of ${formatCount(s.judged)}`;
  const noise = s.noiseOnly > 0 ? ` + ${formatCount(s.noiseOnly)} noise only` : '';
  if (s.judged === 0) return 'none judged';
  if (s.failures === 0) return `${counted} (≤ ${formatPercent(s.atMost)})${noise}`;
  const i = s.interval;
  const range = i ? ` (${formatPercent(i.lower)}–${formatPercent(i.upper)})` : '';
  return `${counted}: ${formatPercent(s.rate ?? 0)}${range}${noise}`;
}

/** A cell the storm stopped while its test was open: why, in the table's few words. */
const haltedWords: Record<CellHalt, string> = {
  'fail-fast': 'fail fast',
  budget: 'budget spent',
  cancelled: 'cancelled',
};

/** Where the cell's sequential test stopped, in a few words. */
export function stoppedText(c: CellReport): string {
  const seq = c.sequential;
  if (!seq) return `fixed size, ${formatCount(Math.min(c.base.judged, c.head.judged))}/side`;
  const at = `${formatCount(Math.min(seq.iterations.base, seq.iterations.head))}/side`;
  if (seq.state === 'continue') {
    // Pooled design: a cell whose coarse bound is shown has what the neutral statement needs of it.
    if (c.coarse?.shown && c.verdict === 'neutral')
      return `within ${formatPercent(c.coarse.tolerance)} at ${at}`;
    return c.halted ? `${haltedWords[c.halted]} at ${at}` : `open at ${at}`;
  }
  const rule =
    seq.rule === 'no-failures' ? ' (no failures)' : seq.rule === 'all-failures' ? ' (all failed)' : '';
  return `${seq.reason} at ${at}${rule}`;
}
