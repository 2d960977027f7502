import { formatPercent } from '../../../util/format.js';
import { groupNotRun } from '../../not-run-groups.js';
import type { Report } from '../../report.schema.js';
import { details, escapeMarkdown } from '../escape.js';
import { cellLabel } from './labels.js';

/** Exit-code changes of clean exits: behaviour, not failures. */
export function behaviourSection(r: Report): string | null {
  const changes = r.stability.behaviourChanges;
  if (changes.length === 0) return null;
  const lines = changes.map(
    (c) => `- **${escapeMarkdown(cellLabel(c))}** (${c.role}): ${escapeMarkdown(c.description)}`,
  );
  return ['#### Behaviour changes (not failures)', '', ...lines].join('\n');
}

/** What did not run: one line per reason; a reason shared by several entries folds their list. */
export function notRunSection(r: Report): string | null {
  if (r.notRun.length === 0) return null;
  const groups = groupNotRun(r.notRun);
  const single = groups.filter((g) => g.what.length === 1);
  const many = groups.filter((g) => g.what.length > 1);
  const lines = single.map((g) => `- ${escapeMarkdown(g.what[0] ?? '')}: ${escapeMarkdown(g.why)}`);
  const folded = many.map((g) =>
    details(`${g.what.length} not run: ${g.why}`, g.what.map((w) => `- ${escapeMarkdown(w)}`).join('\n')),
  );
  return [
    '#### Not run',
    ...(lines.length > 0 ? ['', ...lines] : []),
    ...folded.flatMap((f) => ['', f]),
  ].join('\n');
}

/** How the figures were made and the thresholds in force, folded away. */
export function methodSection(r: Report): string {
  const s = r.thresholds.stability;
  const t = r.thresholds.throughput;
  const tol = Object.entries(s.tolerance)
    .map(([v, x]) => `${v} ${formatPercent(x)}`)
    .join(', ');
  const lines = [
    `- Failure rates with Wilson ${formatPercent(s.confidence)} intervals; "≤" is the exact one-sided ${formatPercent(s.confidence)} upper bound.`,
    `- p-values: one-sided Fisher exact tests per cell, Holm-adjusted over the ${r.stability.cells.length} cells; regression when below α = ${s.alpha}.`,
    `- Sequential stopping: odds-ratio SPRTs (designed odds ratio ${s.oddsRatio}, α = ${s.alpha} over all cells, β = ${s.beta}) and a run of clean iterations proving the tolerance (${tol}).`,
    '- A signature new in head is a regression by itself when it is a crash or sanitizer report that base never showed.',
    `- Iterations whose only sanitizer reports are of ${r.thresholds.findings.noisyFamilies.map((f) => `"${escapeMarkdown(f)}"`).join(', ') || 'no'} families count as clean ("noise only"); their signatures are still listed.`,
    `- Throughput: Hodges–Lehmann change of head over base; rows marked "paired" ran base and head in ABBA pairs and take the exact signed-rank interval of the pairs' ln(head/base) at the confidence of the look they stopped at (docs/throughput.md), other rows the exact Mann–Whitney interval of independent runs; regression when the whole interval is below −${formatPercent(t.regressionThreshold)}, improvement above +${formatPercent(t.improvementThreshold)}.`,
    `- Report schema v${r.schemaVersion}, sigstorm ${escapeMarkdown(r.sigstormVersion)}, ${escapeMarkdown(r.generatedAt)}.`,
  ];
  return details('How these figures were made', lines.join('\n'));
}
