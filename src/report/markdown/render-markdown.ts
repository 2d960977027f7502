import type { Report } from '../report.schema.js';
import { behaviourSection, methodSection, notRunSection } from './sections/extras.js';
import { header } from './sections/header.js';
import { type SignatureBudget, signaturesSection } from './sections/signatures.js';
import { stabilitySection } from './sections/stability.js';
import { threadsSection } from './sections/threads.js';
import { throughputSection } from './sections/throughput.js';

/** GitHub rejects comment bodies over 65,536 characters; keep a margin. */
export const githubCommentLimit = 65_536;

export interface MarkdownOptions {
  /** Longest allowed text, in UTF-16 code units (what GitHub counts is never more). */
  readonly maxLength?: number;
}

const budgets: readonly SignatureBudget[] = [
  { evidenceLimit: 8000, maxEntries: 50 },
  { evidenceLimit: 4000, maxEntries: 30 },
  { evidenceLimit: 2000, maxEntries: 20 },
  { evidenceLimit: 1000, maxEntries: 10 },
  { evidenceLimit: 400, maxEntries: 5 },
  { evidenceLimit: 0, maxEntries: 5 },
  { evidenceLimit: 0, maxEntries: 0 },
];

function assemble(r: Report, budget: SignatureBudget | null, charts: boolean): string {
  const sections = [
    header(r),
    stabilitySection(r),
    threadsSection(r),
    budget
      ? signaturesSection(r, budget)
      : '_Signature details left out to fit a GitHub comment: see report.json._',
    behaviourSection(r),
    throughputSection(r, charts),
    notRunSection(r),
    methodSection(r),
  ].filter((s): s is string => s !== null);
  return `${sections.join('\n\n')}\n`;
}

/**
 * The PR comment: marker, one-line headline, tables, signature buckets with evidence, throughput
 * table and chart, what did not run. Evidence is cut first (with a note) to stay under GitHub's
 * limit, then the number of listed signatures, then the charts; the headline and tables never.
 */
export function renderMarkdown(r: Report, options: MarkdownOptions = {}): string {
  const max = options.maxLength ?? githubCommentLimit - 536;
  for (const budget of budgets) {
    const text = assemble(r, budget, true);
    if (text.length <= max) return text;
  }
  const bare = assemble(r, null, true);
  if (bare.length <= max) return bare;
  const noCharts = assemble(r, null, false);
  if (noCharts.length <= max) return noCharts;
  // Only a report with thousands of cells gets here: headline and table rows up to the limit, no
  // details or fences that a cut could leave open.
  const note = '\n\n_Report cut to fit a GitHub comment: the full report is in report.json._\n';
  const top = `${header(r)}\n\n${stabilitySection(r)}`.slice(0, max - note.length);
  return `${top.slice(0, top.lastIndexOf('\n'))}${note}`;
}
