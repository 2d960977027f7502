import { compare } from '../compare/compare.js';
import { compareStability } from '../compare/stability/compare-stability.js';
import { buildVariant } from '../compile/build-tree.js';
import { publicSource } from '../source/public-source.js';
import type { InterleavedThroughput } from '../throughput/interleave.js';
import { SigstormError } from '../util/errors.js';
import { buildInfo } from './build-trees.js';
import { coldBasePhase } from './cold-base.js';
import { asanIterationMs, evidenceExpectedMs, evidencePass } from './evidence-pass.js';
import {
  decidedGatePairs,
  measureThroughput,
  throughputBetween,
  throughputBudget,
} from './measure-throughput.js';
import { emitTo } from './output/emit.js';
import { placeCauses } from './output/place-causes.js';
import { writeReport } from './output/write-report.js';
import type { Validate, ValidateRequest } from './request/contract.js';
import { cellInputs } from './schedule/cell-inputs.js';
import { sliceSize } from './schedule/cell-run.js';
import { stormExpectedMs } from './schedule/look-budget.js';
import { stormCells } from './schedule/storm-cells.js';
import {
  aboutLeft,
  aboutTime,
  expectedLeftMs,
  expectedPairsFrom,
  splitBudget,
  throughputPairPriorMs,
  throughputPairsFor,
  throughputRoundDue,
} from './schedule/validation-budget.js';
import { shardSlices } from './shards/shard-plan.js';
import { planShards, type ShardRequest } from './shards/shard-request.js';
import { startRun } from './start-run.js';
import { warmInput } from './warm-base.js';

export interface ValidateExtras {
  /** Reuse base results of earlier validations against the same base (default true). */
  readonly baseCache?: boolean;
  /**
   * With fail fast, stop on the signal-mask finding once a cell shows its variant's failure
   * (default true; false: only a cell's rates stop the storms, as before the rule: for benches).
   */
  readonly stopOnFinding?: boolean;
  /**
   * Keep head's results and reuse them in later runs on the same head build (default false): bisect,
   * whose retest of a step goes on with the same sequence instead of drawing a new one.
   */
  readonly headCache?: boolean;
}

/**
 * The validation pipeline, the same for the CLI and the GitHub App:
 * 1. settle the request (profile defaults, thresholds, workloads) and check every input (trees
 *    exported and patched, build systems, CPUs) before anything is built or written;
 * 2. build base and head in every variant (cached);
 * 3. storm every cell on base and head, interleaved, with sequential stopping;
 * 4. measure throughput of base and head, interleaved, with the machine to themselves;
 * 5. compare; rerun a finding settled without a stack on the ASan build (the evidence pass); write
 *    report.json and report.md.
 */
export const validate: Validate = async (request, options = {}) => runValidation(request, options);

