import { advanceBound } from '../../compare/neutral/bound-state.js';
import type { NeutralDesign } from '../../compare/neutral/design.js';
import { addToPool, openPool } from '../../compare/neutral/pooled-bound.js';
import { countBatch } from '../../compare/sequential/count-batch.js';
import { advance, type BatchPair } from '../../compare/sequential/decide-cell.js';
import type { OpenedFinding } from '../../compare/threads/census-findings.js';
import type { BuildResult } from '../../compile/build-variant.js';
import type { VariantName } from '../../compile/variants.js';
import type { Thresholds } from '../../config/thresholds.schema.js';
import type { SandboxMode } from '../../sandbox/sandbox.schema.js';
import type { LanePool } from '../../storm/lanes.js';
import type { IterationRecord } from '../../storm/record.js';
import { leanAbove, nextCell } from './allocate.js';
import { batchToLook } from './batch-to-look.js';
import {
  type BatchSlice,
  type CellPlan,
  type CellRun,
  type CellStop,
  cellProgress,
  openCellRun,
  sliceSize,
} from './cell-run.js';
import { aimedBy, evidenceShown, findingEvidenceMin, needsFineTest, openedSoFar } from './finding-stop.js';
import { type LookPlan, lookPlanAnnouncer } from './look-budget.js';
import { cellSettled, neutralSettled, type SettlingCell } from './neutral-settled.js';
import { runBatch } from './run-batch.js';

export interface StormCellsOptions {
  readonly cells: readonly CellPlan[];
  readonly builds: {
    readonly base: Partial<Record<VariantName, BuildResult>>;
    readonly head: Partial<Record<VariantName, BuildResult>>;
  };
  readonly pool: LanePool;
  readonly seed: number;
  readonly thresholds: Thresholds;
  /** Iteration cap per cell and side overriding the thresholds' per-variant caps. */
  readonly cap?: number;
  readonly batchSize: number;
  /**
   * A shard's batches per cell (by cell index): each cell runs those batches in order until its own
   * sequential test stops or they are done, with `batchSize` as is (not rounded to the lanes), so
   * that batch k has the same iterations on any machine. Absent: every cell runs from batch 0 until
   * its sequential test stops.
   */
  readonly slices?: readonly BatchSlice[];
  /** What a neutral verdict must show (the profile's): decides when quiet cells have had enough. */
  readonly neutral?: NeutralDesign;
  readonly budgetMs: number;
  readonly failFast: boolean;
  /**
   * With fail fast, also stop once the signal-mask finding has settled the verdict and a cell has its
   * variant's evidence (./finding-stop.ts). Default true; false: only a cell's rates
   * end the storms (the rule off, for the bench's "before").
   */
  readonly stopOnFinding?: boolean;
  readonly outDir: string;
  readonly signal?: AbortSignal;
  /** Where the binaries run. */
  readonly sandbox: SandboxMode;
  readonly onBatch?: (event: { cell: CellRun; iterationsDone: number; cellsDone: number }) => void;
  readonly onRecord?: (record: IterationRecord, side: 'base' | 'head') => void;
  /** The cells' looks planned against the budget (pooled design): whether all can be reached. */
  readonly onPlan?: (line: string, plan: LookPlan) => void;
}

/** Iterations per side in one batch: the profile's, rounded up to a multiple of the lanes. */
export function batchIterations(lanes: number, batchSize: number): number {
  return Math.max(lanes, Math.ceil(batchSize / lanes) * lanes);
}

/**
 * Storms every cell on base and head in interleaved batches on the same lanes, feeds each batch pair
 * to the cell's sequential test, and gives the next batch to the cell the allocator picks until every
 * cell has stopped, the budget is spent, or (fail fast) the verdict is a settled regression: one
 * cell's rates settled it, or the signal-mask finding did and a cell shows the failure its variant
 * is for.
 */
