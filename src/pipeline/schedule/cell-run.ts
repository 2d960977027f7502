import { join } from 'node:path';
import { cellHalts } from '../../compare/comparison.schema.js';
import { type BoundState, nextLookAt } from '../../compare/neutral/bound-state.js';
import { initialCellBound } from '../../compare/neutral/cell-bound.js';
import type { NeutralDesign } from '../../compare/neutral/design.js';
import { openPool } from '../../compare/neutral/pooled-bound.js';
import type { BatchPair, SequentialState } from '../../compare/sequential/decide-cell.js';
import { initialState } from '../../compare/sequential/decide-cell.js';
import { type SequentialSettings, sequentialSettings } from '../../compare/sequential/settings.js';
import type { VariantName } from '../../compile/variants.js';
import type { Thresholds } from '../../config/thresholds.schema.js';
import { startResultsFile } from '../../storm/jsonl.js';
import type { IterationRecord } from '../../storm/record.js';
import type { StormWorkload } from '../../workload/schema.js';
import type { BaseCache } from '../base-cache.js';
import type { CellProgress } from './allocate.js';
import type { LookCell, PoolAhead } from './look-budget.js';

/** One cell to storm: a workload in one build variant. */
export interface CellPlan {
  readonly index: number;
  readonly workload: StormWorkload;
  /** How repro commands name the workload (a bundled name or a file path). */
  readonly workloadRef: string;
  readonly variant: VariantName;
  /**
   * Wall time of one iteration the workload's definition leads to expect in the variant, over the
   * lanes (./iteration-prior.ts), ms: the cell's rate until it has measured one.
   */
  readonly priorIterationMs: number;
  readonly baseCache: BaseCache;
  /** Head results kept for later runs against the same head build (bisect); absent: head always runs. */
  readonly headCache?: BaseCache;
}

/** Why a cell stopped taking batches; `slice`: a shard ran the whole batch range it was planned. */
export const cellStops = ['decision', ...cellHalts, 'slice'] as const;
export type CellStop = (typeof cellStops)[number];

/**
 * The batches of a cell one shard runs, in batch numbers: first, first + step, first + 2·step, …
 * below end (see ../shards/shard-plan.ts).
 */
export interface BatchSlice {
  readonly first: number;
  readonly step: number;
  readonly end: number;
}

/** How many batches the slice holds. */
export function sliceSize(slice: BatchSlice): number {
  return slice.end > slice.first ? Math.ceil((slice.end - slice.first) / slice.step) : 0;
}

/** The slice's i-th batch (0-based), as the cell numbers it. */
export function sliceBatch(slice: BatchSlice, i: number): number {
  return slice.first + i * slice.step;
}

/** Whether the cell's batch is one of the slice's. */
export function inSlice(slice: BatchSlice, batch: number): boolean {
  return batch >= slice.first && batch < slice.end && (batch - slice.first) % slice.step === 0;
}

export interface CellRun {
  readonly plan: CellPlan;
  readonly seed: number;
  /** A shard's batches of the cell; absent: batches 0, 1, … until the sequential test stops. */
  readonly slice?: BatchSlice;
  readonly batches: BatchPair[];
  readonly base: IterationRecord[];
  readonly head: IterationRecord[];
  readonly settings: SequentialSettings;
  state: SequentialState;
  /** The cell's coarse bound (head at most stability.cellTolerance worse), for the pooled neutral statement. */
  coarse: BoundState;
  /** Why the cell stopped taking batches; null while open. */
  stop: CellStop | null;
  elapsedMs: number;
  /** Base iterations taken from the base-results cache instead of being run. */
  reusedBase: number;
  readonly files: { readonly base: string; readonly head: string };
}

/**
 * Each workload gets its own stream of random choices, the same for base and head (the pairing is
 * deliberate: iteration i of base and of head draw the same delays). With the iteration index
 * (src/storm/prng.ts) it fixes every choice of an iteration, whichever machine or shard runs it.
 */
export function cellSeed(seed: number, workload: string): number {
  let h = 0x811c9dc5;
  for (const ch of workload) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193);
  return ((seed ^ h) >>> 0) % 0x7fffffff;
}

