import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type BuildResult, build, describeTree, type Tree } from '../build/build-tree.js';
import type { VariantName } from '../build/variants.js';
import { Thresholds } from '../config/thresholds.schema.js';
import { buildReport } from '../report/build-report.js';
import { renderMarkdown } from '../report/markdown/render-markdown.js';
import type { BuildInfoInput, NotRun } from '../report/report.schema.js';
import { createLanePool } from '../storm/lanes.js';
import { interleavedThroughput } from '../throughput/interleave.js';
import { SigstormError } from '../util/errors.js';
import { cacheRoot } from '../util/paths.js';
import { noBaseCache, openBaseCache } from './base-cache.js';
import { cellInputs } from './cell-inputs.js';
import type { TreeRequest, Validate, ValidateProgress, ValidateRequest } from './contract.js';
import { planWorkloads } from './plan-workloads.js';
import { profiles } from './profiles.js';
import { type CellPlan, type CellRun, stormCells } from './storm-cells.js';

export interface ValidateExtras {
  /** Reuse base results of earlier validations against the same base (default true). */
  readonly baseCache?: boolean;
}

/**
 * The validation pipeline, the same for the CLI and the GitHub App:
 * 1. settle the request (profile defaults, thresholds, workloads);
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
  const emit = (progress: Omit<ValidateProgress, 'cellsDone' | 'cellsTotal'> & Partial<ValidateProgress>) =>
    options.onProgress?.({ cellsDone: 0, cellsTotal: 0, ...progress });

  // 1. Settle the request.
  const profile = profiles[request.profile ?? 'pr'];
  const thresholds = Thresholds.parse(request.thresholds ?? {});
  const variants = [...new Set(request.variants ?? profile.variants)];
  const plan = await planWorkloads(request.workloads, profile.workloadSet);
  const throughputRuns = request.throughputRuns ?? plan.throughput?.runs ?? 0;
  const buildVariants: VariantName[] = [
    ...new Set<VariantName>([...variants, ...(throughputRuns > 0 ? ['plain' as const] : [])]),
  ];
  const outDir = resolve(
    request.outDir ??
      join(
        cacheRoot(),
        'runs',
        `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomUUID().slice(0, 6)}`,
      ),
  );
  await mkdir(outDir, { recursive: true });

  // 2. Build base and head.
  const builds = { base: await buildSide('base', request.base), head: await buildSide('head', request.head) };
  async function buildSide(which: 'base' | 'head', tree: TreeRequest) {
    emit({ phase: 'build', message: `building ${which}`, iterationsDone: 0, iterationsTotal: 0 });
    try {
      return await build(
        {
          ...(tree.repo ? { repo: tree.repo } : {}),
          ...(tree.ref ? { ref: tree.ref } : {}),
          patches: [...(tree.patches ?? [])],
        },
        buildVariants,
        {
          ...(signal ? { signal } : {}),
          onProgress: (event) =>
            emit({
              phase: 'build',
              message: `${which}: ${event.message}`,
              iterationsDone: 0,
              iterationsTotal: 0,
            }),
        },
      );
    } catch (error) {
      if (error instanceof SigstormError) {
        throw new SigstormError(`Building ${which} failed: ${error.message}`, {
          ...(error.hint ? { hint: error.hint } : {}),
          ...(error.details ? { details: error.details } : {}),
          cause: error,
        });
      }
      throw error;
    }
  }

  // 3. Storms: every workload × variant, base and head interleaved on the same lanes.
  const pool = await createLanePool({
    ...(request.lanes ? { lanes: request.lanes } : {}),
    ...(request.cpus ? { cpus: request.cpus } : {}),
  });
  const seed = request.seed ?? seedFrom(builds.base.tree);
  const cells: CellPlan[] = [];
  for (const variant of variants) {
    for (const storm of plan.storms) {
      const baseBuild = builds.base.variants[variant];
      cells.push({
        index: cells.length,
        workload: storm.workload,
        workloadRef: storm.ref,
        variant,
        baseCache:
          request.baseCache === false
            ? noBaseCache
            : await openBaseCache(cacheRoot(), {
                buildKey: baseBuild.key,
                workloadText: storm.text,
                seed,
                lanes: pool.lanes.map((l) => l.cpuList),
              }),
      });
    }
  }
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
    budgetMs: (request.budgetSeconds ?? profile.budgetSeconds) * 1000,
    failFast: request.failFast ?? profile.failFast,
    outDir,
    ...(signal ? { signal } : {}),
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
  const { cells: cellData, notRun } = cellInputs(runs, thresholds, pool.lanes.length, request.iterations);

  // 4. Throughput, with the machine to itself (no storm runs now).
  const throughput = [];
  if (plan.throughput && throughputRuns > 0) {
    const definition = plan.throughput;
    let runsDone = 0;
    const samples = await interleavedThroughput({
      base: builds.base.variants.plain.binary,
      head: builds.head.variants.plain.binary,
      runs: throughputRuns,
      definition,
      ...(request.cpus ? { cpus: request.cpus } : {}),
      ...(signal ? { signal } : {}),
      onRun: () =>
        emit({
          phase: 'throughput',
          message: `throughput run ${++runsDone} of ${2 * throughputRuns}`,
          iterationsDone: runsDone,
          iterationsTotal: 2 * throughputRuns,
        }),
    });
    throughput.push({
      workload: definition.name,
      variant: 'plain' as const,
      base: samples.base.map((r) => r.bitsPerSecondReceived),
      head: samples.head.map((r) => r.bitsPerSecondReceived),
    });
  } else {
    notRun.push({
      what: 'throughput',
      why: plan.throughput ? 'throughput runs set to 0' : 'no throughput definition',
    });
  }

  // 5. Compare and report.
  emit({ phase: 'report', message: 'comparing base and head', iterationsDone: 0, iterationsTotal: 0 });
  const report = buildReport({
    base: buildInfo(builds.base.tree, builds.base.variants),
    head: buildInfo(builds.head.tree, builds.head.variants),
    cells: cellData,
    throughput,
    notRun: [...notRun, ...reusedNote(runs)],
    thresholds,
  });
  const markdown = renderMarkdown(report);
  await writeFile(join(outDir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(join(outDir, 'report.md'), markdown);
  return { verdict: report.verdict, headline: report.headline, markdown, report, outDir };
}

/** The default seed follows the base tree, so later validations against it can reuse base results. */
function seedFrom(tree: Tree): number {
  return Number.parseInt(tree.hash.slice(0, 8), 16) % 0x7fffffff;
}

function buildInfo(tree: Tree, variants: Partial<Record<VariantName, BuildResult>>): BuildInfoInput {
  return {
    label: describeTree(tree),
    repo: tree.repo,
    ref: tree.ref,
    commit: tree.commit,
    patches: [...tree.patches],
    variants: Object.values(variants).map((b) => ({
      variant: b.variant,
      binary: b.binary,
      cached: b.cached,
      buildMs: b.buildDurationMs,
    })),
  };
}

function reusedNote(runs: readonly CellRun[]): NotRun[] {
  const reused = runs.reduce((sum, r) => sum + r.reusedBase, 0);
  return reused === 0
    ? []
    : [
        {
          what: `${reused} base iterations`,
          why: 'reused from an earlier validation against the same base build (not re-run)',
        },
      ];
}
