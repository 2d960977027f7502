import { formatCount, formatPercent } from '../../util/format.js';
import type { CauseEntry, CellReport, Verdict } from '../comparison.schema.js';

const name = (c: { workload: string; variant: string }) => `${c.workload} (${c.variant})`;
const plural = (n: number, word: string) => `${formatCount(n)} ${word}${n === 1 ? '' : 's'}`;
const pct = (rate: number | null) => (rate === null ? 'n/a' : formatPercent(rate));

/** The cause that failed most iterations speaks for the findings; the others are counted, by cell. */
function findingsSentence(findings: readonly CauseEntry[]): string | null {
  const [lead, ...rest] = [...findings].sort((a, b) => b.iterations.head.failing - a.iterations.head.failing);
  if (!lead) return null;
  const text = `new in ${name(lead)}: ${lead.headline}`;
  if (rest.length === 0) return text;
  const variants = new Map<string, string[]>();
  for (const c of rest) {
    const list = variants.get(c.workload) ?? [];
    if (!list.includes(c.variant)) list.push(c.variant);
    variants.set(c.workload, list);
  }
  const where = [...variants].map(([w, v]) => `${w} (${v.join(', ')})`);
  return `${text}; ${plural(rest.length, 'more new cause')} in ${where.join(', ')}`;
}

function rateSentence(cells: readonly CellReport[]): string | null {
  const [first, ...rest] = cells;
  if (!first) return null;
  const text = `${name(first)} fails ${pct(first.head.rate)} of iterations vs ${pct(first.base.rate)} on base`;
  return rest.length > 0 ? `${text}, and ${plural(rest.length, 'more cell')}` : text;
}

/** One sentence behind the stability verdict, for the headline. */
export function summariseStability(
  verdict: Verdict,
  cells: readonly CellReport[],
  causes: readonly CauseEntry[],
): string {
  if (cells.length === 0) return 'no storm cells ran';
  switch (verdict) {
    case 'regression': {
      const findings = findingsSentence(causes.filter((c) => c.finding));
      const byRate = cells.filter((c) => c.verdict === 'regression' && c.findings === 0);
      return [findings, rateSentence(byRate)].filter((s) => s !== null).join('; ');
    }
    case 'improvement':
      return rateSentence(cells.filter((c) => c.verdict === 'improvement')) ?? 'head fails less often';
    case 'neutral': {
      // The weakest bound speaks for all; cells saturated with failures state no bound, so come last.
      const bounded = cells.filter((c) => c.sequential?.rule !== 'all-failures');
      const weakest = [...(bounded.length > 0 ? bounded : cells)].sort(
        (a, b) => Math.min(a.base.judged, a.head.judged) - Math.min(b.base.judged, b.head.judged),
      )[0] as CellReport;
      return `in ${plural(cells.length, 'cell')}; weakest: ${name(weakest)}, ${weakest.because}`;
    }
    default: {
      const open = cells.filter((c) => c.verdict === 'inconclusive');
      const first = open[0];
      const detail = first ? ` (${name(first)}: ${first.because})` : '';
      return `${formatCount(open.length)} of ${plural(cells.length, 'cell')} inconclusive${detail}`;
    }
  }
}
