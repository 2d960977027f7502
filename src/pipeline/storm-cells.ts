import type { BuildResult } from '../build/build-variant.js';
import type { VariantName } from '../build/variants.js';
import { countBatch } from '../compare/sequential/count-batch.js';
import { advance, type BatchPair } from '../compare/sequential/decide-cell.js';
import type { Thresholds } from '../config/thresholds.schema.js';
import type { SandboxMode } from '../sandbox/sandbox.schema.js';
import type { LanePool } from '../storm/lanes.js';
import type { IterationRecord } from '../storm/record.js';
import { nextCell } from './allocate.js';
import {
  type BatchSlice,
  type CellPlan,
  type CellRun,
  type CellStop,
  cellProgress,
  openCellRun,
} from './cell-run.js';
import { runBatch } from './run-batch.js';
import { riskyDisposition } from './steer.js';

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
  readonly budgetMs: number;
  readonly failFast: boolean;
  readonly outDir: string;
  readonly signal?: AbortSignal;
  /** Where the binaries run. */
  readonly sandbox: SandboxMode;
  readonly onBatch?: (event: { cell: CellRun; iterationsDone: number; cellsDone: number }) => void;
  readonly onRecord?: (record: IterationRecord, side: 'base' | 'head') => void;
}

/**
 * Storms every cell on base and head in interleaved batches on the same lanes, feeds each batch pair
 * to the cell's sequential test, and gives the next batch to the cell the allocator picks until every
 * cell has stopped, the budget is spent, or (fail fast) one cell has settled as a regression.
 */
export async function stormCells(options: StormCellsOptions): Promise<CellRun[]> {
  const started = performance.now();
  const lanes = options.pool.lanes.length;
  const batch = options.slices
    ? options.batchSize
    : Math.max(lanes, Math.ceil(options.batchSize / lanes) * lanes);
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
  // Set once a cell's census shows head no longer ignoring SIGPIPE: the peer-loss cells go first.
  let sigpipeRisk = false;
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
    const pick = nextCell(cellProgress(runs, sigpipeRisk));
    if (!pick) break;
    const run = runs[pick.index];
    if (!run) throw new Error(`allocator picked unknown cell ${pick.index}`);

    // 3. Run its next batch on both sides.
    const cellStarted = performance.now();
    const got = await runBatch(run, batch, {
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
    sigpipeRisk ||= riskyDisposition(run.base, run.head);
    run.elapsedMs += performance.now() - cellStarted;
    if (got.interrupted) {
      // A half-run batch would bias the sequential test; its records are kept in the files and the report.
      stopAll('cancelled');
      break;
    }

    // 4. Feed the batch pair to the cell's sequential test.
    if (recordBatch(run, got, options.thresholds.findings.noisyFamilies)) run.stop = 'decision';
    else if (run.endBatch !== undefined && run.firstBatch + run.batches.length >= run.endBatch)
      run.stop = 'slice';
    const cellsDone = runs.filter((r) => r.stop !== null).length;
    options.onBatch?.({ cell: run, iterationsDone, cellsDone });
    if (options.failFast && run.state.decision.reason === 'regression') {
      stopAll('fail-fast');
      break;
    }
  }
  return runs;
}

/** Advances the cell's sequential test by one batch pair; true when the test has stopped. */
function recordBatch(
  run: CellRun,
  got: { readonly base: readonly IterationRecord[]; readonly head: readonly IterationRecord[] },
  noisy: readonly string[],
): boolean {
  const pair: BatchPair = { base: countBatch(got.base, noisy), head: countBatch(got.head, noisy) };
  run.batches.push(pair);
  // Only a run from batch 0 sees the cell's whole sequence; a later shard leaves the test to the merge.
  if (run.firstBatch > 0) return false;
  run.state = advance(run.state, pair, run.settings);
  return run.state.decision.state === 'stop';
}
