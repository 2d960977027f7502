// Time to a stability verdict for base vs patches/unblocked-worker-signals.patch with a warm build cache,
// with sequential stopping (the default) and without it (a fixed-size design: every cell runs the cap).
// Run: npx tsx bench/verdict-time.ts [--quick]. bench/run.ts calls verdictTimeBench().
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from '../src/compile/build-tree.js';
import { defaultThresholds } from '../src/config/thresholds.schema.js';
import { createLanePool } from '../src/storm/lanes.js';
import { bundledPatchesDir } from '../src/util/paths.js';
import { loadWorkloadSet } from '../src/workload/load.js';
import { type TimedValidation, timedValidation } from './timed-validation.js';

export interface VerdictTimeOptions {
  /** Short version: one seed, a 40-iteration fixed run. */
  readonly quick?: boolean;
  /** Seeds of the sequential single-workload runs (default 1, 2, 3; quick: 1). */
  readonly seeds?: readonly number[];
  /** Iterations per side of the measured fixed-size run (default 300, quick 40; at most 2000). */
  readonly fixedIterations?: number;
  readonly log?: (line: string) => void;
  readonly signal?: AbortSignal;
}

export interface VerdictTimeResult {
  readonly patch: string;
  readonly lanes: number;
  readonly warmCache: { readonly alreadyWarm: boolean; readonly warmUpSeconds: number };
  /** Sequential stopping on server-burst, one run per seed. */
  readonly sequential: readonly (TimedValidation & { readonly seed: number })[];
  /** Sequential stopping with fail fast over the whole default workload set. */
  readonly defaultSet: TimedValidation & { readonly seed: number; readonly workloads: number };
  /** Fixed size: no stop before `iterations` per side, measured on server-burst. */
  readonly fixed: TimedValidation & { readonly seed: number; readonly iterationsPerSide: number };
  /** The cap a fixed-size design runs every cell to (plain). */
  readonly capPerSide: number;
}

const patchName = 'unblocked-worker-signals.patch';

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0
    ? 0
    : ((s[Math.floor((s.length - 1) / 2)] ?? 0) + (s[Math.ceil((s.length - 1) / 2)] ?? 0)) / 2;
};

export async function verdictTimeBench(options: VerdictTimeOptions = {}): Promise<VerdictTimeResult> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const seeds = options.seeds ?? (options.quick ? [1] : [1, 2, 3]);
  const fixedN = Math.min(2000, Math.max(20, options.fixedIterations ?? (options.quick ? 40 : 300)));
  const patch = join(bundledPatchesDir, patchName);
  const common = {
    base: {},
    head: { patches: [patch] },
    variants: ['plain'] as const,
    throughputRuns: 0,
    baseCache: false,
    // Bounds every run; the figures below are far inside it.
    budgetSeconds: 1800,
  };

  // A warm cache: both trees built before any clock starts (a no-op when they are cached).
  const warmStart = performance.now();
  const buildOptions = options.signal ? { signal: options.signal } : {};
  const builds = [
    await build({}, ['plain'], buildOptions),
    await build({ patches: [patch] }, ['plain'], buildOptions),
  ];
  const warmCache = {
    alreadyWarm: builds.every((b) => b.variants.plain.cached),
    warmUpSeconds: (performance.now() - warmStart) / 1000,
  };
  const lanes = (await createLanePool()).lanes.length;

  const sequential = [];
  for (const seed of seeds) {
    log(`  verdict-time: sequential, server-burst, seed ${seed}`);
    sequential.push({
      seed,
      ...(await timedValidation({ ...common, workloads: ['server-burst'], seed }, log, options.signal)),
    });
  }
  const workloads = (await loadWorkloadSet('default')).length;
  log(`  verdict-time: sequential + fail fast, default set (${workloads} workloads), seed 1`);
  const defaultSet = {
    seed: 1,
    workloads,
    ...(await timedValidation({ ...common, failFast: true, seed: 1 }, log, options.signal)),
  };
  log(`  verdict-time: fixed size, server-burst, ${fixedN} per side, seed 1`);
  const fixed = {
    seed: 1,
    iterationsPerSide: fixedN,
    ...(await timedValidation(
      {
        ...common,
        workloads: ['server-burst'],
        seed: 1,
        iterations: fixedN,
        failFast: false,
        // No stop before the cap: every cell runs exactly fixedN per side, then the verdict is taken.
        thresholds: { stability: { minIterationsPerSide: fixedN } },
      },
      log,
      options.signal,
    )),
  };
  return {
    patch: `patches/${patchName}`,
    lanes,
    warmCache,
    sequential,
    defaultSet,
    fixed,
    capPerSide: defaultThresholds.stability.maxIterationsPerSide.plain,
  };
}

