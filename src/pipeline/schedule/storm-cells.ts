import { advanceBound, nextLookAt } from '../../compare/neutral/bound-state.js';
import type { NeutralDesign } from '../../compare/neutral/design.js';
import { addToPool, openPool, type Pool } from '../../compare/neutral/pooled-bound.js';
import { countBatch } from '../../compare/sequential/count-batch.js';
import { advance, type BatchPair } from '../../compare/sequential/decide-cell.js';
import type { OpenedFinding } from '../../compare/threads/census-findings.js';
import type { BuildResult } from '../../compile/build-variant.js';
import type { VariantName } from '../../compile/variants.js';
import type { Thresholds } from '../../config/thresholds.schema.js';
import type { SandboxMode } from '../../sandbox/sandbox.schema.js';
import type { LanePool } from '../../storm/lanes.js';
import type { IterationRecord } from '../../storm/record.js';
import { type CellProgress, leanAbove, leaning, nextCell } from './allocate.js';
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
import {
  batchInBudget,
  type LookCell,
  type LookPlan,
  lookPlanAnnouncer,
  type PoolAhead,
  planLooks,
  stormExpectedMs,
} from './look-budget.js';
import { cellSettled, neutralSettled, type SettlingCell } from './neutral-settled.js';
import { runBatch } from './run-batch.js';
import { asWarmed, baseSpentMs, coldWarmDue } from './warm-due.js';

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
   * A shard's batch range per cell (by cell index): each cell runs exactly that range, with
   * `batchSize` as is (not rounded to the lanes), so that batch k has the same iterations on any
   * machine. Absent: every cell runs from batch 0 until its sequential test stops.
   */
  readonly slices?: readonly BatchSlice[];
  /** What a neutral verdict must show (the profile's): decides when quiet cells have had enough. */
  readonly neutral?: NeutralDesign;
  /** Storm time, ms: the storms' part of the validation's budget (./validation-budget.ts). */
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
  readonly onBatch?: (event: {
    cell: CellRun;
    /** Every cell as it stands (what the evidence pass will read once the gate is decided). */
    runs: readonly CellRun[];
    iterationsDone: number;
    cellsDone: number;
    /** Storm time the look plan expects from now, ms (./look-budget.ts stormExpectedMs). */
    stormExpectedMs: number;
    /** Fail fast: this batch settled a regression, the storms end now and the gate is decided. */
    gateDecided: boolean;
  }) => void;
  readonly onRecord?: (record: IterationRecord, side: 'base' | 'head') => void;
  /** The cells' looks planned against the budget (pooled design): whether all can be reached. */
  readonly onPlan?: (line: string, plan: LookPlan) => void;
  /**
   * Called between two batches (no storm runs then), with the storm time spent and the time the
   * look plan expects from now, ms: throughput's reserve made as the storms go (../validate.ts).
   * Its time does not count against the storms' budget.
   */
  readonly between?: (o: { readonly spentMs: number; readonly expectedLeftMs: number }) => Promise<void>;
  /**
   * A cold base under fail fast: once every cell has had its first batch and nothing in them is
   * about to stop the run (./warm-due.ts), `run` warms the base's shares (`share` iterations per
   * cell) into the base-results cache. Its time does not count against the storms' budget, and until
   * it runs the look plan prices base iterations below `share` as cached (they will be, off the
   * budget's clock); after it the plan is said again. The first batches' base time comes off the
   * clock too (./warm-due.ts baseSpentMs).
   */
  readonly warmUp?: {
    readonly share: number;
    /** `baseSpentMs`: the first batches' base time, taken off the budget's clock with the warm-up's. */
    readonly run: (o: { readonly baseSpentMs: number }) => Promise<void>;
  };
}

/** Iterations per side in one batch: the profile's, rounded up to a multiple of the lanes. */
export function batchIterations(lanes: number, batchSize: number): number {
  return Math.max(lanes, Math.ceil(batchSize / lanes) * lanes);
}

/**
 * Storms every cell on base and head in interleaved batches on the same lanes, feeds each batch pair
 * to the cell's sequential test, and gives the next batch to the cell the allocator picks until every
 * cell has stopped, the budget is spent (or cannot pay a batch that buys a statement), or (fail
 * fast) the verdict is a settled regression: one cell's rates settled it, or the signal-mask finding
 * did and a cell shows the failure its variant is for.
 */
