// Iterations and storm seconds to a stability verdict on patches/unblocked-worker-signals.patch:
// 1. the default validation (pr profile: default set, plain + asan, fail fast) before and after the
//    stop on the signal-mask finding (docs/statistics.md, "Stopping on the signal-mask finding"):
//    before, only a cell's rates end the storms; after, the census's finding does once the cell has
//    its variant's evidence;
// 2. (full mode) one workload at a time, before thread-level evidence (server-burst, client-burst:
//    the kernel hands a burst's later signals to a worker by chance) and after (client-/server-
//    stream-sigterm: SIGTERM aimed at a stream thread with tgkill). Plain builds.
// Warm build cache, base-results cache off, one seed.
// Run: npx tsx bench/thread-verdict-time.ts [--quick] [--seed N]; bench/run.ts calls threadVerdictBench().
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from '../src/compile/build-tree.js';
import { profiles } from '../src/pipeline/request/profiles.js';
import { bundledPatchesDir } from '../src/util/paths.js';
import { type TimedValidation, timedValidation } from './timed-validation.js';

export interface ThreadVerdictOptions {
  /** Only the default validation, before and after (two validations). */
  readonly quick?: boolean;
  readonly seed?: number;
  readonly log?: (line: string) => void;
  readonly signal?: AbortSignal;
}

export interface ThreadVerdictRow extends TimedValidation {
  readonly when: 'before' | 'after';
  readonly workload: string;
}

export interface ThreadVerdictResult {
  readonly seed: number;
  /** The pr profile's default validation, the finding stop off (before) and on (after). */
  readonly defaultSet: { readonly before: TimedValidation; readonly after: TimedValidation };
  /** One workload at a time, plain (full mode only). */
  readonly single: readonly ThreadVerdictRow[];
}

const patch = join(bundledPatchesDir, 'unblocked-worker-signals.patch');
const workloads = [
  { when: 'before', workload: 'server-burst' },
  { when: 'before', workload: 'client-burst' },
  { when: 'after', workload: 'client-stream-sigterm' },
  { when: 'after', workload: 'server-stream-sigterm' },
] as const;

export async function threadVerdictBench(options: ThreadVerdictOptions = {}): Promise<ThreadVerdictResult> {
  const seed = options.seed ?? 1;
  const log = options.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const { signal } = options;
  const variants = profiles.pr.variants;
  // Both trees built in every variant before any clock starts (a no-op when they are cached).
  const buildOptions = signal ? { signal } : {};
  await build({}, variants, buildOptions);
  await build({ patches: [patch] }, variants, buildOptions);
  const common = {
    base: {},
    head: { patches: [patch] },
    throughputRuns: 0,
    baseCache: false,
    budgetSeconds: 900,
    seed,
  };

  const defaultRun = async (stopOnFinding: boolean) => {
    log(`  thread-verdict-time: default validation, stop on the finding ${stopOnFinding ? 'on' : 'off'}`);
    return timedValidation({ ...common, stopOnFinding }, log, signal);
  };
  const defaultSet = { before: await defaultRun(false), after: await defaultRun(true) };

  const single: ThreadVerdictRow[] = [];
  for (const { when, workload } of options.quick ? [] : workloads) {
    log(`  thread-verdict-time: ${workload} (${when}), seed ${seed}`);
    const timed = await timedValidation(
      { ...common, variants: ['plain'], workloads: [workload] },
      log,
      signal,
    );
    single.push({ when, workload, ...timed });
  }
  return { seed, defaultSet, single };
}

const perSide = (v: TimedValidation) =>
  `${v.iterations.base} base / ${v.iterations.head} head iterations, ${v.stormSeconds.toFixed(1)} s of storm time`;

/** The cells that ran, with their iterations and failures per side. */
const stormed = (v: TimedValidation) =>
  v.cells
    .filter((c) => c.iterations.base + c.iterations.head > 0)
    .map(
      (c) =>
        `${c.workload} ${c.iterations.base}/${c.iterations.head} (failures ${c.failures.base}/${c.failures.head})`,
    )
    .join(', ');

export function formatThreadVerdict(r: ThreadVerdictResult): string {
  const { before, after } = r.defaultSet;
  const lines = [
    `Iterations and storm seconds to a verdict on patches/unblocked-worker-signals.patch (seed ${r.seed}, warm build cache, base-results cache off):`,
    `  default validation (pr profile: default set, ${profiles.pr.variants.join(' + ')}, fail fast):`,
    `    before (only a cell's rates stop the storms): ${before.verdict} after ${perSide(before)}; cells stormed: ${stormed(before)}`,
    `    after (stop on the signal-mask finding once the cell has its evidence): ${after.verdict} after ${perSide(after)}; cells stormed: ${stormed(after)}`,
  ];
  if (r.single.length > 0) {
    lines.push('  one workload at a time (plain, sequential stopping):');
    for (const row of r.single) {
      lines.push(
        `    ${row.when.padEnd(6)} ${row.workload.padEnd(22)} ${row.verdict.padEnd(12)} ${perSide(row)} (failures ${row.cells[0]?.failures.base ?? 0} / ${row.cells[0]?.failures.head ?? 0})`,
      );
    }
  }
  return lines.join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const seedAt = process.argv.indexOf('--seed');
  const seed = seedAt > 0 ? Number(process.argv[seedAt + 1]) : 1;
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  const result = await threadVerdictBench({
    seed,
    quick: process.argv.includes('--quick'),
    signal: controller.signal,
  });
  process.stdout.write(`${formatThreadVerdict(result)}\n`);
}
