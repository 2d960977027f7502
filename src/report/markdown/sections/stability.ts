import type { CellReport, Verdict } from '../../../compare/comparison.schema.js';
import { formatCount, formatPValue } from '../../../util/format.js';
import type { Report } from '../../report.schema.js';
import { escapeMarkdown, table } from '../escape.js';
import { cellLabel, rateText, stoppedText, verdictLabel } from './labels.js';

/** Decisive cells first: what a maintainer acts on is at the top of the table. */
const order: Readonly<Record<Verdict, number>> = {
  regression: 0,
  improvement: 1,
  neutral: 2,
  inconclusive: 3,
};

const plural = (n: number, word: string) => `${formatCount(n)} ${word}${n === 1 ? '' : 's'}`;

export function ranCell(c: CellReport): boolean {
  return c.base.iterations + c.head.iterations > 0;
}

/** What a neutral verdict was shown to mean here, and the thread census next to the rates. */
function neutralLines(r: Report): string[] {
  const n = r.stability.neutral;
  // The per-cell statement is the summary's own (the weakest cell's bound); the pooled one is new.
  if (n?.design !== 'pooled' || r.verdict.stability !== 'neutral') return [];
  const census = n.census ? ` Evidence next to the rates: ${escapeMarkdown(n.census)}.` : '';
  return [
    `**What neutral means here**: ${escapeMarkdown(n.meaning.replace(/^neutral means: /, ''))}.${census}`,
    '',
  ];
}

/** The per-cell table (cells that ran, decisive ones first), one line per cell on what its verdict rests on, and the cells that never ran in one line. */
export function stabilitySection(r: Report): string {
  const ran = r.stability.cells
    .filter(ranCell)
    .map((c, i) => ({ c, i }))
    .sort((a, b) => order[a.c.verdict] - order[b.c.verdict] || a.i - b.i)
    .map(({ c }) => c);
  const idle = r.stability.cells.filter((c) => !ranCell(c));
  const heading = `#### Stability: ${verdictLabel(r.verdict.stability)}`;
  // The names are listed once, under "Not run", with the reason.
  const idleLine =
    idle.length === 0 ? [] : ['', `_${plural(idle.length, 'more cell')} not stormed: see "Not run"._`];
  if (ran.length === 0) return [heading, '', 'No storm cells ran.', ...idleLine].join('\n');
  const rows = ran.map((c) => [
    cellLabel(c),
    rateText(c.base),
    rateText(c.head),
    `${formatPValue(c.pValues.worseAdjusted)} / ${formatPValue(c.pValues.betterAdjusted)}`,
    stoppedText(c),
    verdictLabel(c.verdict),
  ]);
  const why = ran.map((c) => `- **${escapeMarkdown(cellLabel(c))}**: ${escapeMarkdown(c.because)}`);
  return [
    heading,
    '',
    ...neutralLines(r),
    table(
      ['Cell', 'Base failed (95%)', 'Head failed (95%)', 'p worse / better (Holm)', 'Stopped', 'Verdict'],
      rows,
    ),
    '',
    ...why,
    ...idleLine,
  ].join('\n');
}