export async function stormCells(options: StormCellsOptions): Promise<CellRun[]> {
  const started = performance.now();
  const lanes = options.pool.lanes.length;
  // A shard's batches have the plan's size on any machine; a whole run rounds them to the lanes.
  const batch = options.slices ? options.batchSize : batchIterations(lanes, options.batchSize);
  // 1. Open every cell: results files, seed, sequential settings.
  const runs: CellRun[] = [];
  for (const plan of options.cells) {
    runs.push(
      await openCellRun(plan, {
        seed: options.seed,
        thresholds: options.thresholds,
        cells: options.cells.length,
        ...(options.cap === undefined ? {} : { cap: options.cap }),
        outDir: options.outDir,
        ...(options.slices?.[plan.index] ? { slice: options.slices[plan.index] } : {}),
      }),
    );
  }
  let iterationsDone = 0;
  let batchesRun = 0;
  // A shard runs its planned batches, each of the plan's size, and stops a cell on its own sequential
  // test (the merge decides: ../shards/merge-cells.ts): the pooled design's shares and early stop
  // need the whole run (docs/statistics.md).
  const design = options.slices ? 'per-cell' : (options.neutral ?? 'per-cell');
  let pool = openPool(
    runs.map((r) => r.plan),
    options.thresholds.stability,
  );
  // The census findings the cells so far open (SIGPIPE no longer ignored, more handler threads):
  // the cells that aim at one go first, and one not settled by itself needs its cells' fine tests.
  let opened: OpenedFinding[] = [];
  // The cells' looks planned against the budget, said at the start and once the rates are measured.
  const announceLooks = lookPlanAnnouncer(options.onPlan);
  const stopAll = (why: CellStop): void => {
    for (const run of runs) if (run.stop === null) run.stop = why;
  };

  for (;;) {
    // 2. Stop on cancel or budget; else the allocator picks the next cell (none left: done).
    if (options.signal?.aborted) {
      stopAll('cancelled');
      break;
    }
    if (performance.now() - started >= options.budgetMs) {
      stopAll('budget');
      break;
    }
    if (
      design === 'pooled' &&
      neutralSettled(
        runs.map((r) => settlingOf(r, opened)),
        pool.bound,
        options.thresholds.stability,
      )
    ) {
      // Every cell has its coarse bound and the pool its fine one: more iterations add nothing.
      for (const r of runs) if (r.stop === null) r.stop = 'decision';
      break;
    }
    const steered = (r: CellRun) => aimedBy(r, opened).length > 0;
    const progress = cellProgress(runs, design, steered, (r) => needsFineTest(r, opened));
    const budgetLeftMs = options.budgetMs - (performance.now() - started);
    announceLooks(progress, budgetLeftMs);
    const pick = nextCell(progress, {
      leanAbove: leanAbove(options.thresholds.stability, design),
      budgetLeftMs,
    });
    if (!pick) break;
    const run = runs[pick.index];
    if (!run) throw new Error(`allocator picked unknown cell ${pick.index}`);

    // 3. Run its next batch on both sides.
    const cellStarted = performance.now();
    const done = Math.min(run.base.length, run.head.length);
    // A whole run's first batch of a cell is small: a finding seen in the first census stops the
    // storms after a few iterations per side once a cell shows its failure (./finding-stop.ts).
    const first =
      !options.slices && run.batches.length === 0
        ? Math.min(batch, batchIterations(lanes, findingEvidenceMin))
        : batch;
    const size = design === 'pooled' ? batchToLook(run.coarse, done, first, lanes) : first;
    const got = await runBatch(run, size, {
      builds: options.builds,
      pool: options.pool,
      ...(options.signal ? { signal: options.signal } : {}),
      sandbox: options.sandbox,
      onRecord: (record, side, ran) => {
        if (ran) iterationsDone++;
        options.onRecord?.(record, side);
      },
    });
    run.base.push(...got.base);
    run.head.push(...got.head);
    opened = openedSoFar(runs, options.thresholds.findings);
    run.elapsedMs += performance.now() - cellStarted;
    if (got.interrupted) {
      // A half-run batch would bias the sequential test; its records are kept in the files and the report.
      stopAll('cancelled');
      break;
    }

    // 4. Feed the batch pair to the cell's sequential test.
    if (recordBatch(run, got, options.thresholds, batchesRun++)) run.stop = 'decision';
    else if (run.slice && run.batches.length >= sliceSize(run.slice)) run.stop = 'slice';
    pool = addToPool(pool, run.batches[run.batches.length - 1] as BatchPair);
    const cellsDone = runs.filter((r) =>
      cellSettled(settlingOf(r, opened), options.thresholds.stability, design),
    ).length;
    options.onBatch?.({ cell: run, iterationsDone, cellsDone });
    // Fail fast once the verdict is a settled regression: by this cell's rates, or by the mask
    // finding once a cell has its variant's evidence (not in a shard: the finding is the whole
    // run's, which the merge settles). The finding is decided on the cells as they stand, as the comparison reads them.
    const byFinding = () =>
      options.stopOnFinding !== false &&
      !options.slices &&
      opened.some((f) => f.byItself) &&
      runs.some((r) => evidenceShown(r, options.thresholds));
    if (options.failFast && (run.state.decision.reason === 'regression' || byFinding())) {
      stopAll('fail-fast');
      break;
    }
  }
  return runs;
}

const settlingOf = (r: CellRun, opened: readonly OpenedFinding[]): SettlingCell => ({
  decision: r.state.decision,
  coarse: r.coarse,
  stopped: r.stop !== null,
  needsFine: needsFineTest(r, opened),
});

/** Advances the cell's sequential test and coarse bound by one batch pair; true when the test has stopped. */
function recordBatch(
  run: CellRun,
  got: { readonly base: readonly IterationRecord[]; readonly head: readonly IterationRecord[] },
  thresholds: Thresholds,
  at: number,
): boolean {
  const noisy = thresholds.findings.noisyFamilies;
  const pair: BatchPair = { base: countBatch(got.base, noisy), head: countBatch(got.head, noisy), at };
  run.batches.push(pair);
  run.state = advance(run.state, pair, run.settings);
  const d = run.state.decision;
  run.coarse = advanceBound(run.coarse, {
    base: { n: d.iterations.base, failures: d.failures.base },
    head: { n: d.iterations.head, failures: d.failures.head },
  });
  return d.state === 'stop';
}