const s = (x: number) => `${x.toFixed(1)} s`;
const duration = (seconds: number) =>
  seconds >= 5400
    ? `${(seconds / 3600).toFixed(1)} h`
    : seconds >= 120
      ? `${(seconds / 60).toFixed(1)} min`
      : s(seconds);
const perSide = (v: TimedValidation) => `${v.iterations.base} base / ${v.iterations.head} head iterations`;

export function formatVerdictTime(r: VerdictTimeResult): string {
  const seq = r.sequential;
  const stormMedian = median(seq.map((v) => v.stormSeconds));
  const fixedPerIteration = r.fixed.stormSeconds / (r.fixed.iterations.base + r.fixed.iterations.head);
  const capOne = fixedPerIteration * 2 * r.capPerSide;
  const capSet = capOne * r.defaultSet.workloads;
  const warm = r.warmCache.alreadyWarm
    ? 'cache already warm'
    : `cache warmed first (${s(r.warmCache.warmUpSeconds)}, not counted)`;
  return [
    `Time to a verdict: base vs ${r.patch} (plain builds, ${warm}; ${r.lanes} lane(s), the default; base-results cache off; storm time = from the last build event to the report; seeds as stated)`,
    `  with sequential stopping, server-burst: median ${s(stormMedian)} of storm time to the verdict over seeds ${seq.map((v) => v.seed).join(', ')} — ${seq
      .map(
        (v) =>
          `seed ${v.seed}: ${v.verdict} in ${s(v.stormSeconds)}, ${perSide(v)} (whole validation ${s(v.totalSeconds)})`,
      )
      .join('; ')}`,
    `  with sequential stopping + fail fast, default set (${r.defaultSet.workloads} workloads, seed ${r.defaultSet.seed}): ${r.defaultSet.verdict} in ${s(r.defaultSet.stormSeconds)} of storm time; ${perSide(r.defaultSet)} over ${r.defaultSet.cellsStormed} stormed cell(s); whole validation ${s(r.defaultSet.totalSeconds)}`,
    `  without sequential stopping (fixed size, no stop before the cap), server-burst, measured at ${r.fixed.iterationsPerSide} per side (seed ${r.fixed.seed}): ${r.fixed.verdict} in ${s(r.fixed.stormSeconds)} of storm time; ${perSide(r.fixed)}; ${(fixedPerIteration * 1000).toFixed(0)} ms of storm time per iteration`,
    `  without sequential stopping at the default cap (${r.capPerSide} per side, what sigstorm runs when no cell may stop early) — EXTRAPOLATED linearly from the fixed run: ~${duration(capOne)} for server-burst, ~${duration(capSet)} for the default set of ${r.defaultSet.workloads} workloads (assumes every workload costs what server-burst did per iteration)`,
    `  sequential vs fixed: the measured fixed run (${r.fixed.iterationsPerSide} per side) took ${(r.fixed.stormSeconds / stormMedian).toFixed(1)}× the sequential median; at the cap ${(capOne / stormMedian).toFixed(0)}× (extrapolated); over the default set, fail fast against every cell at the cap ${(capSet / r.defaultSet.stormSeconds).toFixed(0)}× (extrapolated)`,
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await verdictTimeBench({ quick: process.argv.includes('--quick') });
  process.stdout.write(`${formatVerdictTime(result)}\n`);
}
