import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Comparison } from '../../compare/comparison.schema.js';
import type { Thresholds } from '../../config/thresholds.schema.js';
import { buildReport } from '../../report/build-report.js';
import { renderMarkdown } from '../../report/markdown/render-markdown.js';
import type { BuildInfoInput, NotRun, Report } from '../../report/report.schema.js';
import type { CellRun } from '../schedule/cell-run.js';

/** Step 5 (after compare): the report from the comparison, written as report.json and report.md. */
export async function writeReport(o: {
  readonly base: BuildInfoInput;
  readonly head: BuildInfoInput;
  readonly comparison: Comparison;
  readonly notRun: readonly NotRun[];
  readonly runs: readonly CellRun[];
  readonly thresholds: Thresholds;
  readonly outDir: string;
}): Promise<{ report: Report; markdown: string }> {
  const report = buildReport({
    base: o.base,
    head: o.head,
    comparison: o.comparison,
    notRun: [...o.notRun, ...reusedNote(o.runs)],
    thresholds: o.thresholds,
  });
  const markdown = renderMarkdown(report);
  await writeFile(join(o.outDir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(join(o.outDir, 'report.md'), markdown);
  return { report, markdown };
}

function reusedNote(runs: readonly CellRun[]): NotRun[] {
  const reused = runs.reduce((sum, r) => sum + r.reusedBase, 0);
  return reused === 0
    ? []
    : [
        {
          what: `${reused} base iterations`,
          why: 'reused from an earlier validation against the same base build (not re-run)',
        },
      ];
}
