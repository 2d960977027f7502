import { compare } from '../compare/compare.js';
import { compareStability } from '../compare/stability/compare-stability.js';
import { publicSource } from '../source/public-source.js';
import { SigstormError } from '../util/errors.js';
import { makeDir } from '../util/make-dir.js';
import { buildInfo, buildTrees } from './build-trees.js';
import { measureThroughput } from './measure-throughput.js';
import { emitTo } from './output/emit.js';
import { placeCauses } from './output/place-causes.js';
import { writeReport } from './output/write-report.js';
import type { Validate, ValidateRequest } from './request/contract.js';
import { preflight } from './request/preflight.js';
import { settleRequest } from './request/settle-request.js';
import { cellInputs } from './schedule/cell-inputs.js';
import { sliceSize } from './schedule/cell-run.js';
import { planCells, seedFrom } from './schedule/plan-cells.js';
import { stormCells } from './schedule/storm-cells.js';
import { shardSlices } from './shards/shard-plan.js';
import { planShards, type ShardRequest } from './shards/shard-request.js';

export interface ValidateExtras {
  /** Reuse base results of earlier validations against the same base (default true). */
  readonly baseCache?: boolean;
  /**
   * With fail fast, stop on the signal-mask finding once a cell shows its variant's failure
   * (default true; false: only a cell's rates stop the storms, as before the rule: for benches).
   */
  readonly stopOnFinding?: boolean;
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
  const { builds, storms, throughput, runs, thresholds, outDir, sandbox, emit, sources, profile } =
    await stormAndMeasure(request, options);

  // 5. Compare and report.
  emit({ phase: 'report', message: 'comparing base and head', iterationsDone: 0, iterationsTotal: 0 });
  const { report, markdown } = await writeReport({
    base: buildInfo(builds.base.tree, builds.base.variants, sandbox.kind, sources.base),
    head: buildInfo(builds.head.tree, builds.head.variants, sandbox.kind, sources.head),
    // Findings at source lines: their top frames in the trees' own files.
    comparison: placeCauses(compare(storms.cells, throughput.throughput, thresholds, profile.neutral), {
      base: builds.base.tree.dir,
      head: builds.head.tree.dir,
    }),
    notRun: [...storms.notRun, ...throughput.notRun],
    runs,
    thresholds,
    outDir,
  });
  return { verdict: report.verdict, headline: report.headline, markdown, report, outDir };
}

/**
 * Steps 1–4 of a validation, or of one shard of it (`shard`: its planned batches of every cell, and
 * throughput only in shard 1; see ./shard-plan.ts).
 */
export async function stormAndMeasure(
  request: ValidateRequest & ValidateExtras,
  options: Parameters<Validate>[1] = {},
  shard?: ShardRequest,
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
  await makeDir(outDir);

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
  const shardPlan = shard
    ? planShards({ shard, cells, seed, trees: builds, thresholds, profile, plan, throughputRuns, request })
    : undefined;
  const slices = shardPlan && shard ? shardSlices(shardPlan, shard.index) : undefined;
  const perSide = (c: (typeof cells)[number]) => {
    const slice = slices?.[c.index];
    if (slice) return sliceSize(slice) * profile.batchSize;
    return request.iterations ?? thresholds.stability.maxIterationsPerSide[c.variant];
  };
  const iterationsTotal = cells.reduce((sum, c) => sum + 2 * perSide(c), 0);
  const stormProgress = { iterationsDone: 0, cellsDone: 0 };
  const runs = await stormCells({
    cells,
    builds: { base: builds.base.variants, head: builds.head.variants },
    pool,
    seed,
    thresholds,
    ...(request.iterations ? { cap: request.iterations } : {}),
    batchSize: profile.batchSize,
    ...(slices ? { slices } : {}),
    neutral: profile.neutral,
    budgetMs: (request.budgetSeconds ?? profile.budgetSeconds) * 1000,
    failFast: request.failFast ?? profile.failFast,
    ...(request.stopOnFinding === undefined ? {} : { stopOnFinding: request.stopOnFinding }),
    outDir,
    ...(signal ? { signal } : {}),
    sandbox,
    // Whether the budget brings every cell to its look: said at the start, and once measured.
    onPlan: (line) =>
      emit({
        phase: 'storm',
        message: `budget: ${line}`,
        notice: true,
        iterationsDone: stormProgress.iterationsDone,
        iterationsTotal,
        cellsDone: stormProgress.cellsDone,
        cellsTotal: cells.length,
      }),
    onBatch: ({ cell, iterationsDone, cellsDone }) => {
      Object.assign(stormProgress, { iterationsDone, cellsDone });
      emit({
        phase: 'storm',
        message: `${cell.plan.workload.name} (${cell.plan.variant}): ${cell.state.decision.evidence}`,
        iterationsDone,
        iterationsTotal,
        cellsDone,
        cellsTotal: cells.length,
      });
    },
  });
  if (signal?.aborted)
    throw new SigstormError('Validation cancelled', { hint: 'Start it again to get a verdict.' });
  const sources = {
    base: await publicSource(builds.base.tree, { repo: request.base.publicRepo }),
    head: await publicSource(builds.head.tree, { repo: request.head.publicRepo }),
  };
  const storms = cellInputs(runs, thresholds, request.iterations, sources);

  // 4. Throughput, with the machine to itself (no storm runs now). A settled stability regression
  // has decided the gate already: throughput gets a short budget of its own (a shard cannot know).
  const gateDecided =
    !shard && compareStability(storms.cells, thresholds, profile.neutral).verdict === 'regression';
  const throughput = await measureThroughput({
    definition: plan.throughput,
    // Only shard 1 measures throughput: it needs the machine to itself, and once is enough.
    runs: shard && shard.index > 1 ? 0 : throughputRuns,
    builds: { base: builds.base.variants, head: builds.head.variants },
    thresholds: thresholds.throughput,
    gateDecided,
    ...(request.cpus ? { cpus: request.cpus } : {}),
    ...(signal ? { signal } : {}),
    sandbox,
    emit,
  });
  return { builds, storms, throughput, runs, thresholds, outDir, sandbox, emit, shardPlan, sources, profile };
}
