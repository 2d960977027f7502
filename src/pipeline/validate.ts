import { mkdir } from 'node:fs/promises';
import { compare } from '../compare/compare.js';
import { SigstormError } from '../util/errors.js';
import { buildInfo, buildTrees } from './build-trees.js';
import { cellInputs } from './cell-inputs.js';
import type { Validate, ValidateRequest } from './contract.js';
import { emitTo } from './emit.js';
import { measureThroughput } from './measure-throughput.js';
import { planCells, seedFrom } from './plan-cells.js';
import { preflight } from './preflight.js';
import { settleRequest } from './settle-request.js';
import { stormCells } from './storm-cells.js';
import { writeReport } from './write-report.js';

export interface ValidateExtras {
  /** Reuse base results of earlier validations against the same base (default true). */
  readonly baseCache?: boolean;
}

/**
 * The validation pipeline, the same for the CLI and the GitHub App:
 * 1. settle the request (profile defaults, thresholds, workloads) and check every input (trees
 *    exported and patched, build systems, CPUs) before anything is built or written;
 * 2. build base and head in every variant (cached);
 * 3. storm every cell on base and head, interleaved, with sequential stopping;
 * 4. measure throughput of base and head, interleaved, with the machine to themselves;
 * 5. compare, write report.json and report.md.
 */
export const validate: Validate = async (request, options = {}) => runValidation(request, options);

export async function runValidation(
  request: ValidateRequest & ValidateExtras,
  options: Parameters<Validate>[1] = {},
) {
  const { signal } = options;
  const emit = emitTo(options.onProgress);

  // 1. Settle the request.
  const { profile, thresholds, variants, buildVariants, plan, throughputRuns, outDir, sandbox } =
    await settleRequest(request);
  const { trees, pool } = await preflight(
    { ...request, sandbox },
    {
      signal,
      onProgress: (message) =>
        emit({ phase: 'build', message: `checking ${message}`, iterationsDone: 0, iterationsTotal: 0 }),
    },
  );
  await mkdir(outDir, { recursive: true });

  // 2. Build base and head.
  const builds = await buildTrees(trees, buildVariants, emit, { sandbox, signal });

  // 3. Storms: every workload × variant, base and head interleaved on the same lanes.
  const seed = request.seed ?? seedFrom(builds.base.tree);
  const cells = await planCells({
    variants,
    storms: plan.storms,
    baseBuilds: builds.base.variants,
    pool,
    seed,
    baseCache: request.baseCache !== false,
    sandbox: sandbox.kind,
  });
  const iterationsTotal = cells.reduce(
    (sum, c) => sum + 2 * (request.iterations ?? thresholds.stability.maxIterationsPerSide[c.variant]),
    0,
  );
  const runs = await stormCells({
    cells,
    builds: { base: builds.base.variants, head: builds.head.variants },
    pool,
    seed,
    thresholds,
    ...(request.iterations ? { cap: request.iterations } : {}),
    batchSize: profile.batchSize,
    neutral: profile.neutral,
    budgetMs: (request.budgetSeconds ?? profile.budgetSeconds) * 1000,
    failFast: request.failFast ?? profile.failFast,
    outDir,
    ...(signal ? { signal } : {}),
    sandbox,
    onBatch: ({ cell, iterationsDone, cellsDone }) =>
      emit({
        phase: 'storm',
        message: `${cell.plan.workload.name} (${cell.plan.variant}): ${cell.state.decision.evidence}`,
        iterationsDone,
        iterationsTotal,
        cellsDone,
        cellsTotal: cells.length,
      }),
  });
  if (signal?.aborted)
    throw new SigstormError('Validation cancelled', { hint: 'Start it again to get a verdict.' });
  const storms = cellInputs(runs, thresholds, request.iterations);

  // 4. Throughput, with the machine to itself (no storm runs now).
  const throughput = await measureThroughput({
    definition: plan.throughput,
    runs: throughputRuns,
    builds: { base: builds.base.variants, head: builds.head.variants },
    ...(request.cpus ? { cpus: request.cpus } : {}),
    ...(signal ? { signal } : {}),
    sandbox,
    emit,
  });

  // 5. Compare and report.
  emit({ phase: 'report', message: 'comparing base and head', iterationsDone: 0, iterationsTotal: 0 });
  const { report, markdown } = await writeReport({
    base: buildInfo(builds.base.tree, builds.base.variants, sandbox.kind),
    head: buildInfo(builds.head.tree, builds.head.variants, sandbox.kind),
    comparison: compare(storms.cells, throughput.throughput, thresholds, profile.neutral),
    notRun: [...storms.notRun, ...throughput.notRun],
    runs,
    thresholds,
    outDir,
  });
  return { verdict: report.verdict, headline: report.headline, markdown, report, outDir };
}
