import type { Thresholds } from '../../config/thresholds.schema.js';
import { formatPercent } from '../../util/format.js';
import type {
  BehaviourChange,
  CauseEntry,
  CellReport,
  SignatureEntry,
  StabilitySection,
  Verdict,
} from '../comparison.schema.js';
import type { CellInput } from '../input.js';
import { cellBound } from '../neutral/cell-bound.js';
import type { NeutralDesign } from '../neutral/design.js';
import { censusEvidence, neutralMeaning } from '../neutral/meaning.js';
import { pooledBound } from '../neutral/pooled-bound.js';
import { reportBound } from '../neutral/report-bound.js';
import { decideCell } from '../sequential/decide-cell.js';
import { sequentialSettings } from '../sequential/settings.js';
import { bucketSignatures } from '../signatures/bucket-signatures.js';
import { groupCauses } from '../signatures/group-causes.js';
import { fisherOneSided } from '../stats/fisher.js';
import { holmAdjust } from '../stats/holm.js';
import { newcombeDifference } from '../stats/newcombe.js';
import { openedFindings, settleFindings } from '../threads/census-findings.js';
import { compareThreads, threadsVerdict } from '../threads/compare-threads.js';
import type { ThreadsReport } from '../threads/threads.schema.js';
import { behaviourChanges } from './behaviour-changes.js';
import { cellVerdict, fineNeutral } from './cell-verdict.js';
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
  /** What neutral rests on: the design, the pooled bound and the sentence the report shows. */
  readonly neutral: NonNullable<StabilitySection['neutral']>;
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
export function compareStability(
  cells: readonly CellInput[],
  thresholds: Thresholds,
  design: NeutralDesign = 'per-cell',
): StabilityComparison {
  const t = thresholds.stability;
  const signatures = bucketSignatures(cells, thresholds.findings);
  const causes = groupCauses(cells, signatures);
  const reports = cellReports(cells, thresholds, causes, design);
  const pooled = pooledReport(cells, t);
  const threads = threadsWithFindings(cells, reports, thresholds);
  const decided = decideVerdict(reports, threads, pooled, design);
  const meaning = neutralMeaning(decided.statement, reports, pooled, t);
  return {
    verdict: decided.verdict,
    summary: summarySentence(decided, { reports, causes, threads, pooled, meaning, t }),
    threads,
    cells: reports,
    signatures,
    causes,
    behaviourChanges: behaviourChanges(cells),
    neutral: {
      design: decided.statement,
      pooled,
      cellsShown: reports.filter((c) => c.coarse?.shown).length,
      meaning,
      census: censusEvidence(threads),
    },
    totals: totalsOf(reports),
  };
}

type StabilityThresholds = Thresholds['stability'];
type Pooled = ReturnType<typeof reportBound>;
type Threads = StabilityComparison['threads'];

/** Each cell's report: its rates, difference, tests (Holm over the cells), decisions and verdict. */
function cellReports(
  cells: readonly CellInput[],
  thresholds: Thresholds,
  causes: readonly CauseEntry[],
  design: NeutralDesign,
): CellReport[] {
  const t = thresholds.stability;
  const tests = cells.map((c) => fisherOneSided(judgedCount(c.base), judgedCount(c.head)));
  const worseAdjusted = holmAdjust(tests.map((p) => p.worse));
  const betterAdjusted = holmAdjust(tests.map((p) => p.better));
  // Each end of the difference is a one-sided bound at t.confidence: a two-sided interval at 2c − 1.
  const differenceConfidence = 2 * t.confidence - 1;
  return cells.map((cell, i): CellReport => {
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
      coarse: reportBound(
        cellBound(cell.batches, { base: judgedCount(cell.base), head: judgedCount(cell.head) }, t),
      ),
      ...(cell.halted ? { halted: cell.halted } : {}),
    };
    return { ...facts, ...cellVerdict(facts, t, design) };
  });
}

/** The bound over all cells pooled (what neutral rests on when a cell is neutral by its coarse bound). */
function pooledReport(cells: readonly CellInput[], t: StabilityThresholds): Pooled {
  return reportBound(
    pooledBound(
      cells.map((c) => ({
        variant: c.variant,
        ...(c.batches ? { batches: c.batches } : {}),
        base: judgedCount(c.base),
        head: judgedCount(c.head),
      })),
      t,
    ),
  );
}

