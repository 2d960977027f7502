import { sideFromSummary } from '../compare/adapters.js';
import type { CellInput, SideObservation } from '../compare/input.js';
import type { Thresholds } from '../config/thresholds.schema.js';
import type { NotRun } from '../report/report.schema.js';
import { summarise } from '../storm/summarise.js';
import { judgedSide } from '../workload/schema.js';
import type { CellRun } from './storm-cells.js';

/** One side of a cell as the comparison reads it: its storm summary plus what only the records tell. */
function observe(
  run: CellRun,
  which: 'base' | 'head',
  lanes: number,
  noisy: readonly string[],
): SideObservation {
  const records = run[which];
  const summary = summarise(records, {
    stormId: `${run.plan.workload.name}-${run.plan.variant}-${which}`,
    workload: run.plan.workload.name,
    variant: run.plan.variant,
    binary: records[0]?.binary ?? '',
    seed: run.seed,
    lanes,
    iterationsPlanned: records.length,
    interrupted: run.stop === 'cancelled',
    elapsedMs: run.elapsedMs,
    resultsFile: run.files[which],
  });
  return sideFromSummary(summary, records, noisy);
}

/** The comparison's input for every planned cell, and what did not run (and why). */
export function cellInputs(
  runs: readonly CellRun[],
  thresholds: Thresholds,
  lanes: number,
  cap: number | undefined,
): { cells: CellInput[]; notRun: NotRun[] } {
  const noisy = thresholds.findings.noisyFamilies;
  const cells: CellInput[] = [];
  const notRun: NotRun[] = [];
  for (const run of runs) {
    const name = `${run.plan.workload.name} (${run.plan.variant})`;
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
      base: observe(run, 'base', lanes, noisy),
      head: observe(run, 'head', lanes, noisy),
      batches: run.batches,
      ...(cap === undefined ? {} : { cap }),
    });
  }
  return { cells, notRun };
}

function stopWhy(run: CellRun): string {
  switch (run.stop) {
    case 'budget':
      return 'the storm time budget was spent';
    case 'fail-fast':
      return 'stopped early: another cell had already settled a regression (fail fast)';
    case 'cancelled':
      return 'the validation was cancelled';
    default:
      return 'not reached';
  }
}
