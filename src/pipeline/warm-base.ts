import { initialCellBound } from '../compare/neutral/cell-bound.js';
import { countBatch } from '../compare/sequential/count-batch.js';
import type { BuildResult } from '../compile/build-variant.js';
import type { VariantName } from '../compile/variants.js';
import type { Thresholds } from '../config/thresholds.schema.js';
import type { SandboxMode } from '../sandbox/sandbox.schema.js';
import type { LanePool } from '../storm/lanes.js';
import { runIterations } from '../storm/run-iterations.js';
import { SigstormError } from '../util/errors.js';
import { type Emit, emitTo } from './output/emit.js';
import type { ValidateOptions, ValidateRequest } from './request/contract.js';
import { type CellPlan, cellSeed } from './schedule/cell-run.js';
import { type RunStart, startRun } from './start-run.js';

export interface WarmBaseResult {
  readonly cells: number;
  /** Base iterations per cell the cache now holds at least (every pull request's share). */
  readonly share: number;
  /** Cells of a workload whose base failed in the warm-up (in any variant), warmed to `deep` iterations. */
  readonly noisyCells: readonly string[];
  readonly deep: number;
  readonly ran: number;
  readonly alreadyCached: number;
  readonly seconds: number;
}

/**
 * The base side of every cell, stormed once for a base commit and kept in the base-results cache:
 * each cell up to the share every pull request against this base runs (the coarse bound's first
 * look, in whole lanes), with the same seed, indices and lanes a validation uses, so that a
 * later validation storms head only. Persisting noise needs the coarse bound's second look (105
 * iterations at the default 10%): every cell of a workload whose base failed in the share, in any
 * variant, is warmed to it, so that a pull request storms head only there as well.
 * The App runs this on a push to the default branch, behind pull-request jobs.
 */
export async function warmBase(
  request: ValidateRequest,
  options: ValidateOptions = {},
): Promise<WarmBaseResult> {
  const started = performance.now();
  const { signal } = options;
  const emit = emitTo(options.onProgress);
  // Head is the base itself: nothing of it is built twice (the build cache is by content).
  const { settled, pool, builds, seed, cells } = await startRun(
    request,
    { kind: 'warm-base' },
    { emit, signal },
  );
  const warmed = await warmCells(
    warmInput({ settled, pool, builds, seed, cells }, request, { emit, signal }),
  );
  return { ...warmed, cells: cells.length, seconds: (performance.now() - started) / 1000 };
}

/** What warmCells ran: the share, the cells warmed deeper, and the iterations run and found cached. */
export interface WarmedCells {
  readonly share: number;
  readonly noisyCells: readonly string[];
  readonly deep: number;
  readonly ran: number;
  readonly alreadyCached: number;
}

/** The share every pull request needs of a cell: the coarse bound's first look, in whole lanes, within the cap. */
export function warmShare(
  thresholds: Thresholds,
  lanes: number,
  cap?: number,
): { share: number; deep: number } {
  const [first, second] = initialCellBound(thresholds.stability).schedule;
  // As storm-cells cuts the last batch before a look: in whole lanes; never past the request's cap.
  const capped = (n: number) => Math.min(Math.ceil(n / lanes) * lanes, cap ?? Number.POSITIVE_INFINITY);
  return { share: capped(first?.at ?? 0), deep: capped(second?.at ?? 0) };
}

/** Base iterations of the cells' shares the base-results cache does not hold yet. */
export function coldIterations(cells: readonly CellPlan[], share: number): number {
  return cells.reduce((sum, c) => sum + c.baseCache.take(indices(share)).missing.length, 0);
}

/** The base's cells to warm and what storms them (warm-base and a validation's cold-base phase). */
export interface WarmCellsInput {
  readonly cells: readonly CellPlan[];
  readonly build: Partial<Record<VariantName, BuildResult>>;
  readonly pool: LanePool;
  readonly seed: number;
  readonly thresholds: Thresholds;
  readonly cap?: number;
  readonly sandbox: SandboxMode;
  readonly emit: Emit;
  readonly signal?: AbortSignal;
}