/** The threads' comparison, with the census findings settled by the cells' reports. */
function threadsWithFindings(
  cells: readonly CellInput[],
  reports: readonly CellReport[],
  thresholds: Thresholds,
): Threads {
  const compared = compareThreads(cells, thresholds.findings);
  const findings = settleFindings(
    openedFindings(compared.changes),
    reports.map((r, i) => ({
      ...r,
      aims: [...new Set([...(cells[i]?.base.aims ?? []), ...(cells[i]?.head.aims ?? [])])],
      fine: fineNeutral(r),
    })),
  );
  return { ...compared, findings };
}

interface Decided {
  readonly verdict: Verdict;
  /** What neutral means here: per cell, or over all cells pooled. */
  readonly statement: NeutralDesign;
  /** Every cell neutral, but the pool does not show the fine tolerance. */
  readonly pooledMissing: boolean;
  /** Neutral or better held back by an open census finding. */
  readonly held: boolean;
  readonly masks: ReturnType<typeof threadsVerdict>;
}

/** The verdict: the worst cell's and the masks', held back by a missing pool or an open finding. */
function decideVerdict(
  reports: readonly CellReport[],
  threads: Threads,
  pooled: Pooled,
  design: NeutralDesign,
): Decided {
  const masks = threadsVerdict(threads);
  const combined = combineVerdicts([...reports.map((c) => c.verdict), ...(masks ? [masks.verdict] : [])]);
  // The pooled statement is what neutral means when some cell is neutral by its coarse bound only
  // (not by its own fine sequential test): then the pool must show the fine tolerance too.
  const statement: NeutralDesign =
    design === 'pooled' &&
    reports.some((c) => c.verdict === 'neutral' && c.sequential?.reason !== 'equivalent')
      ? 'pooled'
      : 'per-cell';
  const pooledMissing = statement === 'pooled' && combined === 'neutral' && !pooled.shown;
  // An open census finding is never "no regression" (nor "better"): it must be settled first.
  const open = threads.findings.filter((f) => f.status === 'open');
  const held = open.length > 0 && (combined === 'neutral' || combined === 'improvement');
  const verdict = pooledMissing || held ? 'inconclusive' : combined;
  return { verdict, statement, pooledMissing, held, masks };
}

/** The headline's sentence: an open finding or the mask change first, then the rates. */
function summarySentence(
  decided: Decided,
  facts: {
    readonly reports: readonly CellReport[];
    readonly causes: readonly CauseEntry[];
    readonly threads: Threads;
    readonly pooled: Pooled;
    readonly meaning: string;
    readonly t: StabilityThresholds;
  },
): string {
  const { verdict, statement, pooledMissing, held, masks } = decided;
  const { reports, causes, threads, pooled, meaning, t } = facts;
  const rated = pooledMissing
    ? `every cell within ${formatPercent(t.cellTolerance)}, but over all cells pooled a rise of up to ${formatPercent(pooled.upper ?? 1)} cannot be ruled out (tolerance ${formatPercent(pooled.tolerance)})`
    : verdict === 'neutral' && statement === 'pooled'
      ? meaning.replace(/^neutral means: /, '')
      : summariseStability(verdict, reports, causes);
  // An open finding, then the mask change, is said first: it explains the rates, and it holds
  // from the first iteration.
  const open = threads.findings.filter((f) => f.status === 'open');
  const shown = threads.findings.filter((f) => f.status === 'shown');
  const lead = held
    ? open.map((f) => `${f.title} (${f.process}), not settled: ${f.because}`).join('; ')
    : masks?.verdict === verdict
      ? masks.because
      : verdict === 'regression' && shown.length > 0
        ? shown.map((f) => `${f.title} (${f.process}), shown in ${f.because}`).join('; ')
        : null;
  return lead ? `${lead}${rated && !held ? `; ${rated}` : ''}` : rated;
}

/** Iterations and failures over all cells, per side. */
function totalsOf(reports: readonly CellReport[]): StabilityComparison['totals'] {
  const sum = (pick: (c: CellReport) => number) => reports.reduce((a, c) => a + pick(c), 0);
  return {
    iterations: { base: sum((c) => c.base.iterations), head: sum((c) => c.head.iterations) },
    failures: { base: sum((c) => c.base.failures), head: sum((c) => c.head.failures) },
  };
}
