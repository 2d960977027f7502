import type { Thresholds } from '../../config/thresholds.schema.js';
import type {
  BehaviourChange,
  CauseEntry,
  CellReport,
  SignatureEntry,
  Verdict,
} from '../comparison.schema.js';
import type { CellInput } from '../input.js';
import { decideCell } from '../sequential/decide-cell.js';
import { sequentialSettings } from '../sequential/settings.js';
import { bucketSignatures } from '../signatures/bucket-signatures.js';
import { groupCauses } from '../signatures/group-causes.js';
import { fisherOneSided } from '../stats/fisher.js';
import { holmAdjust } from '../stats/holm.js';
import { newcombeDifference } from '../stats/newcombe.js';
import { compareThreads, threadsVerdict } from '../threads/compare-threads.js';
import type { ThreadsReport } from '../threads/threads.schema.js';
import { behaviourChanges } from './behaviour-changes.js';
import { cellVerdict } from './cell-verdict.js';
import { judgedCount, sideStats } from './side-stats.js';
import { summariseStability } from './summarise-stability.js';

export interface StabilityComparison {
  readonly verdict: Verdict;
  /** One sentence for the headline. */
  readonly summary: string;
  readonly cells: CellReport[];
  readonly signatures: SignatureEntry[];
  /** The signatures grouped one finding per cause. */
  readonly causes: CauseEntry[];
  readonly behaviourChanges: BehaviourChange[];
  /** Threads and masks per process, and what changed between base and head. */
  readonly threads: ThreadsReport;
  readonly totals: {
    readonly iterations: { readonly base: number; readonly head: number };
    readonly failures: { readonly base: number; readonly head: number };
  };
}

/** Orders a verdict list: the whole comparison is as bad as its worst cell. */
export function combineVerdicts(verdicts: readonly Verdict[]): Verdict {
  if (verdicts.includes('regression')) return 'regression';
  if (verdicts.includes('improvement')) return 'improvement';
  if (verdicts.length > 0 && verdicts.every((v) => v === 'neutral')) return 'neutral';
  return 'inconclusive';
}

/**
 * The stability comparison of every cell: rates with intervals, one-sided Fisher tests with Holm
 * over the cells, the sequential decisions, signature buckets and behaviour changes, and the verdict.
 */
export function compareStability(cells: readonly CellInput[], thresholds: Thresholds): StabilityComparison {
  const t = thresholds.stability;
  const signatures = bucketSignatures(cells, thresholds.findings);
  const causes = groupCauses(cells, signatures);
  const tests = cells.map((c) => fisherOneSided(judgedCount(c.base), judgedCount(c.head)));
  const worseAdjusted = holmAdjust(tests.map((p) => p.worse));
  const betterAdjusted = holmAdjust(tests.map((p) => p.better));
  // Each end of the difference is a one-sided bound at t.confidence: a two-sided interval at 2c − 1.
  const differenceConfidence = 2 * t.confidence - 1;
  const reports = cells.map((cell, i): CellReport => {
    const settings = sequentialSettings(thresholds, cell.variant, cells.length, cell.cap);
    const difference = newcombeDifference(
      judgedCount(cell.base),
      judgedCount(cell.head),
      differenceConfidence,
    );
    const facts = {
      workload: cell.workload,
      variant: cell.variant,
      side: cell.side,
      base: sideStats(cell.base, t.confidence),
      head: sideStats(cell.head, t.confidence),
      difference: difference && { ...difference, confidence: t.confidence },
      tolerance: settings.tolerance,
      pValues: {
        worse: tests[i]?.worse ?? 1,
        better: tests[i]?.better ?? 1,
        worseAdjusted: worseAdjusted[i] ?? 1,
        betterAdjusted: betterAdjusted[i] ?? 1,
      },
      sequential: cell.batches ? decideCell(cell.batches, settings) : null,
      ...(cell.base.byThread && cell.head.byThread
        ? { byReceivingThread: { base: cell.base.byThread, head: cell.head.byThread } }
        : {}),
      findings: causes.filter(
        (s) =>
          s.finding && s.workload === cell.workload && s.variant === cell.variant && s.side === cell.side,
      ).length,
    };
    return { ...facts, ...cellVerdict(facts, t) };
  });
  const sum = (pick: (c: CellReport) => number) => reports.reduce((a, c) => a + pick(c), 0);
  const threads = compareThreads(cells, thresholds.findings);
  const masks = threadsVerdict(threads);
  const verdict = combineVerdicts([...reports.map((c) => c.verdict), ...(masks ? [masks.verdict] : [])]);
  const rated = summariseStability(verdict, reports, causes);
  // The mask change is said first: it explains the rates, and it holds from the first iteration.
  const summary = masks?.verdict === verdict ? `${masks.because}${rated ? `; ${rated}` : ''}` : rated;
  return {
    verdict,
    summary,
    threads,
    cells: reports,
    signatures,
    causes,
    behaviourChanges: behaviourChanges(cells),
    totals: {
      iterations: { base: sum((c) => c.base.iterations), head: sum((c) => c.head.iterations) },
      failures: { base: sum((c) => c.base.failures), head: sum((c) => c.head.failures) },
    },
  };
}
