import { formatPValue } from '../../../util/format.js';
import type { Report } from '../../report.schema.js';
import { escapeMarkdown, table } from '../escape.js';
import { cellLabel, rateText, stoppedText, verdictLabel } from './labels.js';

/** The per-cell table, then one line per cell saying what its verdict rests on. */
export function stabilitySection(r: Report): string {
  const cells = r.stability.cells;
  if (cells.length === 0)
    return `#### Stability: ${verdictLabel(r.verdict.stability)}\n\nNo storm cells ran.`;
  const rows = cells.map((c) => [
    cellLabel(c),
    rateText(c.base),
    rateText(c.head),
    `${formatPValue(c.pValues.worseAdjusted)} / ${formatPValue(c.pValues.betterAdjusted)}`,
    stoppedText(c),
    verdictLabel(c.verdict),
  ]);
  const why = cells.map((c) => `- **${escapeMarkdown(cellLabel(c))}**: ${escapeMarkdown(c.because)}`);
  return [
    `#### Stability: ${verdictLabel(r.verdict.stability)}`,
    '',
    table(
      ['Cell', 'Base failed (95%)', 'Head failed (95%)', 'p worse / better (Holm)', 'Stopped', 'Verdict'],
      rows,
    ),
    '',
    ...why,
  ].join('\n');
}