export async function stormCells(options: StormCellsOptions): Promise<CellRun[]> {
  const storm = await openStorm(options);
  const { runs } = storm;
  for (;;) {
    // 1. Stop on cancel, budget or a settled pooled statement.
    const stop = stopBeforeBatch(storm);
    if (stop) {
      for (const r of runs) if (r.stop === null) r.stop = stop;
      break;
    }
    // 2. A cold base under fail fast is warmed once the first batches have shown nothing that stops the run.
    if (storm.warmPending && coldWarmDue(progressOf(storm), warmDueInput(storm))) {
      const paused = performance.now();
      storm.warmPending = false;
      // The first batches' base time comes off the clock as well: head's looks get a warm base's budget.
      const credit = baseSpentMs(stormSpent(storm), runs);
      await options.warmUp?.run({ baseSpentMs: credit });
      storm.pausedMs += performance.now() - paused + credit;
      storm.announceLooks = lookPlanAnnouncer(options.onPlan);
      if (options.signal?.aborted) {
        stopAll(runs, 'cancelled');
        break;
      }
    }
    // 3. The allocator picks the next cell, and the batch is sized to the look and the budget.
    const next = pickBatch(storm);
    if (next === 'none') break;
    if (next === 'budget') {
      stopAll(runs, 'budget');
      break;
    }
    // 4. Run it on both sides and feed the pair to the cell's sequential test.
    const interrupted = await runPickedBatch(storm, next.run, next.size);
    if (interrupted) {
      // A half-run batch would bias the sequential test; its records are kept in the files and the report.
      stopAll(runs, 'cancelled');
      break;
    }
    // 5. Fail fast once the verdict is a settled regression.
    if (failFastReached(storm, next.run)) {
      stopAll(runs, 'fail-fast');
      break;
    }
    // 6. Between batches: what the caller runs while the storms need time (throughput's reserve).
    if (options.between) {
      const paused = performance.now();
      await options.between({ spentMs: stormSpent(storm), expectedLeftMs: storm.expectedMs });
      storm.pausedMs += performance.now() - paused;
    }
  }
  return runs;
}

/** The storm's state between batches. */
interface Storm {
  readonly options: StormCellsOptions;
  readonly runs: CellRun[];
  readonly started: number;
  readonly lanes: number;
  /** Iterations per side of a full batch. */
  readonly batch: number;
  readonly design: NeutralDesign;
  pool: Pool;
  /**
   * The census findings the cells so far open (SIGPIPE no longer ignored, more handler threads):
   * the cells that aim at one go first, and one not settled by itself needs its cells' fine tests.
   */
  opened: OpenedFinding[];
  iterationsDone: number;
  batchesRun: number;
  /** Time spent between batches (options.between), not the storms'. */
  pausedMs: number;
  /** Storm time the look plan expected after the last batch, ms. */
  expectedMs: number;
  /** A cold base's warm-up (options.warmUp) has not run yet. */
  warmPending: boolean;
  announceLooks: (cells: readonly LookCell[], budgetLeftMs: number, pool?: PoolAhead) => void;
}

/** Opens every cell (results files, seed, sequential settings) and the pool of their bounds. */
async function openStorm(options: StormCellsOptions): Promise<Storm> {
  const lanes = options.pool.lanes.length;
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
  return {
    options,
    runs,
    started: performance.now(),
    lanes,
    // A shard's batches have the plan's size on any machine; a whole run rounds them to the lanes.
    batch: options.slices ? options.batchSize : batchIterations(lanes, options.batchSize),
    // A shard runs its planned batches, each of the plan's size, and stops a cell on its own
    // sequential test (the merge decides: ../shards/merge-cells.ts): the pooled design's shares and
    // early stop need the whole run (docs/statistics.md).
    design: options.slices ? 'per-cell' : (options.neutral ?? 'per-cell'),
    pool: openPool(
      runs.map((r) => r.plan),
      options.thresholds.stability,
    ),
    opened: [],
    iterationsDone: 0,
    batchesRun: 0,
    pausedMs: 0,
    expectedMs: options.budgetMs,
    warmPending: options.warmUp !== undefined && !options.slices,
    // The cells' looks planned against the budget, said at the start and once the rates are measured.
    announceLooks: lookPlanAnnouncer(options.onPlan),
  };
}

const stopAll = (runs: readonly CellRun[], why: CellStop): void => {
  for (const run of runs) if (run.stop === null) run.stop = why;
};

const stormSpent = (storm: Storm): number => performance.now() - storm.started - storm.pausedMs;
const budgetLeft = (storm: Storm): number => storm.options.budgetMs - stormSpent(storm);

/** Why no batch may start now: cancelled, the budget spent, or (pooled) nothing more to show. */
function stopBeforeBatch(storm: Storm): CellStop | null {
  if (storm.options.signal?.aborted) return 'cancelled';
  if (budgetLeft(storm) <= 0) return 'budget';
  if (
    storm.design === 'pooled' &&
    neutralSettled(
      storm.runs.map((r) => settlingOf(r, storm.opened)),
      storm.pool.bound,
      storm.options.thresholds.stability,
    )
  ) {
    // Every cell has its coarse bound and the pool its fine one: more iterations add nothing.
    return 'decision';
  }
  return null;
}

/** What the look plan reads of the pool now (pooled design; a shard has none). */
const poolAhead = (storm: Storm): PoolAhead | undefined =>
  storm.design === 'pooled'
    ? { done: Math.min(storm.pool.base.n, storm.pool.head.n), nextAt: nextLookAt(storm.pool.bound) }
    : undefined;

/**
 * What the allocator and the look plan read of the cells now; while a cold base's warm-up is
 * pending, its shares priced as cached (./warm-due.ts asWarmed).
 */
