import { isNoiseOnly } from '../../classify/family.js';
import { isFailure, type Outcome, outcomeClass } from '../../classify/outcome.js';
import { type OpenedFinding, openedFindings } from '../../compare/threads/census-findings.js';
import { compareThreads } from '../../compare/threads/compare-threads.js';
import type { VariantName } from '../../compile/variants.js';
import type { FindingThresholds, Thresholds } from '../../config/thresholds.schema.js';
import type { IterationRecord } from '../../storm/record.js';
import { judgedCensus } from '../../storm/threads/signal-takers.js';
import { workloadAims } from '../../workload/aims.js';
import { judgedSide } from '../../workload/schema.js';
import type { CellRun } from './cell-run.js';

/**
 * The census findings the cells so far open, by the comparison's own rules (compareThreads), so the
 * report says exactly what steered or stopped the storm. One that is a regression by itself
 * (`byItself`: more handler threads with `signal-mask` in findings.kinds) no iteration undoes.
 */
export function openedSoFar(runs: readonly CellRun[], findings: FindingThresholds): OpenedFinding[] {
  const cells = runs.map((run) => ({
    workload: run.plan.workload.name,
    variant: run.plan.variant,
    side: judgedSide(run.plan.workload),
    base: { census: judgedCensus(run.base) },
    head: { census: judgedCensus(run.head) },
  }));
  return openedFindings(compareThreads(cells, findings).changes);
}

/** The findings a cell aims at: its judged process is the finding's and its pattern aims where it bites. */
export function aimedBy(run: CellRun, opened: readonly OpenedFinding[]): OpenedFinding[] {
  const side = judgedSide(run.plan.workload);
  const aims = workloadAims(run.plan.workload);
  return opened.filter((f) => f.process === side && aims.includes(f.aim));
}

/** The cell aims at a finding only its own fine test settles: its coarse bound is not enough. */
export function needsFineTest(run: CellRun, opened: readonly OpenedFinding[]): boolean {
  return aimedBy(run, opened).some((f) => !f.byItself);
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

/**
 * Judged iterations per side a cell needs before its failure can speak for a finding that settled
 * the verdict by itself: the rates decide nothing here, so one batch of a few suffices (a base that
 * ran clean beside a head that failed). Also the size of every cell's first batch in a whole run,
 * so that a finding seen in the first census stops the storms after this many per side.
 */
export const findingEvidenceMin = 2;

const judged = (records: readonly IterationRecord[]) =>
  records.filter((r) => outcomeClass[r.target.outcome.kind] !== 'not-judged').length;

/**
 * What the finding-driven stop waits for in some cell, once the mask finding has settled the verdict (docs/statistics.md, "Stopping on the signal-mask finding"): findingEvidenceMin
 * judged iterations on both sides, and head's failure of the kind its variant is for, so the report
 * has that failure to show, place at a source line and reproduce.
 */
export function evidenceShown(run: CellRun, thresholds: Thresholds): boolean {
  if (Math.min(judged(run.base), judged(run.head)) < findingEvidenceMin) return false;
  const noisy = thresholds.findings.noisyFamilies;
  return run.head.some((r) => variantEvidence(run.plan.variant, r.target.outcome, noisy));
}
