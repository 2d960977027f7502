import { formatPercent } from '../../util/format.js';
import { escapeMarkdown, inlineCode } from '../markdown/escape.js';
import type { BisectResult, BisectStep } from './bisect-result.schema.js';

/** The Markdown section of a bisection: the answer first, then how it was reached, step by step. */
export function renderBisect(result: BisectResult): string {
  const icon = {
    'first-bad': '🎯',
    'no-single-culprit': '🧩',
    'no-regression': '✅',
    'undecided-within-budget': '❔',
  };
  const d = result.design;
  const tolerance = Object.entries(d.tolerance)
    .map(([variant, t]) => `${variant} ${formatPercent(t)}`)
    .join(', ');
  const lines = [
    `## Bisection: ${icon[result.answer.kind]} ${escapeMarkdown(result.headline)}`,
    '',
    `Cells: ${result.cells.map((c) => inlineCode(`${c.workload} (${c.variant})`)).join(', ')}. ` +
      `Each step is a sequential test of a candidate against the good point; at most ${d.steps} steps, ` +
      `each with α = ${fmt(d.perStep.alpha)} and β = ${fmt(d.perStep.beta)} (α = ${fmt(d.alpha)}, β = ${fmt(d.beta)} split over them), ` +
      `designed to tell a failure-rate rise of ${tolerance} from none; an inconclusive step is retested with twice the iterations, at most ${d.retests} times.`,
    '',
    '| Step | Candidate | Verdict | Base (good point) | Candidate | Attempts | Storm time |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...result.steps.map((s, i) => stepRow(s, i + 1)),
    '',
    `Candidates: ${result.candidates.map((c) => `${c.index} ${inlineCode(c.name)}`).join(', ')}.`,
    '',
    `${result.totals.iterationsRun} iterations stormed, ${result.totals.iterationsReused} reused from the caches, ${result.totals.stormSeconds.toFixed(1)} s of storms.`,
  ];
  return `${lines.join('\n')}\n`;
}

function stepRow(step: BisectStep, number: number): string {
  const sum = (side: 'base' | 'head') => {
    const failures = step.cells.reduce((n, c) => n + c[side].failures, 0);
    const iterations = step.cells.reduce((n, c) => n + c[side].iterations, 0);
    return `${failures}/${iterations} failed`;
  };
  const role = { 'bad-point': 'bad point', probe: 'probe', isolation: 'alone on the good point' }[step.role];
  return `| ${number} (${role}) | ${step.candidate.index} ${inlineCode(step.candidate.name)} | ${step.verdict} | ${sum('base')} | ${sum('head')} | ${step.attempts} | ${step.stormSeconds.toFixed(1)} s |`;
}

const fmt = (p: number) => (p >= 0.01 ? p.toFixed(3).replace(/0+$/, '') : p.toPrecision(2));
