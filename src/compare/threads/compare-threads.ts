import type { FindingThresholds } from '../../config/thresholds.schema.js';
import type { Verdict } from '../comparison.schema.js';
import type { CellInput, SideObservation } from '../input.js';
import { maskChanges } from './mask-changes.js';
import type { MaskChangeEntry, MaskTable, ThreadsReport } from './threads.schema.js';

/** The finding kind a more-threads mask change is, in findings.kinds. */
export const signalMaskKind = 'signal-mask';

/** What the census comparison reads of a cell: the comparison's input, or what a storm has so far. */
export type ThreadsCell = Pick<CellInput, 'workload' | 'variant' | 'side'> & {
  readonly base: Pick<SideObservation, 'census' | 'tracingOff'>;
  readonly head: Pick<SideObservation, 'census' | 'tracingOff'>;
};

/**
 * Base's and head's threads per process (server, client), from the cell whose census shows the most
 * threads on both sides (the first such cell in plan order on a tie), and what changed between them.
 * The most threads, not the first cell: a workload that signals before the streams start (an idle
 * server) sees the main thread only and would hide a stream thread's mask whatever order a
 * configuration lists its workloads in. Deterministic: it needs one iteration per side.
 */
export function compareThreads(cells: readonly ThreadsCell[], findings: FindingThresholds): ThreadsReport {
  const tables: MaskTable[] = [];
  const changes: MaskChangeEntry[] = [];
  for (const process of ['server', 'client'] as const) {
    const cell = mostThreads(cells.filter((c) => c.side === process));
    if (!cell?.base.census || !cell.head.census) continue;
    tables.push({
      process,
      workload: cell.workload,
      variant: cell.variant,
      base: cell.base.census.rows,
      head: cell.head.census.rows,
    });
    for (const change of maskChanges(cell.base.census, cell.head.census)) {
      if (change.kind === 'handler-threads') {
        const finding =
          change.direction === 'more' && (findings.kinds as readonly string[]).includes(signalMaskKind);
        const copy = {
          ...change,
          signals: [...change.signals],
          base: [...change.base],
          head: [...change.head],
        };
        changes.push({ ...copy, process, finding });
      } else {
        changes.push({ ...change, process, finding: false });
      }
    }
  }
  const off = cells.flatMap((c) => [c.base.tracingOff, c.head.tracingOff]).find((w) => w !== undefined);
  // Findings are settled by the cells' verdicts: compareStability fills them in (./census-findings.ts).
  return { tables, changes, findings: [], tracing: off ?? null };
}

function mostThreads(cells: readonly ThreadsCell[]): ThreadsCell | undefined {
  let best: ThreadsCell | undefined;
  let bestThreads = 0;
  for (const cell of cells) {
    if (!cell.base.census || !cell.head.census) continue;
    const threads = Math.min(cell.base.census.rows.length, cell.head.census.rows.length);
    if (threads > bestThreads) {
      best = cell;
      bestThreads = threads;
    }
  }
  return best;
}

/** What the mask changes say on their own: a finding is a regression, fewer handler threads an improvement. */
export function threadsVerdict(report: ThreadsReport): { verdict: Verdict; because: string } | null {
  const finding = report.changes.find((c) => c.finding);
  if (finding) return { verdict: 'regression', because: finding.sentence };
  const fewer = report.changes.find((c) => c.kind === 'handler-threads' && c.direction === 'fewer');
  if (fewer) return { verdict: 'improvement', because: fewer.sentence };
  return null;
}
