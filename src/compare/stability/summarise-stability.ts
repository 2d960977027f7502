import { variantNames } from '../../build/variants.js';
import { formatCount, formatPercent } from '../../util/format.js';
import type { CellReport, SignatureEntry, Verdict } from '../comparison.schema.js';

const name = (c: { workload: string; variant: string }) => `${c.workload} (${c.variant})`;
const plural = (n: number, word: string) => `${formatCount(n)} ${word}${n === 1 ? '' : 's'}`;
const pct = (rate: number | null) => (rate === null ? 'n/a' : formatPercent(rate));

function findingsSentence(findings: readonly SignatureEntry[]): string | null {
  if (findings.length === 0) return null;
  const byWorkload = new Map<string, SignatureEntry[]>();
  for (const f of findings) byWorkload.set(f.workload, [...(byWorkload.get(f.workload) ?? []), f]);
  const [workload, list] = [...byWorkload.entries()].sort((a, b) => b[1].length - a[1].length)[0] ?? ['', []];
  const kinds = [...new Set(list.map((f) => f.kind))].join('/');
  const variants = variantNames.filter((v) => list.some((f) => f.variant === v)).join(', ');
  let text = `${formatCount(list.length)} new ${kinds} signature${list.length === 1 ? '' : 's'} in ${workload} (${variants})`;
  const rest = findings.length - list.length;
  if (rest > 0) text += `, ${formatCount(rest)} more in ${plural(byWorkload.size - 1, 'other workload')}`;
  return text;
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
  signatures: readonly SignatureEntry[],
): string {
  if (cells.length === 0) return 'no storm cells ran';
  switch (verdict) {
    case 'regression': {
      const findings = findingsSentence(signatures.filter((s) => s.finding));
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