/** A cell ready for its first batch: empty results files, its seed and sequential settings. */
export async function openCellRun(
  plan: CellPlan,
  o: {
    readonly seed: number;
    readonly thresholds: Thresholds;
    readonly cells: number;
    readonly cap?: number;
    readonly outDir: string;
    readonly slice?: BatchSlice;
  },
): Promise<CellRun> {
  const name = `${plan.workload.name}.${plan.variant}`;
  const files = {
    base: join(o.outDir, 'iterations', `${name}.base.jsonl`),
    head: join(o.outDir, 'iterations', `${name}.head.jsonl`),
  };
  await startResultsFile(files.base);
  await startResultsFile(files.head);
  const settings = sequentialSettings(o.thresholds, plan.variant, o.cells, o.cap);
  return {
    plan,
    seed: cellSeed(o.seed, plan.workload.name),
    ...(o.slice ? { slice: o.slice } : {}),
    batches: [],
    base: [],
    head: [],
    settings,
    state: initialState(settings),
    coarse: initialCellBound(o.thresholds.stability),
    // A shard with no batches of this cell (more shards than batches) has nothing to run.
    stop: o.slice && sliceSize(o.slice) === 0 ? 'slice' : null,
    elapsedMs: 0,
    reusedBase: 0,
    files,
  };
}

/**
 * What the allocator reads of each cell: a stopped cell reads as stopped whatever its test says.
 * `design`: with the pooled neutral statement, a cell whose coarse bound is shown has its share.
 * `steered`: the cell aims at a census finding (SIGPIPE no longer ignored: the peer-loss cells;
 * more handler threads: the cells aiming signals at other threads), so it goes first.
 */
export function cellProgress(
  runs: readonly CellRun[],
  design: NeutralDesign = 'per-cell',
  steered: (run: CellRun) => boolean = () => false,
  /** The cell aims at a finding only its own fine test settles: its coarse bound is not its share. */
  needsFine: (run: CellRun) => boolean = () => false,
): CellProgress[] {
  return runs.map((run) => ({
    steered: steered(run),
    hasShare: design === 'pooled' && run.coarse.shown && !needsFine(run),
    index: run.plan.index,
    variant: run.plan.variant,
    decision: run.stop === null ? run.state.decision : { ...run.state.decision, state: 'stop' },
    meanIterationMs: ranRate(run),
    cachedIterationMs: run.plan.baseCache.meanIterationMs(),
    priorIterationMs: run.plan.priorIterationMs,
    ...(design === 'pooled' ? toLookOf(run) : {}),
  }));
}

/**
 * What the look plan reads of the cells and the pool before the first batch (pooled design): every
 * cell its first look away, the pool its first look, rates from the base-results cache (else the
 * workloads' priors, ./iteration-prior.ts). `warmedTo`: base iterations 0 … warmedTo − 1 of every cell a warm-up is about to
 * store (the cold-base phase prices the validation after it).
 */
export function startingLooks(
  plans: readonly CellPlan[],
  thresholds: Thresholds,
  o: { readonly cap?: number; readonly warmedTo?: number } = {},
): { cells: LookCell[]; pool: PoolAhead } {
  const first = nextLookAt(initialCellBound(thresholds.stability)) as number;
  const warmed = o.warmedTo ?? 0;
  const cells = plans.map((plan): LookCell => {
    const held = plan.baseCache.take(Array.from({ length: first }, (_, i) => i)).cached.length;
    return {
      variant: plan.variant,
      decision: initialState(sequentialSettings(thresholds, plan.variant, plans.length, o.cap)).decision,
      meanIterationMs: null,
      cachedIterationMs: plan.baseCache.meanIterationMs(),
      priorIterationMs: plan.priorIterationMs,
      toLook: first,
      baseCached: Math.max(held, Math.min(first, warmed)),
      baseCachedAhead: Math.max(plan.baseCache.heldFrom(0), warmed),
    };
  });
  return { cells, pool: { done: 0, nextAt: nextLookAt(openPool(plans, thresholds.stability).bound) } };
}

/** Mean wall time of an iteration the run ran (base iterations taken from the cache cost nothing). */
function ranRate(run: CellRun): number | null {
  const ran = run.base.length - run.reusedBase + run.head.length;
  return ran > 0 ? run.elapsedMs / ran : null;
}

/**
 * Iterations per side the cell still needs to reach the next look of its coarse bound, if it has one,
 * how many of the base iterations up to it the base-results cache holds, and how many it holds in a
 * row from the cell's count on (what the pool's further iterations find cached).
 */
function toLookOf(run: CellRun): { toLook?: number; baseCached?: number; baseCachedAhead: number } {
  const next = nextLookAt(run.coarse);
  const done = Math.min(run.base.length, run.head.length);
  const baseCachedAhead = run.plan.baseCache.heldFrom(run.base.length);
  if (next === null || next <= done) return { baseCachedAhead };
  const ahead = Array.from({ length: next - run.base.length }, (_, k) => run.base.length + k);
  return { toLook: next - done, baseCached: run.plan.baseCache.take(ahead).cached.length, baseCachedAhead };
}
