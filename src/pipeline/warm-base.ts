import { firstLookIterations, lookAt } from '../compare/neutral/looks.js';
import { countBatch } from '../compare/sequential/count-batch.js';
import { runIterations } from '../storm/run-iterations.js';
import { SigstormError } from '../util/errors.js';
import { buildTrees } from './build-trees.js';
import { cellSeed } from './cell-run.js';
import type { ValidateOptions, ValidateRequest } from './contract.js';
import { emitTo } from './emit.js';
import { planCells, seedFrom } from './plan-cells.js';
import { preflight } from './preflight.js';
import { settleRequest } from './settle-request.js';

/**
 * How far a cell whose base failed during the warm-up is warmed: to the coarse bound's look 3
 * (first · 1.5³, 105 iterations at the default 10%). A cell failing on base fails on head too
 * (persisting noise), so its bound needs later looks; a pull request then storms head only there
 * as well. Measured by simulation: a 2% cell settles by look 3 in most runs.
 */
export const noisyCellLook = 3;

export interface WarmBaseResult {
  readonly cells: number;
  /** Base iterations per cell the cache now holds at least (every pull request's share). */
  readonly share: number;
  /** Cells whose base failed in the warm-up, warmed further (to `deep` iterations). */
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
 * later validation storms head only. A cell whose base failed is warmed further (noisyCellLook).
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
  const settled = await settleRequest({ ...request, head: request.base });
  const { thresholds, variants, plan, sandbox } = settled;
  const { trees, pool } = await preflight({ ...request, head: request.base, sandbox }, { signal });
  const builds = await buildTrees({ base: trees.base, head: trees.base }, variants, emit, {
    sandbox,
    signal,
  });
  const seed = request.seed ?? seedFrom(builds.base.tree);
  const cells = await planCells({
    variants,
    storms: plan.storms,
    baseBuilds: builds.base.variants,
    pool,
    seed,
    baseCache: true,
    sandbox: sandbox.kind,
  });
  const lanes = pool.lanes.length;
  const first = firstLookIterations(thresholds.stability.cellTolerance, thresholds.stability.beta);
  // As storm-cells cuts the last batch before the share: in whole lanes; never past the request's cap.
  const capped = (n: number) =>
    Math.min(Math.ceil(n / lanes) * lanes, request.iterations ?? Number.POSITIVE_INFINITY);
  const share = capped(first);
  const deep = capped(lookAt(noisyCellLook, first));
  const noisy = thresholds.findings.noisyFamilies;
  const noisyCells: string[] = [];
  let ran = 0;
  let alreadyCached = 0;
  for (const [i, cell] of cells.entries()) {
    const build = builds.base.variants[cell.variant];
    if (!build) throw new Error(`no ${cell.variant} build of base`);
    // 1. Every cell to the share; 2. a cell whose base failed on to `deep`.
    for (const [step, upTo] of [share, deep].entries()) {
      if (signal?.aborted)
        throw new SigstormError('Base warm-up cancelled', { hint: 'Start it again: what ran is kept.' });
      const indices = Array.from({ length: upTo }, (_, k) => k);
      if (step === 1) {
        if (deep <= share) break;
        if (countBatch(cell.baseCache.take(indices.slice(0, share)).cached, noisy).failures === 0) break;
        noisyCells.push(`${cell.workload.name} (${cell.variant})`);
      }
      const { cached, missing } = cell.baseCache.take(indices);
      if (step === 0) alreadyCached += cached.length;
      emit({
        phase: 'storm',
        message: `base ${cell.workload.name} (${cell.variant}): ${missing.length} to run, ${cached.length} cached`,
        iterationsDone: ran,
        iterationsTotal: cells.length * share,
        cellsDone: i,
        cellsTotal: cells.length,
      });
      if (missing.length === 0) continue;
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
    }
  }
  return {
    cells: cells.length,
    share,
    noisyCells,
    deep,
    ran,
    alreadyCached,
    seconds: (performance.now() - started) / 1000,
  };
}
