import { initialCellBound } from '../compare/neutral/cell-bound.js';
import { countBatch } from '../compare/sequential/count-batch.js';
import { runIterations } from '../storm/run-iterations.js';
import { SigstormError } from '../util/errors.js';
import { type Emit, emitTo } from './output/emit.js';
import type { ValidateOptions, ValidateRequest } from './request/contract.js';
import { cellSeed } from './schedule/cell-run.js';
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
  const run = await startRun(request, { kind: 'warm-base' }, { emit, signal });
  const { share, deep } = warmTargets(run, request.iterations);
  const warm = cellWarmer(run, { share, emit, signal });
  // 1. Every cell to the share.
  for (const [done, cell] of run.cells.entries()) {
    await warm(cell, share, { iterations: run.cells.length * share, cells: run.cells.length, done });
  }
  // 2. Every variant of a workload whose base failed in its share, on to `deep`.
  const noisy = run.settled.thresholds.findings.noisyFamilies;
  const deeper =
    deep > share
      ? cellsOfFailedWorkloads(
          run.cells,
          (c) => countBatch(c.baseCache.take(indices(share)).cached, noisy).failures > 0,
        )
      : [];
  const total = warm.ran() + deeper.length * (deep - share);
  for (const [done, cell] of deeper.entries()) {
    await warm(cell, deep, { iterations: total, cells: deeper.length, done });
  }
  return {
    cells: run.cells.length,
    share,
    noisyCells: deeper.map((c) => `${c.workload.name} (${c.variant})`),
    deep,
    ran: warm.ran(),
    alreadyCached: warm.alreadyCached(),
    seconds: (performance.now() - started) / 1000,
  };
}

type Cell = RunStart['cells'][number];

/**
 * How far the base is warmed: the share is the coarse bound's first look, persisting noise needs
 * its second. As storm-cells cuts the last batch before a look: in whole lanes; never past the
 * request's cap.
 */
function warmTargets(run: RunStart, cap: number | undefined): { share: number; deep: number } {
  const lanes = run.pool.lanes.length;
  const [first, second] = initialCellBound(run.settled.thresholds.stability).schedule;
  const capped = (n: number) => Math.min(Math.ceil(n / lanes) * lanes, cap ?? Number.POSITIVE_INFINITY);
  return { share: capped(first?.at ?? 0), deep: capped(second?.at ?? 0) };
}

interface CellWarmer {
  /** Storms what the base-results cache lacks of `cell`'s first `upTo` iterations, and keeps it. */
  (
    cell: Cell,
    upTo: number,
    of: { readonly iterations: number; readonly cells: number; readonly done: number },
  ): Promise<void>;
  /** Iterations stormed so far. */
  ran(): number;
  /** Iterations of the share that were cached already. */
  alreadyCached(): number;
}

function cellWarmer(
  run: RunStart,
  how: { readonly share: number; readonly emit: Emit; readonly signal?: AbortSignal | undefined },
): CellWarmer {
  const { builds, pool, seed, settled } = run;
  const { share, emit, signal } = how;
  let ran = 0;
  let alreadyCached = 0;
  const warm = async (
    cell: Cell,
    upTo: number,
    of: { readonly iterations: number; readonly cells: number; readonly done: number },
  ): Promise<void> => {
    if (signal?.aborted)
      throw new SigstormError('Base warm-up cancelled', { hint: 'Start it again: what ran is kept.' });
    const build = builds.base.variants[cell.variant];
    if (!build) throw new Error(`no ${cell.variant} build of base`);
    const { cached, missing } = cell.baseCache.take(indices(upTo));
    if (upTo === share) alreadyCached += cached.length;
    emit({
      phase: 'storm',
      message: `base ${cell.workload.name} (${cell.variant}): ${missing.length} to run, ${cached.length} cached`,
      iterationsDone: ran,
      iterationsTotal: of.iterations,
      cellsDone: of.done,
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
      sandbox: settled.sandbox,
    });
    await cell.baseCache.add(result.records);
    ran += result.records.length;
  };
  return Object.assign(warm, { ran: () => ran, alreadyCached: () => alreadyCached });
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
