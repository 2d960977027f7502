import type { Thresholds } from '../config/thresholds.schema.js';
import type { Comparison } from './comparison.schema.js';
import type { CellInput, ThroughputInput } from './input.js';
import type { NeutralDesign } from './neutral/design.js';
import { compareStability } from './stability/compare-stability.js';
import { compareThroughput } from './throughput/compare-throughput.js';

/** Compares base and head: every storm cell and every throughput workload, under one set of thresholds. */
export function compare(
  cells: readonly CellInput[],
  throughput: readonly ThroughputInput[],
  thresholds: Thresholds,
  design: NeutralDesign = 'per-cell',
): Comparison {
  const stability = compareStability(cells, thresholds, design);
  const rates = compareThroughput(throughput, thresholds.throughput);
  return {
    verdict: { stability: stability.verdict, throughput: rates.verdict },
    summary: { stability: stability.summary, throughput: rates.summary },
    stability: {
      cells: stability.cells,
      signatures: stability.signatures,
      causes: stability.causes,
      behaviourChanges: stability.behaviourChanges,
      threads: stability.threads,
      neutral: stability.neutral,
      totals: stability.totals,
    },
    throughput: { rows: rates.rows },
  };
}