export async function runValidation(
  request: ValidateRequest & ValidateExtras,
  options: Parameters<Validate>[1] = {},
) {
  const { builds, storms, throughput, runs, thresholds, outDir, sandbox, emit, sources, profile, pool } =
    await stormAndMeasure(request, options);

  // 5. Compare; a finding no stack places gets its iterations rerun on the ASan build; report.
  emit({ phase: 'report', message: 'comparing base and head', iterationsDone: 0, iterationsTotal: 0 });
  const compared = await evidencePass({
    comparison: compare(storms.cells, throughput.throughput, thresholds, profile.neutral),
    runs,
    headBuilds: builds.head.variants,
    buildHead: async (variant) => {
      emit({
        phase: 'build',
        message: `head: ${variant} build for the evidence pass`,
        iterationsDone: 0,
        iterationsTotal: 0,
      });
      return buildVariant(builds.head.tree, variant, {
        sandbox,
        ...(options.signal ? { signal: options.signal } : {}),
      });
    },
    headDir: builds.head.tree.dir,
    headSource: sources.head,
    pool,
    sandbox,
    ...(options.signal ? { signal: options.signal } : {}),
    onAttempt: (cause, attempt) =>
      emit({
        phase: 'report',
        message: `evidence: rerunning ${cause.workload} (${cause.variant}) on the asan build for a stack, attempt ${attempt}`,
        iterationsDone: 0,
        iterationsTotal: 0,
      }),
  });
  const { report, markdown } = await writeReport({
    base: buildInfo(builds.base.tree, builds.base.variants, sandbox.kind, sources.base),
    head: buildInfo(builds.head.tree, builds.head.variants, sandbox.kind, sources.head),
    // Findings at source lines: their top frames in the trees' own files.
    comparison: placeCauses(compared, { base: builds.base.tree.dir, head: builds.head.tree.dir }),
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

  // 1. Settle the request and check every input; 2. build base and head; plan the storms' cells.
  const { settled, pool, builds, seed, cells } = await startRun(
    request,
    { kind: 'validate', baseCache: request.baseCache !== false, headCache: request.headCache === true },
    { emit, signal },
  );
  const { profile, thresholds, plan, throughputRuns, outDir, sandbox } = settled;

  // 3. Storms: every workload × variant, base and head interleaved on the same lanes.
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
  const failFast = request.failFast ?? profile.failFast;

  // One budget for storms and throughput (builds aside), split explicitly: ./schedule/validation-budget.ts.
  const wholeMs = (request.budgetSeconds ?? profile.budgetSeconds) * 1000;
  const pairs = plan.throughput && !(shard && shard.index > 1) ? throughputRuns : 0;
  const pairMs = plan.throughput ? throughputPairPriorMs(plan.throughput) : 0;
  const split = splitBudget({ budgetMs: wholeMs, pairs, pairMs, floorPairs: decidedGatePairs });
  // Throughput's pairs as its looks are expected to stop them: at the spread of the pairs made
  // between storm batches (the whole budget until there are enough of them).
  let early: InterleavedThroughput = { base: [], head: [], order: [], stopped: 'budget' };
  const earlyPairs = () => Math.min(early.base.length, early.head.length);
  const pairsRun = (budget: number) =>
    expectedPairsFrom(
      budget,
      { base: early.base.map((r) => r.bitsPerSecond), head: early.head.map((r) => r.bitsPerSecond) },
      thresholds.throughput,
    );
  const expectedFrom = (storm: number, leftMs: number) =>
    expectedLeftMs({
      stormExpectedMs: storm,
      leftMs,
      pairs,
      pairMs,
      reservedPairs: split.reservedPairs,
      pairsRun,
    });

  // 3a. A cold base (no cached base results for the pooled shares) whose storms would eat head's
  // looks is warmed as its own announced phase: first (no fail fast), or after every cell's first
  // batch (fail fast), off the budget's clock (./cold-base.ts).
  const warmUp =
    !shard && request.baseCache !== false && profile.neutral === 'pooled'
      ? await coldBasePhase({
          ...warmInput({ settled, pool, builds, seed, cells }, request, { emit, signal }),
          stormMs: split.stormMs,
          budgetMs: wholeMs,
          afterMs: (stormMs) => expectedFrom(stormMs, wholeMs),
          failFast,
        })
      : undefined;
  // The budget's clock: it starts here and stops while a cold base is warmed after the first
  // batches, which gives back their base time as well.
  const budgetStarted = performance.now();
  const offClock = { ms: 0, since: null as number | null, pending: warmUp !== undefined };
  const wholeLeft = () => {
    const now = performance.now();
    return (
      wholeMs - (now - budgetStarted - offClock.ms - (offClock.since === null ? 0 : now - offClock.since))
    );
  };
  // The warm-up still to come, at the cache's rate (measured once the first batches ran).
  const warmLeft = () => (warmUp && offClock.pending ? warmUp.pending().warmMs : 0);
  // Throughput's reserve, made between storm batches while the storms need time (a whole run's
  // shard 1 or one machine; not a shard of several: only its shard 1 measures, after its storms).
  const between = !shard && plan.throughput && pairs > 0 ? plan.throughput : null;
  const expected = (storm: number) => warmLeft() + expectedFrom(storm, wholeLeft()) - earlyPairs() * pairMs;
  let lastStormExpected = split.stormMs;
  emit({
    phase: 'storm',
    message: `budget: ${Math.round(wholeMs / 60_000) || 1} min for storms and throughput${
      pairs > 0
        ? `: storms up to ${aboutTime(split.stormMs).replace('about ', '')}, throughput ${split.reservedPairs} pairs (${aboutTime(split.reservedPairs * pairMs)})${between ? ' between storm batches while they need time' : ''}, more after them if the storms end sooner`
        : ''
    }`,
    notice: true,
    iterationsDone: 0,
    iterationsTotal,
    cellsTotal: cells.length,
  });
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
    budgetMs: split.stormMs,
    failFast,
    ...(request.stopOnFinding === undefined ? {} : { stopOnFinding: request.stopOnFinding }),
    outDir,
    ...(signal ? { signal } : {}),
    sandbox,
    ...(warmUp
      ? {
          warmUp: {
            share: warmUp.share,
            run: async ({ baseSpentMs }) => {
              offClock.since = performance.now();
              offClock.ms += baseSpentMs;
              await warmUp.run(() => expectedFrom(lastStormExpected, wholeLeft()) - earlyPairs() * pairMs);
              offClock.ms += performance.now() - offClock.since;
              offClock.since = null;
              offClock.pending = false;
            },
          },
        }
      : {}),
    // Whether the budget brings every cell to its look: said at the start, and once measured.
    onPlan: (line, looks) => {
      const left = expected(stormExpectedMs(looks));
      emit({
        phase: 'storm',
        message: `budget: ${line}; ${aboutLeft(left)} in all`,
        notice: true,
        iterationsDone: stormProgress.iterationsDone,
        iterationsTotal,
        cellsDone: stormProgress.cellsDone,
        cellsTotal: cells.length,
        expectedLeftMs: left,
      });
    },
    ...(between
      ? {
          between: async ({
            spentMs,
            expectedLeftMs: stormLeft,
          }: {
            spentMs: number;
            expectedLeftMs: number;
          }) => {
            const due = throughputRoundDue({
              stormSpentMs: spentMs,
              stormExpectedLeftMs: stormLeft,
              donePairs: earlyPairs(),
              reservedPairs: split.reservedPairs,
            });
            if (!due) return;
            // The time left as the round goes: what was expected before it, less the runs made.
            const before = expected(stormLeft);
            let made = 0;
            early = await throughputBetween({
              definition: between,
              builds: { base: builds.base.variants, head: builds.head.variants },
              pairs: Math.min(split.reservedPairs, earlyPairs() + 2),
              reserved: split.reservedPairs,
              from: early,
              ...(request.cpus ? { cpus: request.cpus } : {}),
              ...(signal ? { signal } : {}),
              sandbox,
              emit: (p) => emit({ ...p, expectedLeftMs: Math.max(0, before - (++made * pairMs) / 2) }),
            });
          },
        }
      : {}),
    onBatch: ({ cell, runs: now, iterationsDone, cellsDone, stormExpectedMs: storm, gateDecided }) => {
      Object.assign(stormProgress, { iterationsDone, cellsDone });
      lastStormExpected = storm;
      emit({
        phase: 'storm',
        message: `${cell.plan.workload.name} (${cell.plan.variant}): ${cell.state.decision.evidence}`,
        iterationsDone,
        iterationsTotal,
        cellsDone,
        cellsTotal: cells.length,
        // A settled regression: the storms end, throughput gets the decided gate's pairs (as its
        // looks are expected to stop them), then the evidence pass reruns the stackless crashes.
        expectedLeftMs: gateDecided
          ? (pairs > 0 ? pairsRun(throughputBudget(pairs, true).runs) - earlyPairs() : 0) * pairMs +
            evidenceExpectedMs(now, asanIterationMs(now, pool.lanes.length))
          : expected(storm),
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
    // Only shard 1 measures throughput: it needs the machine to itself, and once is enough. The
    // pairs are what the whole budget leaves after the storms, at least the reserve.
    runs: throughputPairsFor({ leftMs: wholeLeft(), pairs, pairMs, reservedPairs: split.reservedPairs }),
    ...(pairs > 0 ? { configuredRuns: pairs } : {}),
    pairMs,
    builds: { base: builds.base.variants, head: builds.head.variants },
    thresholds: thresholds.throughput,
    gateDecided,
    // A regression's stackless crashes are rerun after throughput (the evidence pass): priced too.
    afterMs: gateDecided ? evidenceExpectedMs(runs, asanIterationMs(runs, pool.lanes.length)) : 0,
    ...(request.cpus ? { cpus: request.cpus } : {}),
    ...(signal ? { signal } : {}),
    sandbox,
    emit,
    ...(earlyPairs() > 0 ? { already: early } : {}),
  });
  return {
    builds,
    storms,
    throughput,
    runs,
    thresholds,
    outDir,
    sandbox,
    emit,
    shardPlan,
    sources,
    profile,
    pool,
  };
}
