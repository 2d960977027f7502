import { formatBitsPerSecond, formatCount } from '../util/format.js';
import { cellLabel, rateText, stoppedText, verdictIcon } from './markdown/sections/labels.js';
import { ranCell } from './markdown/sections/stability.js';
import { groupNotRun } from './not-run-groups.js';
import type { Report } from './report.schema.js';
import { throughputLabel } from './throughput-label.js';

function pad(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    for (const [i, cell] of row.entries()) widths[i] = Math.max(widths[i] ?? 0, [...cell].length);
  }
  return rows.map((row) =>
    row
      .map((cell, i) => cell + ' '.repeat((widths[i] ?? 0) - [...cell].length))
      .join('  ')
      .trimEnd(),
  );
}

/** A short plain-text report for the CLI: the headline, one line per cell and row, findings with repro. */
export function renderTerminal(r: Report): string {
  const out: string[] = [r.headline, ''];
  const t = r.stability.totals;
  out.push(
    `Stability: ${r.verdict.stability} (${formatCount(t.iterations.base)} + ${formatCount(t.iterations.head)} iterations)`,
  );
  const idle = r.stability.cells.filter((c) => !ranCell(c)).length;
  const cells = r.stability.cells
    .filter(ranCell)
    .map((c) => [
      `  ${verdictIcon[c.verdict]} ${cellLabel(c)}`,
      `base ${rateText(c.base)}`,
      `head ${rateText(c.head)}`,
      stoppedText(c),
    ]);
  out.push(...pad(cells));
  const neutral = r.stability.neutral;
  if (neutral?.design === 'pooled' && r.verdict.stability === 'neutral') {
    out.push(`  ${neutral.meaning.replace(/^neutral means/, 'Neutral means')}`);
    if (neutral.census) out.push(`  Evidence next to the rates: ${neutral.census}`);
  }
  if (idle > 0) out.push(`  (${idle} more cells not stormed: see Not run)`);
  const causes = r.stability.causes;
  const findings = causes.filter((c) => c.finding);
  if (findings.length > 0) {
    out.push('', 'New in head:');
    for (const f of findings) {
      out.push(
        `  ❌ ${f.workload} (${f.variant}, ${f.process}): ${f.headline} (base ${f.iterations.base.failing} of ${f.iterations.base.judged})`,
      );
      for (const s of f.signatures) {
        const e = r.stability.signatures.find(
          (x) =>
            x.signature === s.signature &&
            x.workload === f.workload &&
            x.variant === f.variant &&
            x.side === f.side &&
            x.role === f.role,
        );
        out.push(`     ${s.signature}  ×${s.count}`);
        if (e) out.push(`       ${e.excerpt}`, `       reproduce: ${e.repro}`);
      }
    }
  }
  const count = (pred: (c: (typeof causes)[number]) => boolean) => causes.filter(pred).length;
  const others = [
    ['new, not blamed', count((c) => c.role === 'target' && c.bucket === 'new' && !c.finding)],
    ['fixed', count((c) => c.role === 'target' && c.bucket === 'fixed')],
    ['persisting', count((c) => c.role === 'target' && c.bucket === 'persisting')],
    ['peer side', count((c) => c.role === 'peer')],
  ].filter(([, n]) => Number(n) > 0);
  if (others.length > 0) out.push(`Other causes: ${others.map(([w, n]) => `${n} ${w}`).join(', ')}`);
  for (const b of r.stability.behaviourChanges)
    out.push(`Behaviour change: ${b.workload} (${b.variant}): ${b.description}`);
  out.push('', `Throughput: ${throughputLabel(r.throughput.rows, r.verdict.throughput)}`);
  const rows = r.throughput.rows.map((row) => [
    `  ${verdictIcon[row.verdict]} ${row.workload} · ${row.variant}`,
    `medians ${row.base.median === null ? 'n/a' : formatBitsPerSecond(row.base.median)} → ${row.head.median === null ? 'n/a' : formatBitsPerSecond(row.head.median)}`,
    // The estimate, its interval and runs as the comparison words them ("paired estimate +1.1%, …"):
    // next to the medians, a bare "+1.1%" read as their ratio.
    row.because,
  ]);
  out.push(...(rows.length > 0 ? pad(rows) : ['  not measured']));
  for (const g of groupNotRun(r.notRun))
    out.push(
      g.what.length === 1
        ? `Not run: ${g.what[0]}: ${g.why}`
        : `Not run: ${g.what.length} (${g.why}): ${g.what.join(', ')}`,
    );
  return `${out.join('\n')}\n`;
}
