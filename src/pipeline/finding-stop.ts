import type { VariantName } from '../build/variants.js';
import { isNoiseOnly } from '../classify/family.js';
import { isFailure, type Outcome, outcomeClass } from '../classify/outcome.js';
import { compareThreads } from '../compare/threads/compare-threads.js';
import type { FindingThresholds, Thresholds } from '../config/thresholds.schema.js';
import type { IterationRecord } from '../storm/record.js';
import { judgedCensus } from '../storm/threads/signal-takers.js';
import { judgedSide } from '../workload/schema.js';
import type { CellRun } from './cell-run.js';

/**
 * The stability verdict is already a regression by a finding that no further iteration undoes:
 * head lets more threads run a termination signal's handler than base (`signal-mask` in
 * findings.kinds). Decided by the comparison's own rule (compareThreads) on the cells so far, so
 * the report says exactly what stopped the storm.
 */
export function settledByMasks(runs: readonly CellRun[], findings: FindingThresholds): boolean {
  const cells = runs.map((run) => ({
    workload: run.plan.workload.name,
    variant: run.plan.variant,
    side: judgedSide(run.plan.workload),
    base: { census: judgedCensus(run.base) },
    head: { census: judgedCensus(run.head) },
  }));
  return compareThreads(cells, findings).changes.some((c) => c.finding);
}

/**
 * The failure a variant is built to show: any failure of the plain build; a sanitizer report (not
 * noise only) of a sanitizer build, which is what its annotations and SARIF results point at.
 */
export function variantEvidence(variant: VariantName, outcome: Outcome, noisy: readonly string[]): boolean {
  if (!isFailure(outcome) || isNoiseOnly(outcome, noisy)) return false;
  switch (variant) {
    case 'plain':
      return true;
    case 'asan':
    case 'tsan':
      return outcome.kind === 'sanitizer';
    default: {
      const never: never = variant;
      return never;
    }
  }
}

const judged = (records: readonly IterationRecord[]) =>
  records.filter((r) => outcomeClass[r.target.outcome.kind] !== 'not-judged').length;

/**
 * What the finding-driven stop waits for in some cell, once the mask finding has settled the verdict (docs/statistics.md, "Stopping on the signal-mask finding"): its planned minimum of
 * judged iterations on both sides, and head's failure of the kind its variant is for, so the report
 * has that failure to show, place at a source line and reproduce.
 */
export function evidenceShown(run: CellRun, thresholds: Thresholds): boolean {
  const min = thresholds.stability.minIterationsPerSide;
  if (Math.min(judged(run.base), judged(run.head)) < min) return false;
  const noisy = thresholds.findings.noisyFamilies;
  return run.head.some((r) => variantEvidence(run.plan.variant, r.target.outcome, noisy));
}
