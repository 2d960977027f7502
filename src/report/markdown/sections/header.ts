import { formatCount } from '../../../util/format.js';
import type { BuildInfo, Report } from '../../report.schema.js';
import { inlineCode } from '../escape.js';
import { ranCell } from './stability.js';

const plural = (n: number, word: string) => `${formatCount(n)} ${word}${n === 1 ? '' : 's'}`;

/** The hidden marker the bot finds its own comment by (never a login). */
export const reportMarker = '<!-- sigstorm-report -->';

function tree(name: string, b: BuildInfo): string {
  const commit = b.commit ? ` at ${inlineCode(b.commit.slice(0, 10))}` : '';
  const patches =
    b.patches.length > 0 ? ` + ${b.patches.map((p) => inlineCode(p.split('/').pop() ?? p)).join(', ')}` : '';
  return `**${name}** ${inlineCode(b.label.split(' + ')[0] ?? b.label)}${commit}${patches}`;
}

/** "4 cells", or "3 of 24 cells" when some were not stormed. */
function cellsText(r: Report): string {
  const all = r.stability.cells.length;
  const ran = r.stability.cells.filter(ranCell).length;
  return ran === all ? plural(all, 'cell') : `${formatCount(ran)} of ${plural(all, 'cell')}`;
}

/** Marker, headline (the first visible line), then what was compared and how much ran. */
export function header(r: Report): string {
  const t = r.stability.totals;
  const runs = r.throughput.rows.reduce((a, row) => a + row.base.runs.length + row.head.runs.length, 0);
  const facts = [
    `${tree('base', r.base)} · ${tree('head', r.head)}`,
    `${formatCount(t.iterations.base)} + ${formatCount(t.iterations.head)} storm iterations in ${cellsText(r)}, ${plural(runs, 'throughput run')}`,
  ];
  return [reportMarker, `### ${r.headline}`, '', facts.join('  \n')].join('\n');
}