function progressOf(storm: Storm): CellProgress[] {
  const progress = cellProgress(
    storm.runs,
    storm.design,
    (r) => aimedBy(r, storm.opened).length > 0,
    (r) => needsFineTest(r, storm.opened),
  );
  const share = storm.options.warmUp?.share;
  if (!storm.warmPending || share === undefined) return progress;
  return progress.map((c, i) => asWarmed(c, storm.runs[i]?.base.length ?? 0, share));
}

/** What decides whether a cold base's warm-up is due: the lean rule, and a finding waiting for evidence. */
const warmDueInput = (storm: Storm) => ({
  leanAbove: leanAbove(storm.options.thresholds.stability, storm.design),
  findingPending:
    storm.options.failFast && storm.options.stopOnFinding !== false && storm.opened.some((f) => f.byItself),
});

/**
 * The next cell and its batch size: the allocator's pick (./allocate.ts), its batch cut at its next
 * look, and (a whole run) planned within the budget left (./look-budget.ts batchInBudget);
 * 'budget' when the budget left cannot pay a batch that buys a statement, 'none' when every cell
 * has stopped.
 */
function pickBatch(storm: Storm): { run: CellRun; size: number } | 'none' | 'budget' {
  const { options, lanes } = storm;
  const progress = progressOf(storm);
  const left = budgetLeft(storm);
  storm.announceLooks(progress, left, poolAhead(storm));
  const above = leanAbove(options.thresholds.stability, storm.design);
  const pick = nextCell(progress, { leanAbove: above, budgetLeftMs: left });
  if (!pick) return 'none';
  const run = storm.runs[pick.index];
  if (!run) throw new Error(`allocator picked unknown cell ${pick.index}`);
  // A whole run's first batch of a cell is small: a finding seen in the first census stops the
  // storms after a few iterations per side once a cell shows its failure (./finding-stop.ts).
  const first =
    !options.slices && run.batches.length === 0
      ? Math.min(storm.batch, batchIterations(lanes, findingEvidenceMin))
      : storm.batch;
  const done = Math.min(run.base.length, run.head.length);
  const size = storm.design === 'pooled' ? batchToLook(run.coarse, done, first, lanes) : first;
  // A shard runs its planned batches whole: batch k has the same iterations on any machine.
  if (options.slices) return { run, size };
  const sized = batchInBudget(pick, {
    size,
    lanes,
    budgetLeftMs: left,
    leaning: leaning(pick.decision, above),
  });
  return sized > 0 ? { run, size: sized } : 'budget';
}

/**
 * Runs the cell's batch on both sides, feeds the pair to its sequential test and the pool, and
 * reports it; true when it was cancelled part-way.
 */
async function runPickedBatch(storm: Storm, run: CellRun, size: number): Promise<boolean> {
  const { options } = storm;
  const cellStarted = performance.now();
  const got = await runBatch(run, size, {
    builds: options.builds,
    pool: options.pool,
    ...(options.signal ? { signal: options.signal } : {}),
    sandbox: options.sandbox,
    onRecord: (record, side, ran) => {
      if (ran) storm.iterationsDone++;
      options.onRecord?.(record, side);
    },
  });
  run.base.push(...got.base);
  run.head.push(...got.head);
  storm.opened = openedSoFar(storm.runs, options.thresholds.findings);
  run.elapsedMs += performance.now() - cellStarted;
  if (got.interrupted) return true;
  if (recordBatch(run, got, options.thresholds, storm.batchesRun++)) run.stop = 'decision';
  else if (run.slice && run.batches.length >= sliceSize(run.slice)) run.stop = 'slice';
  storm.pool = addToPool(storm.pool, run.batches[run.batches.length - 1] as BatchPair);
  const cellsDone = storm.runs.filter((r) =>
    cellSettled(settlingOf(r, storm.opened), options.thresholds.stability, storm.design),
  ).length;
  const plan = planLooks(progressOf(storm), budgetLeft(storm), poolAhead(storm));
  const gateDecided = failFastReached(storm, run);
  storm.expectedMs = stormExpectedMs(plan);
  options.onBatch?.({
    cell: run,
    runs: storm.runs,
    iterationsDone: storm.iterationsDone,
    cellsDone,
    // A settled regression ends the storms after this batch (fail fast).
    stormExpectedMs: gateDecided ? 0 : storm.expectedMs,
    gateDecided,
  });
  return false;
}

/**
 * Fail fast: the verdict is a settled regression, by this cell's rates, or by the mask finding once
 * a cell has its variant's evidence (never in a shard: it runs its slice, the merge decides). The
 * finding is decided on the cells as they stand, as the comparison reads them.
 */
function failFastReached(storm: Storm, run: CellRun): boolean {
  const { options } = storm;
  if (!options.failFast) return false;
  if (run.state.decision.reason === 'regression') return true;
  return (
    options.stopOnFinding !== false &&
    !options.slices &&
    storm.opened.some((f) => f.byItself) &&
    storm.runs.some((r) => evidenceShown(r, options.thresholds))
  );
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