/** What warms a run's base cells: its plan and builds, the request's cap, the caller's progress. */
export function warmInput(
  start: RunStart,
  request: ValidateRequest,
  how: { readonly emit: Emit; readonly signal?: AbortSignal | undefined },
): WarmCellsInput {
  return {
    cells: start.cells,
    build: start.builds.base.variants,
    pool: start.pool,
    seed: start.seed,
    thresholds: start.settled.thresholds,
    ...(request.iterations === undefined ? {} : { cap: request.iterations }),
    sandbox: start.settled.sandbox,
    emit: how.emit,
    ...(how.signal ? { signal: how.signal } : {}),
  };
}

/**
 * Storms the base side of `cells` into their base-results caches: each to the share, then every
 * variant of a workload whose base failed in its share on to the second look (`deep`).
 */
export async function warmCells(o: WarmCellsInput): Promise<WarmedCells> {
  const { cells, pool, seed, thresholds, sandbox, emit, signal } = o;
  const { share, deep } = warmShare(thresholds, pool.lanes.length, o.cap);
  const noisy = thresholds.findings.noisyFamilies;
  let ran = 0;
  let alreadyCached = 0;
  let done = 0;
  const warm = async (
    cell: (typeof cells)[number],
    upTo: number,
    of: { readonly iterations: number; readonly cells: number },
  ): Promise<void> => {
    if (signal?.aborted)
      throw new SigstormError('Base warm-up cancelled', { hint: 'Start it again: what ran is kept.' });
    const build = o.build[cell.variant];
    if (!build) throw new Error(`no ${cell.variant} build of base`);
    const { cached, missing } = cell.baseCache.take(indices(upTo));
    if (upTo === share) alreadyCached += cached.length;
    emit({
      phase: 'storm',
      message: `base ${cell.workload.name} (${cell.variant}): ${missing.length} to run, ${cached.length} cached`,
      iterationsDone: ran,
      iterationsTotal: of.iterations,
      cellsDone: done,
      cellsTotal: of.cells,
    });
    if (missing.length === 0) return;
    const result = await runIterations({
      pool,
      binary: build.binary,
      variant: cell.variant,
      workload: cell.workload,
      workloadRef: cell.workloadRef,
      seed: cellSeed(seed, cell.workload.name),
      iterations: missing,
      stormId: `${cell.workload.name}-${cell.variant}-base`,
      ...(signal ? { signal } : {}),
      sandbox,
    });
    await cell.baseCache.add(result.records);
    ran += result.records.length;
  };
  // 1. Every cell to the share.
  for (const cell of cells) {
    await warm(cell, share, { iterations: cells.length * share, cells: cells.length });
    done++;
  }
  // 2. Every variant of a workload whose base failed in its share, on to `deep`.
  const deeper =
    deep > share
      ? cellsOfFailedWorkloads(
          cells,
          (c) => countBatch(c.baseCache.take(indices(share)).cached, noisy).failures > 0,
        )
      : [];
  done = 0;
  const total = ran + deeper.length * (deep - share);
  for (const cell of deeper) {
    await warm(cell, deep, { iterations: total, cells: deeper.length });
    done++;
  }
  const noisyCells = deeper.map((c) => `${c.workload.name} (${c.variant})`);
  return { share, noisyCells, deep, ran, alreadyCached };
}
/** Iteration indices 0 … n−1. */
const indices = (n: number): number[] => Array.from({ length: n }, (_, k) => k);

/**
 * The cells of every workload whose base failed in at least one cell: the noise belongs to the
 * workload's path, and a variant that happened to be clean in its share fails as well, more rarely.
 */
export function cellsOfFailedWorkloads<C extends { readonly workload: { readonly name: string } }>(
  cells: readonly C[],
  failed: (cell: C) => boolean,
): C[] {
  const names = new Set(cells.filter(failed).map((c) => c.workload.name));
  return cells.filter((c) => names.has(c.workload.name));
}
