import type { ThroughputRow } from '../../../compare/comparison.schema.js';
import { formatBitsPerSecond, formatChange, formatCount } from '../../../util/format.js';
import type { Report } from '../../report.schema.js';
import { throughputLabel } from '../../throughput-label.js';
import { escapeMarkdown, fence, table } from '../escape.js';
import { verdictIcon } from './labels.js';

function changeText(row: ThroughputRow): string {
  const c = row.change;
  if (!c) return 'n/a';
  if (c.lower === null || c.upper === null) return `${formatChange(c.estimate)} (no interval)`;
  return `${formatChange(c.estimate)} (${formatChange(c.lower)} to ${formatChange(c.upper)})`;
}

const runsText = (row: ThroughputRow) => {
  const failed = row.base.failedRuns + row.head.failedRuns;
  return `${formatCount(row.base.runs.length)} + ${formatCount(row.head.runs.length)}${failed > 0 ? ` (${failed} failed)` : ''}`;
};

/** A Mermaid bar chart GitHub renders: every run of base, then every run of head. */
export function throughputChart(row: ThroughputRow): string {
  const all = [...row.base.runs, ...row.head.runs];
  const max = Math.max(...all);
  const [scale, unit] = max >= 1e9 ? [1e9, 'Gbit/s'] : max >= 1e6 ? [1e6, 'Mbit/s'] : [1e3, 'kbit/s'];
  const values = all.map((v) => Number((v / scale).toFixed(2)));
  const labels = [
    ...row.base.runs.map((_, i) => `"base ${i + 1}"`),
    ...row.head.runs.map((_, i) => `"head ${i + 1}"`),
  ];
  const top = Math.ceil((max / scale) * 1.1);
  const title = `${row.workload} (${row.variant}): ${unit} per run, base then head`.replace(/["\n]/g, '');
  return fence(
    [
      'xychart-beta',
      `  title "${title}"`,
      `  x-axis [${labels.join(', ')}]`,
      `  y-axis "${unit}" 0 --> ${top}`,
      `  bar [${values.join(', ')}]`,
    ].join('\n'),
    'mermaid',
  );
}

/** Throughput table (medians, relative change with its interval, runs) and one chart per workload. */
export function throughputSection(r: Report, charts: boolean): string {
  const rows = r.throughput.rows;
  const title = `#### Throughput: ${verdictIcon[r.verdict.throughput]} ${throughputLabel(rows, r.verdict.throughput)}`;
  if (rows.length === 0) return `${title}\n\nThroughput was not measured.`;
  const confidence = rows[0]?.change?.confidence;
  const head = [
    'Workload',
    'Base median',
    'Head median',
    `Change (${confidence ? `${Math.round(confidence * 1000) / 10}%` : ''} interval)`,
    'Runs',
    'Verdict',
  ];
  const body = rows.map((row) => [
    `${row.workload} · ${row.variant}`,
    row.base.median === null ? 'n/a' : formatBitsPerSecond(row.base.median),
    row.head.median === null ? 'n/a' : formatBitsPerSecond(row.head.median),
    changeText(row),
    runsText(row),
    `${verdictIcon[row.verdict]} ${row.label}`,
  ]);
  const why = rows.map((row) => `- **${escapeMarkdown(row.workload)}**: ${escapeMarkdown(row.because)}`);
  const note =
    'Change: the Hodges–Lehmann estimate of head / base − 1 (over ABBA pairs where the runs were paired), not the ratio of the two medians.';
  const parts = [title, '', table(head, body), '', note, '', ...why];
  if (charts)
    for (const row of rows)
      if (row.base.runs.length + row.head.runs.length > 0) parts.push('', throughputChart(row));
  return parts.join('\n');
}
