import { join } from 'node:path';
import type { BuildResult } from '../build/build-variant.js';
import type { VariantName } from '../build/variants.js';
import { countBatch } from '../compare/adapters.js';
import {
  advance,
  type BatchPair,
  initialState,
  type SequentialState,
} from '../compare/sequential/decide-cell.js';
import { type SequentialSettings, sequentialSettings } from '../compare/sequential/settings.js';
import type { Thresholds } from '../config/thresholds.schema.js';
import type { SandboxMode } from '../sandbox/sandbox.schema.js';
import { appendRecord, startResultsFile } from '../storm/jsonl.js';
import type { LanePool } from '../storm/lanes.js';
import type { IterationRecord } from '../storm/record.js';
import { runIterations } from '../storm/run-iterations.js';
import type { StormWorkload } from '../workload/schema.js';
import { type CellProgress, nextCell } from './allocate.js';
import type { BaseCache } from './base-cache.js';

/** One cell to storm: a workload in one build variant. */
export interface CellPlan {
  readonly index: number;
  readonly workload: StormWorkload;
  /** How repro commands name the workload (a bundled name or a file path). */
  readonly workloadRef: string;
  readonly variant: VariantName;
  readonly baseCache: BaseCache;
}

export type CellStop = 'decision' | 'budget' | 'fail-fast' | 'cancelled';

export interface CellRun {
  readonly plan: CellPlan;
  readonly seed: number;
  readonly batches: BatchPair[];
  readonly base: IterationRecord[];
  readonly head: IterationRecord[];
  readonly settings: SequentialSettings;
  state: SequentialState;
  /** Why the cell stopped taking batches; null while open. */
  stop: CellStop | null;
  elapsedMs: number;
  /** Base iterations taken from the base-results cache instead of being run. */
  reusedBase: number;
  readonly files: { readonly base: string; readonly head: string };
}

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
  readonly budgetMs: number;
  readonly failFast: boolean;
  readonly outDir: string;
  readonly signal?: AbortSignal;
  /** Where the binaries run; absent: runIterations' default (a sandbox). */
  readonly sandbox?: SandboxMode;
  readonly onBatch?: (event: { cell: CellRun; iterationsDone: number; cellsDone: number }) => void;
  readonly onRecord?: (record: IterationRecord, side: 'base' | 'head') => void;
}

/** Each workload gets its own stream of random choices, the same for base and head. */
function cellSeed(seed: number, workload: string): number {
  let h = 0x811c9dc5;
  for (const ch of workload) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193);
  return ((seed ^ h) >>> 0) % 0x7fffffff;
}

/**
 * Storms every cell on base and head in interleaved batches on the same lanes (ABBA from batch to
 * batch, so drift of the machine hits both sides alike), feeds each batch pair to the cell's
 * sequential test, and gives the next batch to the cell the allocator picks until every cell has
 * stopped, the budget is spent, or (fail fast) one cell has settled as a regression.
 */
export async function stormCells(options: StormCellsOptions): Promise<CellRun[]> {
  const started = performance.now();
  const noisy = options.thresholds.findings.noisyFamilies;
  const lanes = options.pool.lanes.length;
  const batch = Math.max(lanes, Math.ceil(options.batchSize / lanes) * lanes);
  const runs: CellRun[] = [];
  for (const plan of options.cells) {
    const name = `${plan.workload.name}.${plan.variant}`;
    const files = {
      base: join(options.outDir, 'iterations', `${name}.base.jsonl`),
      head: join(options.outDir, 'iterations', `${name}.head.jsonl`),
    };
    await startResultsFile(files.base);
    await startResultsFile(files.head);
    const settings = sequentialSettings(options.thresholds, plan.variant, options.cells.length, options.cap);
    runs.push({
      plan,
      seed: cellSeed(options.seed, plan.workload.name),
      batches: [],
      base: [],
      head: [],
      settings,
      state: initialState(settings),
      stop: null,
      elapsedMs: 0,
      reusedBase: 0,
      files,
    });
  }
  let iterationsDone = 0;
  const progress = (): CellProgress[] =>
    runs.map((run) => ({
      index: run.plan.index,
      variant: run.plan.variant,
      decision: run.stop === null ? run.state.decision : { ...run.state.decision, state: 'stop' },
      meanIterationMs:
        run.base.length + run.head.length > 0 ? run.elapsedMs / (run.base.length + run.head.length) : null,
    }));
  const stopAll = (why: CellStop): void => {
    for (const run of runs) if (run.stop === null) run.stop = why;
  };

  for (;;) {
    if (options.signal?.aborted) {
      stopAll('cancelled');
      break;
    }
    if (performance.now() - started >= options.budgetMs) {
      stopAll('budget');
      break;
    }
    const pick = nextCell(progress());
    if (!pick) break;
    const run = runs[pick.index];
    if (!run) throw new Error(`allocator picked unknown cell ${pick.index}`);
    const cellStarted = performance.now();
    const first = run.batches.length * batch;
    const indices = Array.from({ length: batch }, (_, i) => first + i);
    const order = run.batches.length % 2 === 0 ? (['base', 'head'] as const) : (['head', 'base'] as const);
    const got: Record<'base' | 'head', IterationRecord[]> = { base: [], head: [] };
    let interrupted = false;
    for (const side of order) {
      const build = options.builds[side][run.plan.variant];
      if (!build) throw new Error(`no ${run.plan.variant} build of ${side}`);
      const { cached, missing } =
        side === 'base' ? run.plan.baseCache.take(indices) : { cached: [], missing: indices };
      for (const record of cached) {
        await appendRecord(run.files.base, record);
        options.onRecord?.(record, side);
      }
      run.reusedBase += side === 'base' ? cached.length : 0;
      const result = await runIterations({
        pool: options.pool,
        binary: build.binary,
        variant: run.plan.variant,
        workload: run.plan.workload,
        workloadRef: run.plan.workloadRef,
        seed: run.seed,
        iterations: missing,
        stormId: `${run.plan.workload.name}-${run.plan.variant}-${side}`,
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.sandbox ? { sandbox: options.sandbox } : {}),
        onRecord: async (record) => {
          await appendRecord(run.files[side], record);
          iterationsDone++;
          options.onRecord?.(record, side);
        },
      });
      if (side === 'base') await run.plan.baseCache.add(result.records);
      got[side] = [...cached, ...result.records].sort((a, b) => a.iteration - b.iteration);
      interrupted ||= result.interrupted;
    }
    run.base.push(...got.base);
    run.head.push(...got.head);
    run.elapsedMs += performance.now() - cellStarted;
    if (interrupted) {
      // A half-run batch would bias the sequential test; its records are kept in the files and the report.
      stopAll('cancelled');
      break;
    }
    const pair: BatchPair = { base: countBatch(got.base, noisy), head: countBatch(got.head, noisy) };
    run.batches.push(pair);
    run.state = advance(run.state, pair, run.settings);
    if (run.state.decision.state === 'stop') run.stop = 'decision';
    const cellsDone = runs.filter((r) => r.stop !== null).length;
    options.onBatch?.({ cell: run, iterationsDone, cellsDone });
    if (options.failFast && run.state.decision.reason === 'regression') {
      stopAll('fail-fast');
      break;
    }
  }
  return runs;
}
