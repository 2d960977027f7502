import { type CellHalt, cellHalts } from '../../compare/comparison.schema.js';
import type { CellInput, SideObservation } from '../../compare/input.js';
import { observeSide } from '../../compare/observe-side.js';
import type { Thresholds } from '../../config/thresholds.schema.js';
import type { NotRun } from '../../report/report.schema.js';
import type { PublicSource } from '../../source/public-source.js';
import type { TreeSide } from '../../source/tree-side.js';
import { judgedSide } from '../../workload/schema.js';
import { withPortableRepro } from '../output/portable-repro.js';
import type { CellRun } from './cell-run.js';

/** The comparison's input for every planned cell, and what did not run (and why). */
export function cellInputs(
  runs: readonly CellRun[],
  thresholds: Thresholds,
  cap: number | undefined,
  sources?: { readonly base: PublicSource; readonly head: PublicSource },
): { cells: CellInput[]; notRun: NotRun[] } {
  const noisy = thresholds.findings.noisyFamilies;
  // Reports name trees as others can get them, never this machine's cache (docs/report.md).
  const portable = (side: SideObservation, run: CellRun, tree: TreeSide) =>
    sources ? withPortableRepro(side, run, run[tree], sources[tree]) : side;
  const cells: CellInput[] = [];
  const notRun: NotRun[] = [];
  for (const run of runs) {
    const name = `${run.plan.workload.name} (${run.plan.variant})`;
    const interrupted = run.stop === 'cancelled';
    // Cells that never ran stay in the family: the sequential tests were sized for all of them.
    if (run.batches.length === 0 && run.base.length + run.head.length === 0) {
      notRun.push({ what: `storm ${name}`, why: stopWhy(run) });
    } else if (run.stop !== 'decision' && run.stop !== null) {
      notRun.push({
        what: `more iterations of ${name}`,
        why: `${stopWhy(run)}; it ran ${run.base.length} base and ${run.head.length} head iterations`,
      });
    }
    cells.push({
      workload: run.plan.workload.name,
      variant: run.plan.variant,
      side: judgedSide(run.plan.workload),
      base: portable(observeSide(run.base, noisy, { interrupted }), run, 'base'),
      head: portable(observeSide(run.head, noisy, { interrupted }), run, 'head'),
      batches: run.batches,
      ...(cap === undefined ? {} : { cap }),
      ...haltedField(run.stop, run.state.decision.state === 'continue'),
    });
  }
  return { cells, notRun };
}

/**
 * A cell's `halted` field: why a storm stopped it while its sequential test was still open (`open`),
 * if it did (a local run, or the first shard that stopped its slice short).
 */
export function haltedField(stop: string | null | undefined, open: boolean): { halted?: CellHalt } {
  const halt = cellHalts.find((h) => h === stop);
  return halt && open ? { halted: halt } : {};
}

function stopWhy(run: CellRun): string {
  switch (run.stop) {
    case 'budget':
      return 'the storm time budget was spent';
    case 'fail-fast':
      return 'stopped early: the verdict was already a settled regression (fail fast)';
    case 'cancelled':
      return 'the validation was cancelled';
    default:
      return 'not reached';
  }
}
